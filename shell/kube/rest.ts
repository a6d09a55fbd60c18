// A small JSON REST client for the Kubernetes API. A kubeconfig (kubeConfig.ts, or @kubernetes/client-node's
// KubeConfig) supplies the server, TLS material and authentication; requests go through node:https
// directly so that every call has a deadline, one keep-alive agent is reused (client-node 1.4 makes an
// agent per request), objects stay plain JSON (its typed APIs turn timestamps into Dates), and watch
// streams surface every error.
import * as http from 'node:http'
import * as https from 'node:https'

/** What the client reads of a kubeconfig: both kubeConfig.ts's and client-node's KubeConfig have it. */
export interface KubeAccess {
  readonly getCurrentCluster: () => { readonly server: string } | null
  /** TLS material and, called again per request, the credentials' headers. */
  readonly applyToHTTPSOptions: (opts: https.RequestOptions) => Promise<void>
}

export interface RestResponse {
  readonly status: number
  readonly body: unknown
}

export interface RequestOptions {
  readonly body?: unknown
  readonly contentType?: string
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>
  readonly timeoutMs?: number
  readonly signal?: AbortSignal
}

export interface RestClient {
  readonly request: (method: string, path: string, options?: RequestOptions) => Promise<RestResponse>
  /** Streams newline-delimited JSON until the server closes, the signal aborts, or an error; `onOpen` once the server accepted it. */
  readonly stream: (path: string, query: RequestOptions['query'], onObject: (o: unknown) => void, signal: AbortSignal, onOpen?: () => void) => Promise<void>
  readonly close: () => void
}

export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    /** The Status's details.retryAfterSeconds (a 429 while the server's storage initializes says 1). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message)
  }
}

const DEFAULT_TIMEOUT_MS = 30_000

const withQuery = (path: string, query: RequestOptions['query']): string => {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v))
  const text = params.toString()
  return text === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${text}`
}

/** Turns a non-2xx response into an ApiError carrying the Status reason (Conflict, NotFound, ...). */
export const ensureOk = (res: RestResponse, what: string): RestResponse => {
  if (res.status >= 200 && res.status < 300) return res
  const status = res.body as { reason?: unknown; message?: unknown; details?: { retryAfterSeconds?: unknown } } | null
  const reason = typeof status?.reason === 'string' ? status.reason : `HTTP${res.status}`
  const message = typeof status?.message === 'string' ? status.message : JSON.stringify(res.body)
  const retryAfter = status?.details?.retryAfterSeconds
  throw new ApiError(res.status, reason, `${what}: ${res.status} ${reason}: ${message}`, typeof retryAfter === 'number' ? retryAfter : undefined)
}

type Open = (method: string, path: string, headers: Record<string, string>) => Promise<http.ClientRequest>

/** One keep-alive agent for the kubeconfig's cluster, and a way to open a request through it. */
const connect = async (kc: KubeAccess): Promise<{ readonly open: Open; readonly agent: http.Agent }> => {
  const cluster = kc.getCurrentCluster()
  if (cluster === null) throw new Error('kubeconfig has no current cluster')
  const base = new URL(cluster.server)
  const secure = base.protocol === 'https:'
  const opts: https.RequestOptions = {}
  await kc.applyToHTTPSOptions(opts)
  const agentOptions = { keepAlive: true, maxSockets: 16, ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: opts.rejectUnauthorized, servername: opts.servername }
  const agent = secure ? new https.Agent(agentOptions) : new http.Agent({ keepAlive: true, maxSockets: 16 })
  const transport = secure ? https : http
  const basePath = base.pathname.replace(/\/$/, '')
  const open: Open = async (method, path, headers) => {
    // Re-applied per request: tokens from exec plugins and projected service-account files rotate.
    const auth: https.RequestOptions = { headers: {} }
    await kc.applyToHTTPSOptions(auth)
    return transport.request({
      protocol: base.protocol,
      hostname: base.hostname.replace(/^\[|\]$/g, ''),
      port: base.port === '' ? (secure ? 443 : 80) : Number(base.port),
      method,
      path: basePath + path,
      agent,
      headers: { ...(auth.headers as Record<string, string>), Accept: 'application/json', ...headers },
    })
  }
  return { open, agent }
}

/** A response body as JSON when it parses; proxies and plain-text errors are passed on as text. */
const bodyOf = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

const requestWith =
  (open: Open) =>
  async (method: string, path: string, options: RequestOptions = {}): Promise<RestResponse> => {
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body))
    const headers: Record<string, string> = payload === undefined ? {} : { 'Content-Type': options.contentType ?? 'application/json', 'Content-Length': String(payload.length) }
    const req = await open(method, withQuery(path, options.query), headers)
    return new Promise<RestResponse>((resolve, reject) => {
      const timer = setTimeout(() => req.destroy(new Error(`${method} ${path}: no answer within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`)), options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
      const onAbort = (): void => void req.destroy(new Error(`${method} ${path}: aborted`))
      options.signal?.addEventListener('abort', onAbort, { once: true })
      const finish = (): void => {
        clearTimeout(timer)
        options.signal?.removeEventListener('abort', onAbort)
      }
      req.on('error', (err) => {
        finish()
        reject(err)
      })
      req.on('response', (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', (err) => {
          finish()
          reject(err)
        })
        res.on('end', () => {
          finish()
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : bodyOf(text) })
        })
      })
      req.end(payload)
    })
  }

/** A watch the server refused: its Status, as the ApiError ensureOk makes of it. */
const refuseWatch = (res: http.IncomingMessage, path: string, reject: (err: unknown) => void): void => {
  const chunks: Buffer[] = []
  res.on('data', (c: Buffer) => chunks.push(c))
  res.on('end', () => {
    try {
      ensureOk({ status: res.statusCode ?? 0, body: bodyOf(Buffer.concat(chunks).toString('utf8')) }, `watch ${path}`)
    } catch (err) {
      reject(err)
    }
  })
}

/** Hands each complete JSON line to onObject; the first line that fails goes to `fail`, and reading stops. */
const readLines = (res: http.IncomingMessage, onObject: (o: unknown) => void, fail: (err: unknown) => void): void => {
  let pending = ''
  res.setEncoding('utf8')
  res.on('data', (chunk: string) => {
    pending += chunk
    let nl: number
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).trim()
      pending = pending.slice(nl + 1)
      if (line === '') continue
      try {
        onObject(JSON.parse(line))
      } catch (err) {
        fail(err)
        return
      }
    }
  })
}

const streamWith =
  (open: Open) =>
  async (path: string, query: RequestOptions['query'], onObject: (o: unknown) => void, signal: AbortSignal, onOpen?: () => void): Promise<void> => {
    const req = await open('GET', withQuery(path, query), {})
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        req.destroy()
        resolve()
      }
      if (signal.aborted) return onAbort()
      signal.addEventListener('abort', onAbort, { once: true })
      req.on('error', (err) => {
        signal.removeEventListener('abort', onAbort)
        if (signal.aborted) resolve()
        else reject(err)
      })
      req.on('response', (res) => {
        if (res.statusCode !== 200) return refuseWatch(res, path, reject)
        onOpen?.()
        // A garbled line or a failing handler ends this watch; the caller restarts it.
        readLines(res, onObject, (err) => {
          signal.removeEventListener('abort', onAbort)
          req.destroy()
          reject(err)
        })
        res.on('error', (err) => (signal.aborted ? resolve() : reject(err)))
        res.on('end', () => {
          signal.removeEventListener('abort', onAbort)
          resolve()
        })
      })
      req.end()
    })
  }

export const restClient = async (kc: KubeAccess): Promise<RestClient> => {
  const { open, agent } = await connect(kc)
  return { request: requestWith(open), stream: streamWith(open), close: () => agent.destroy() }
}

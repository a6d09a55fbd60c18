// The validating admission webhook's HTTPS server (admission.k8s.io/v1), as MetalLB's controller
// serves one: each AdmissionReview is decoded (core/webhook/review.ts), the namespace's MetalLB
// configuration is read fresh from the API server, and core/webhook/admit.ts decides. The shell only
// moves bytes, lists objects, logs the decision with its reason, and swaps the certificate when the
// certificate manager renews it (setSecureContext: connections already open keep the old one).
import * as https from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import * as E from 'fp-ts/lib/Either.js'
import { admit } from '../../core/webhook/admit.js'
import { decodeReview, reviewResponse } from '../../core/webhook/review.js'
import { CONFIG_KINDS, configKindPath } from '../kube/configKinds.js'
import { ensureOk, type RestClient } from '../kube/rest.js'
import type { Logger } from '../obs/log.js'

/** The API server sends at most 3 MiB objects; a review holds two of them plus a little. */
const MAX_BODY_BYTES = 8 * 1024 * 1024
const LIST_TIMEOUT_MS = 8_000

interface WebhookDeps {
  readonly rest: RestClient
  readonly log: Logger
  /** IronLB's namespace: where configuration must live, and what is listed. */
  readonly namespace: string
}

export interface ServingCertificate {
  readonly keyPem: string
  readonly certPem: string
}

interface WebhookServer {
  readonly port: () => number
  readonly setCertificate: (c: ServingCertificate) => void
  readonly close: () => Promise<void>
}

/** Every configuration object in `namespace`, with kind and apiVersion on each (lists leave them to the list). */
export const listConfiguration = async (rest: RestClient, namespace: string): Promise<unknown[]> => {
  const lists = await Promise.all(
    CONFIG_KINDS.map(async (k) => {
      const res = ensureOk(await rest.request('GET', configKindPath(namespace, k), { timeoutMs: LIST_TIMEOUT_MS }), `list ${k.plural}`)
      const items = (res.body as { items?: unknown[] } | null)?.items ?? []
      return items.map((o) => ({ ...(o as object), apiVersion: `metallb.io/${k.version}`, kind: k.kind }))
    }),
  )
  return lists.flat()
}

const readBody = (req: IncomingMessage): Promise<Buffer | 'TooLarge'> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY_BYTES) {
        resolve('TooLarge')
        req.destroy()
        return
      }
      chunks.push(c)
    })
    req.once('end', () => resolve(Buffer.concat(chunks)))
    req.once('error', reject)
  })

const answer = (res: ServerResponse, status: number, body: unknown): void => {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json' })
  res.end(text)
}

const parseJson = (buf: Buffer): E.Either<string, unknown> => {
  try {
    return E.right(JSON.parse(buf.toString('utf8')) as unknown)
  } catch (err) {
    return E.left(`the body is not JSON: ${(err as Error).message}`)
  }
}

/** Handles one HTTP request; exported for specs that drive it without TLS. */
export const handleReview = async (deps: WebhookDeps, req: IncomingMessage, res: ServerResponse): Promise<void> => {
  if (req.method !== 'POST') return answer(res, 405, 'POST an admission.k8s.io/v1 AdmissionReview\n')
  const body = await readBody(req)
  if (body === 'TooLarge') return answer(res, 413, `the body is larger than ${MAX_BODY_BYTES} bytes\n`)
  const review = E.chain(decodeReview)(parseJson(body))
  if (E.isLeft(review)) {
    deps.log.warn('webhook-bad-request', { reason: 'NotAdmissionReview', error: review.left })
    return answer(res, 400, `${review.left}\n`)
  }
  const { uid, view } = review.right
  let cluster: unknown[]
  try {
    cluster = await listConfiguration(deps.rest, deps.namespace)
  } catch (err) {
    // Refused rather than waved through: the API server applies the webhook's failurePolicy (Fail).
    deps.log.error('webhook-list-failed', { reason: 'ApiUnavailable', error: err })
    const message = `IronLB could not read the configuration to check this change: ${(err as Error).message}`
    return answer(res, 200, reviewResponse(uid, { _tag: 'Denied', reason: 'Unverifiable', message }))
  }
  const decision = admit(view, cluster, deps.namespace)
  deps.log.info('webhook-decision', {
    decision: decision._tag,
    reason: decision.reason,
    operation: view.operation,
    kind: view.kind,
    object: `${view.namespace}/${view.name}`,
  })
  return answer(res, 200, reviewResponse(uid, decision))
}

export const serveWebhook = (deps: WebhookDeps, host: string, port: number, cert: ServingCertificate): Promise<WebhookServer> =>
  new Promise((resolve, reject) => {
    const server = https.createServer({ key: cert.keyPem, cert: cert.certPem, minVersion: 'TLSv1.2' }, (req, res) => {
      handleReview(deps, req, res).catch((err: unknown) => {
        deps.log.error('webhook-failed', { error: err })
        if (!res.headersSent) answer(res, 500, 'internal error\n')
      })
    })
    server.requestTimeout = 15_000
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      const addr = server.address()
      resolve({
        port: () => (typeof addr === 'object' && addr !== null ? addr.port : port),
        setCertificate: (c) => server.setSecureContext({ key: c.keyPem, cert: c.certPem }),
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done())
            server.closeAllConnections()
          }),
      })
    })
  })

// A very small Kubernetes REST client for the lab's agents: the lab writes their kubeconfigs itself
// (server, CA, bearer token), so this reads only those fields. Every request has a timeout; a watch is a
// stream of JSON lines that ends on the server's timeoutSeconds, an idle socket, or an ERROR event, and
// the caller then lists again (the agents are level-based: a watch event only means "look again").
import { readFileSync } from 'node:fs'
import { request } from 'node:https'

export interface KubeTarget {
  readonly server: string
  readonly ca: string
  readonly token: string
}

export const loadTarget = (kubeconfigPath: string): KubeTarget => {
  const cfg = JSON.parse(readFileSync(kubeconfigPath, 'utf8')) as {
    clusters?: { cluster?: { server?: string; 'certificate-authority-data'?: string } }[]
    users?: { user?: { token?: string } }[]
  }
  const cluster = cfg.clusters?.[0]?.cluster
  const token = cfg.users?.[0]?.user?.token
  if (cluster?.server === undefined || cluster['certificate-authority-data'] === undefined || token === undefined)
    throw new Error(`${kubeconfigPath}: not a kubeconfig written by the lab`)
  return { server: cluster.server, ca: Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8'), token }
}

interface Reply {
  readonly status: number
  readonly body: string
}

const call = (
  t: KubeTarget,
  method: string,
  path: string,
  body?: { readonly text: string; readonly contentType: string },
  timeoutMs = 10_000,
): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${t.token}`, accept: 'application/json' }
    if (body !== undefined) headers['content-type'] = body.contentType
    const req = request(`${t.server}${path}`, { method, headers, ca: t.ca, timeout: timeoutMs }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (text += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end(body?.text)
  })

export const getJson = async (t: KubeTarget, path: string, timeoutMs = 10_000): Promise<Record<string, unknown>> => {
  const r = await call(t, 'GET', path, undefined, timeoutMs)
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body.slice(0, 300)}`)
  return JSON.parse(r.body) as Record<string, unknown>
}

/** Server-side apply (JSON is YAML), forced: the lab owns these objects. */
export const apply = async (t: KubeTarget, path: string, obj: object, fieldManager: string): Promise<void> => {
  const r = await call(t, 'PATCH', `${path}?fieldManager=${encodeURIComponent(fieldManager)}&force=true`, {
    text: JSON.stringify(obj),
    contentType: 'application/apply-patch+yaml',
  })
  if (r.status !== 200 && r.status !== 201) throw new Error(`apply ${path}: ${r.status} ${r.body.slice(0, 300)}`)
}

export const remove = async (t: KubeTarget, path: string): Promise<void> => {
  const r = await call(t, 'DELETE', path)
  if (r.status !== 200 && r.status !== 202 && r.status !== 404) throw new Error(`DELETE ${path}: ${r.status} ${r.body.slice(0, 300)}`)
}

/** How a watch ended: the stream closed (watch again from the last version), or the server refused it (list again). */
type WatchEnd = 'closed' | 'refused'

/**
 * Watches `path` (a list path; `watch=1&timeoutSeconds=` are added, and `resourceVersion` when given)
 * and calls `onEvent` per event with its type and object. Resolves when the stream ends for any
 * reason; never runs longer than the server timeout plus `slackMs`.
 */
export const watchOnce = (
  t: KubeTarget,
  path: string,
  timeoutSeconds: number,
  onEvent: (type: string, object: unknown) => void,
  resourceVersion?: string,
  slackMs = 15_000,
): Promise<WatchEnd> =>
  new Promise((resolve) => {
    const sep = path.includes('?') ? '&' : '?'
    const from = resourceVersion === undefined ? '&allowWatchBookmarks=false' : `&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(resourceVersion)}`
    const url = `${t.server}${path}${sep}watch=1&timeoutSeconds=${timeoutSeconds}${from}`
    const limitMs = timeoutSeconds * 1000 + slackMs
    const req = request(url, { headers: { authorization: `Bearer ${t.token}` }, ca: t.ca, timeout: limitMs }, (res) => {
      if (res.statusCode !== 200) {
        res.resume()
        res.on('end', () => resolve('refused'))
        return
      }
      let buf = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        buf += c
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl)
          buf = buf.slice(nl + 1)
          let ev: { type?: unknown; object?: unknown } = {}
          try {
            ev = JSON.parse(line) as typeof ev
          } catch {
            // A broken line still means "something happened": the caller looks again.
          }
          const type = typeof ev.type === 'string' ? ev.type : 'UNKNOWN'
          onEvent(type, ev.object)
          if (type === 'ERROR' || type === 'UNKNOWN') req.destroy()
        }
      })
      res.on('end', () => resolve('closed'))
      res.on('error', () => resolve('closed'))
      res.on('close', () => resolve('closed'))
    })
    // A half-open connection must not hang the watch: a hard deadline over the server's own timeout.
    const hard = setTimeout(() => req.destroy(), limitMs)
    req.on('close', () => {
      clearTimeout(hard)
      resolve('closed')
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve('closed'))
    req.end()
  })

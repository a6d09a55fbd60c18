// An in-memory Kubernetes API for Services, behind the project's RestClient (shell/kube/rest.ts), so
// shell specs can run a daemon's writes and watches with no API server. It models only what the
// shell relies on, each checked against the real kube-apiserver (specs/support/memoryApi.int.ts):
// - one increasing resourceVersion for every change; a list carries it; a change that changes
//   nothing keeps it and tells no watcher (the API server skips no-op updates);
// - GET, POST (create: 409 AlreadyExists; any status sent is dropped), DELETE, and PATCH of the object and of /status as a JSON
//   merge patch (RFC 7386); a patch naming a resourceVersion other than the current one is refused
//   409 Conflict, as the API server's precondition does; /status changes status and metadata but
//   not spec, the object's own path everything but status (the real server differs from the usual
//   story there: annotations sent to a Service's /status are kept);
// - a watch (stream with watch=true from a resourceVersion, or watch() for specs), events in order;
// - POST of core/v1 Events, kept in events.
// Not modelled, on purpose: validation of the Service itself, field selectors, label selectors,
// 410 Gone, other patch types, timeouts. Anything else is answered 404 naming what is not modelled.
//
// Failure injection: failNext() makes the next N matching requests answer a status instead of
// acting; hangNext() holds the next matching request until the spec releases it, then it acts.
import type { RequestOptions, RestClient, RestResponse } from '../../shell/kube/rest.js'

export type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json }
type JsonObject = { readonly [k: string]: Json }

export interface ServiceObject {
  readonly metadata: { readonly namespace: string; readonly name: string; readonly resourceVersion?: string | undefined; readonly [k: string]: unknown }
  readonly [k: string]: unknown
}

export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'
  readonly object: ServiceObject
}

export interface RequestMatch {
  readonly method?: string
  /** Exact path, or a RegExp tested against it (query string excluded). */
  readonly path: string | RegExp
}

export interface HeldRequest {
  /** Lets the held request go on: it acts on the state as it is then. */
  readonly release: () => void
  /** Resolves when a matching request has been caught and is held. */
  readonly caught: Promise<void>
}

export interface MemoryApi extends RestClient {
  /** The stored Service, a copy; undefined when there is none. */
  readonly get: (namespace: string, name: string) => ServiceObject | undefined
  /** Calls fn with every change from now on, in order, before the request that made it answers. */
  readonly watch: (fn: (ev: WatchEvent) => void) => () => void
  /** The next `times` matching requests answer `status` (a Status body, reason given) and change nothing. */
  readonly failNext: (match: RequestMatch, times: number, status: number, reason?: string) => void
  readonly hangNext: (match: RequestMatch) => HeldRequest
  /** Every change so far, in order (what a watch from the start would have seen). */
  readonly history: () => readonly WatchEvent[]
  /** Every request answered, in order: method, path and status. */
  readonly calls: () => readonly { readonly method: string; readonly path: string; readonly status: number }[]
  readonly events: () => readonly JsonObject[]
}

const MERGE_PATCH = 'application/merge-patch+json'
const SERVICES = /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?services(?:\/([^/]+)(\/status)?)?$/
const EVENTS = /^\/api\/v1\/namespaces\/([^/]+)\/events$/

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)
const copy = <T>(v: T): T => structuredClone(v)

/** RFC 7386: objects merge key by key, null removes a key, anything else replaces. */
export const mergePatch = (target: Json | undefined, patch: Json): Json => {
  if (!isObject(patch)) return copy(patch)
  const out: Record<string, Json> = isObject(target) ? { ...target } : {}
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]
    else out[k] = mergePatch(out[k], v)
  }
  return out
}

const statusBody = (code: number, reason: string, message: string, details?: JsonObject): RestResponse => ({
  status: code,
  body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details === undefined ? {} : { details }), code },
})

const matches = (m: RequestMatch, method: string, path: string): boolean =>
  (m.method === undefined || m.method === method) && (typeof m.path === 'string' ? m.path === path : m.path.test(path))

export const memoryApi = (): MemoryApi => {
  const store = new Map<string, ServiceObject>()
  const log: WatchEvent[] = []
  const callLog: { method: string; path: string; status: number }[] = []
  const recorded: JsonObject[] = []
  const watchers = new Set<(ev: WatchEvent) => void>()
  const failures: { match: RequestMatch; left: number; status: number; reason: string }[] = []
  const holds: { match: RequestMatch; caught: () => void; gate: Promise<void> }[] = []
  let revision = 1_000
  let uid = 0

  const keyOf = (ns: string, name: string): string => `${ns}/${name}`
  const commit = (type: WatchEvent['type'], obj: ServiceObject): ServiceObject => {
    const ev: WatchEvent = { type, object: copy(obj) }
    log.push(ev)
    for (const w of watchers) w(copy(ev))
    return copy(obj)
  }
  const bump = (obj: Json): ServiceObject => {
    const o = obj as ServiceObject
    return { ...o, metadata: { ...o.metadata, resourceVersion: String(++revision) } }
  }
  const notFound = (name: string): RestResponse => statusBody(404, 'NotFound', `services "${name}" not found`, { name, kind: 'services' })

  const list = (ns: string | undefined): RestResponse => ({
    status: 200,
    body: {
      kind: 'ServiceList',
      apiVersion: 'v1',
      metadata: { resourceVersion: String(revision) },
      items: [...store.values()].filter((s) => ns === undefined || s.metadata.namespace === ns).map(copy),
    },
  })

  const create = (ns: string, body: unknown): RestResponse => {
    if (!isObject(body) || !isObject(body['metadata']) || typeof body['metadata']['name'] !== 'string') return statusBody(400, 'BadRequest', 'memoryApi: a Service needs metadata.name')
    const name = body['metadata']['name']
    if (store.has(keyOf(ns, name))) return statusBody(409, 'AlreadyExists', `services "${name}" already exists`, { name, kind: 'services' })
    const meta = { ...body['metadata'], namespace: ns, uid: `memory-uid-${++uid}`, creationTimestamp: '2026-01-01T00:00:00Z' }
    // As the API server does, a create sets no status: only /status writes one.
    const obj = bump({ ...body, apiVersion: 'v1', kind: 'Service', metadata: meta, status: { loadBalancer: {} } })
    store.set(keyOf(ns, name), obj)
    return { status: 201, body: commit('ADDED', obj) }
  }

  /** A merge patch of the object (everything but status) or of /status (all but spec). */
  const patch = (ns: string, name: string, status: boolean, options: RequestOptions): RestResponse => {
    if (options.contentType !== MERGE_PATCH) return statusBody(415, 'UnsupportedMediaType', `memoryApi: only ${MERGE_PATCH} is modelled, got ${String(options.contentType)}`)
    const current = store.get(keyOf(ns, name))
    if (current === undefined) return notFound(name)
    const body = options.body
    if (!isObject(body)) return statusBody(400, 'BadRequest', 'memoryApi: a merge patch must be an object')
    const wantRv = isObject(body['metadata']) ? body['metadata']['resourceVersion'] : undefined
    if (wantRv !== undefined && wantRv !== null && wantRv !== current.metadata.resourceVersion)
      return statusBody(409, 'Conflict', `Operation cannot be fulfilled on services "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, kind: 'services' })
    const merged = mergePatch(current as unknown as Json, body) as unknown as ServiceObject
    const identity = { namespace: ns, name, uid: current.metadata['uid'], resourceVersion: current.metadata.resourceVersion }
    // The API server keeps spec on /status and status on the object's path (metadata changes either way).
    const kept: ServiceObject = { ...merged, metadata: { ...merged.metadata, ...identity }, ...(status ? { spec: current['spec'] ?? null } : { status: current['status'] ?? null }) }
    if (JSON.stringify(kept) === JSON.stringify(current)) return { status: 200, body: copy(current) }
    const next = bump(kept as unknown as Json)
    store.set(keyOf(ns, name), next)
    return { status: 200, body: commit('MODIFIED', next) }
  }

  const remove = (ns: string, name: string): RestResponse => {
    const current = store.get(keyOf(ns, name))
    if (current === undefined) return notFound(name)
    store.delete(keyOf(ns, name))
    const gone = bump(current as unknown as Json)
    commit('DELETED', gone)
    return { status: 200, body: copy(gone) }
  }

  const act = (method: string, path: string, options: RequestOptions): RestResponse => {
    const ev = EVENTS.exec(path)
    if (ev !== null && method === 'POST' && isObject(options.body)) {
      recorded.push(copy(options.body))
      return { status: 201, body: copy(options.body) }
    }
    const m = SERVICES.exec(path)
    const [ns, name, status] = [m?.[1], m?.[2], m?.[3] !== undefined]
    if (m !== null && name === undefined && method === 'GET') return list(ns)
    if (m !== null && ns !== undefined && name === undefined && method === 'POST') return create(ns, options.body)
    if (m !== null && ns !== undefined && name !== undefined) {
      if (method === 'GET') return store.has(keyOf(ns, name)) ? { status: 200, body: copy(store.get(keyOf(ns, name))) } : notFound(name)
      if (method === 'PATCH') return patch(ns, name, status, options)
      if (method === 'DELETE' && !status) return remove(ns, name)
    }
    return statusBody(404, 'NotFound', `memoryApi: ${method} ${path} is not modelled`)
  }

  const request = async (method: string, rawPath: string, options: RequestOptions = {}): Promise<RestResponse> => {
    const path = rawPath.split('?')[0] ?? rawPath
    const held = holds.findIndex((h) => matches(h.match, method, path))
    if (held >= 0) {
      const [h] = holds.splice(held, 1)
      h?.caught()
      await h?.gate
    }
    if (options.signal?.aborted === true) throw new Error(`${method} ${path}: aborted`)
    const failure = failures.find((f) => f.left > 0 && matches(f.match, method, path))
    let res: RestResponse
    if (failure !== undefined) {
      failure.left--
      res = statusBody(failure.status, failure.reason, `memoryApi: injected failure of ${method} ${path}`)
    } else res = act(method, path, options)
    callLog.push({ method, path, status: res.status })
    return res
  }

  /** A watch stream: events after the given resourceVersion (all current objects as ADDED when none), then live. */
  const stream: RestClient['stream'] = async (rawPath, query, onObject, signal) => {
    const m = SERVICES.exec(rawPath.split('?')[0] ?? rawPath)
    if (m === null || m[2] !== undefined || query?.['watch'] !== true) throw new Error(`memoryApi: stream ${rawPath} is not modelled (only watch=true on a Service collection)`)
    const ns = m[1]
    const inScope = (ev: WatchEvent): boolean => ns === undefined || ev.object.metadata.namespace === ns
    const from = query['resourceVersion']
    const replay: WatchEvent[] =
      from === undefined || from === '' || from === '0'
        ? [...store.values()].map((o) => ({ type: 'ADDED', object: copy(o) }))
        : log.filter((ev) => Number(ev.object.metadata.resourceVersion) > Number(from))
    if (signal.aborted) return
    await new Promise<void>((resolve, reject) => {
      const send = (ev: WatchEvent): void => {
        if (!inScope(ev)) return
        try {
          onObject(copy(ev))
        } catch (err) {
          stop()
          reject(err)
        }
      }
      const deliver = (ev: WatchEvent): void => void queueMicrotask(() => (signal.aborted ? undefined : send(ev)))
      const stop = (): void => {
        watchers.delete(deliver)
        signal.removeEventListener('abort', onAbort)
      }
      const onAbort = (): void => {
        stop()
        resolve()
      }
      signal.addEventListener('abort', onAbort, { once: true })
      watchers.add(deliver)
      for (const ev of replay) deliver(ev)
    })
  }

  return {
    request,
    stream,
    close: () => watchers.clear(),
    get: (ns, name) => (store.has(keyOf(ns, name)) ? copy(store.get(keyOf(ns, name))) : undefined),
    watch: (fn) => {
      watchers.add(fn)
      return () => void watchers.delete(fn)
    },
    failNext: (match, times, status, reason = status === 409 ? 'Conflict' : status === 500 ? 'InternalError' : `HTTP${status}`) => {
      failures.push({ match, left: times, status, reason })
    },
    hangNext: (match) => {
      let caught: () => void = () => undefined
      let release: () => void = () => undefined
      const caughtP = new Promise<void>((r) => (caught = r))
      const gate = new Promise<void>((r) => (release = r))
      holds.push({ match, caught, gate })
      return { release, caught: caughtP }
    },
    history: () => log.map(copy),
    calls: () => [...callLog],
    events: () => recorded.map(copy),
  }
}

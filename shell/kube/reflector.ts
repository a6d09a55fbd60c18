// A list+watch cache for one resource, hardened against what goes wrong in practice: watches that
// end (server timeout, network), 410 Gone (relist), errors (retry with backoff, never give up),
// and half-open connections that deliver nothing (a watchdog restarts the watch). Level-based: it
// only says "something changed"; consumers read the whole cache.
import type { Logger } from '../obs/log.js'
import { exponentialBackoff, sleep } from './backoff.js'
import { ApiError, type RestClient, ensureOk } from './rest.js'
import { projectionOf } from '../../core/cluster/projection.js'

export interface KubeObject {
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly resourceVersion?: string }
}

interface ReflectorOptions {
  /** Collection path, e.g. "/api/v1/services" or "/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools". */
  readonly path: string
  readonly rest: RestClient
  readonly log: Logger
  readonly onChange: () => void
  /** Server-side watch timeout; the watchdog allows this plus a margin before it assumes a hang. */
  readonly watchTimeoutSeconds?: number
  readonly labelSelector?: string
  readonly fieldSelector?: string
  /** List responses omit apiVersion/kind on items; stamp them so decoders see whole objects. */
  readonly typeMeta?: { readonly apiVersion: string; readonly kind: string }
}

export interface Reflector<T extends KubeObject> {
  readonly list: () => readonly T[]
  /** Counts changes to the cache: the same number means the same objects (consumers memoize on it). */
  readonly version: () => number
  readonly synced: () => boolean
  /** Restarts so far, by cause; for metrics and tests. */
  readonly restarts: () => Readonly<Record<'error' | 'gone' | 'watchdog' | 'closed', number>>
  /**
   * Puts an object we just wrote (the API server's answer) into the cache, so the next pass does
   * not plan from the pre-write copy before the watch catches up. Older versions never overwrite.
   */
  readonly observeWrite: (obj: T) => void
  readonly stop: () => void
}

/** resourceVersions are opaque, but etcd-backed servers issue increasing integers; compare when both are. */
const isNewer = (candidate: string | undefined, current: string | undefined): boolean => {
  if (candidate === undefined || current === undefined) return true
  if (/^\d+$/.test(candidate) && /^\d+$/.test(current)) return BigInt(candidate) > BigInt(current)
  return candidate !== current
}

/**
 * Drops metadata.managedFields, which nothing here reads and which is often the larger half of an
 * object (a write that omits it leaves the server's intact). For the kinds the core does not project.
 */
const withoutManagedFields = <T extends KubeObject>(o: T): T => {
  const meta = o.metadata as (Record<string, unknown> & { managedFields?: unknown }) | undefined
  if (meta?.managedFields === undefined) return o
  const { managedFields: _dropped, ...rest } = meta
  return { ...o, metadata: rest }
}

/**
 * What the cache keeps of an object: for Services, Nodes, EndpointSlices and Namespaces only what
 * the core reads (core/cluster/projection.ts), so a user's large annotations cost nothing here;
 * other kinds whole but for managedFields. Every write from shell/ is a merge patch of the fields
 * it decides, so a projected copy never erases what was left out.
 */
const cacheCopyOf = <T extends KubeObject>(kind: string | undefined): ((o: T) => T) => {
  const projection = kind === undefined ? undefined : projectionOf(kind)
  return projection === undefined ? withoutManagedFields : (o) => projection(o) as T
}

const keyOf = (o: KubeObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`

interface WatchEvent {
  readonly type: string
  readonly object: KubeObject & { readonly code?: number }
}

type WatchEnd = 'closed' | 'gone' | 'watchdog'

/** One reflector's cache and where its watch stands; shared by the steps below. */
interface ReflectorState<T extends KubeObject> {
  readonly opts: ReflectorOptions
  readonly store: Map<string, T>
  readonly cached: (o: T) => T
  readonly stopper: AbortController
  readonly restarts: Record<'error' | WatchEnd, number>
  readonly backoff: ReturnType<typeof exponentialBackoff>
  readonly timeoutSeconds: number
  resourceVersion: string
  synced: boolean
  /** Bumped by every change to `store`. */
  changes: number
}

const notify = (s: { readonly opts: ReflectorOptions }): void => {
  try {
    s.opts.onChange()
  } catch (err) {
    s.opts.log.error('reflector-handler-failed', { path: s.opts.path, error: err })
  }
}

const relist = async <T extends KubeObject>(s: ReflectorState<T>): Promise<void> => {
  const { opts } = s
  const res = ensureOk(await opts.rest.request('GET', opts.path, { query: { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector } }), `list ${opts.path}`)
  const body = res.body as { items?: T[]; metadata?: { resourceVersion?: string } }
  s.store.clear()
  s.changes++
  for (const item of body.items ?? []) s.store.set(keyOf(item), s.cached(opts.typeMeta === undefined ? item : { ...opts.typeMeta, ...item }))
  s.resourceVersion = body.metadata?.resourceVersion ?? ''
  s.synced = true
  notify(s)
}

/** Applies one watch event: 'changed' (consumers are told), 'quiet', or 'gone' (410: relist). Other errors throw. */
const applyEvent = <T extends KubeObject>(s: ReflectorState<T>, ev: WatchEvent): 'changed' | 'quiet' | 'gone' => {
  const rv = ev.object.metadata?.resourceVersion
  switch (ev.type) {
    case 'ADDED':
    case 'MODIFIED': {
      const key = keyOf(ev.object)
      if (isNewer(rv, s.store.get(key)?.metadata?.resourceVersion)) {
        s.store.set(key, s.cached(ev.object as T))
        s.changes++
      }
      break
    }
    case 'DELETED':
      if (s.store.delete(keyOf(ev.object))) s.changes++
      break
    case 'BOOKMARK':
      if (rv !== undefined) s.resourceVersion = rv
      return 'quiet'
    case 'ERROR':
      if (ev.object.code === 410) return 'gone'
      throw new ApiError(ev.object.code ?? 500, 'WatchError', JSON.stringify(ev.object))
    default:
      return 'quiet'
  }
  if (rv !== undefined) s.resourceVersion = rv
  return 'changed'
}

/** One watch, until the server ends it, 410 Gone, the watchdog sees nothing for too long, or stop. */
const watchOnce = async <T extends KubeObject>(s: ReflectorState<T>): Promise<WatchEnd> => {
  const { opts, stopper, timeoutSeconds } = s
  const round = new AbortController()
  const onStop = (): void => round.abort()
  stopper.signal.addEventListener('abort', onStop, { once: true })
  let outcome: WatchEnd = 'closed'
  let lastActivity = Date.now()
  const watchdogMs = (timeoutSeconds + 30) * 1000
  const watchdog = setInterval(() => {
    if (Date.now() - lastActivity > watchdogMs) {
      outcome = 'watchdog'
      round.abort()
    }
  }, Math.min(5_000, watchdogMs))
  const query = { watch: true, resourceVersion: s.resourceVersion, allowWatchBookmarks: true, timeoutSeconds, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector }
  const onObject = (raw: unknown): void => {
    lastActivity = Date.now()
    const applied = applyEvent(s, raw as WatchEvent)
    if (applied === 'gone') {
      outcome = 'gone'
      round.abort()
    } else if (applied === 'changed') {
      s.backoff.reset()
      notify(s)
    }
  }
  try {
    await opts.rest.stream(opts.path, query, onObject, round.signal)
  } finally {
    clearInterval(watchdog)
    stopper.signal.removeEventListener('abort', onStop)
  }
  return outcome
}

/** List, then watch again and again; relist only when the version is lost. Never gives up until stopped. */
const run = async <T extends KubeObject>(s: ReflectorState<T>): Promise<void> => {
  const { opts, stopper, restarts, backoff } = s
  while (!stopper.signal.aborted) {
    try {
      if (s.resourceVersion === '') await relist(s)
      const startedAt = Date.now()
      const outcome = await watchOnce(s)
      if (stopper.signal.aborted) break
      restarts[outcome]++
      // A server (or proxy) that closes watches at once must not turn this into a busy loop.
      if (outcome === 'closed' && Date.now() - startedAt < 1_000) await sleep(backoff.next(), stopper.signal)
      if (outcome === 'gone') s.resourceVersion = ''
      if (outcome === 'watchdog') opts.log.warn('watch-hung-restarting', { path: opts.path })
    } catch (err) {
      restarts.error++
      if (err instanceof ApiError && err.status === 410) s.resourceVersion = ''
      const delay = backoff.next()
      opts.log.warn('watch-failed-retrying', { path: opts.path, error: err, retryInMs: delay })
      await sleep(delay, stopper.signal)
    }
  }
}

export const startReflector = <T extends KubeObject>(opts: ReflectorOptions): Reflector<T> => {
  const s: ReflectorState<T> = {
    opts,
    store: new Map<string, T>(),
    cached: cacheCopyOf<T>(opts.typeMeta?.kind),
    stopper: new AbortController(),
    restarts: { error: 0, gone: 0, watchdog: 0, closed: 0 },
    backoff: exponentialBackoff(250, 30_000),
    timeoutSeconds: opts.watchTimeoutSeconds ?? 300,
    resourceVersion: '',
    synced: false,
    changes: 0,
  }
  void run(s)
  return {
    list: () => [...s.store.values()],
    version: () => s.changes,
    synced: () => s.synced,
    restarts: () => ({ ...s.restarts }),
    observeWrite: (obj) => {
      const key = keyOf(obj)
      const current = s.store.get(key)
      if (current !== undefined && isNewer(obj.metadata?.resourceVersion, current.metadata?.resourceVersion)) {
        s.store.set(key, s.cached(obj))
        s.changes++
      }
    },
    stop: () => s.stopper.abort(),
  }
}

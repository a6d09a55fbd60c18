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

export interface ReflectorOptions {
  /** Collection path, e.g. "/api/v1/services" or "/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools". */
  readonly path: string
  readonly rest: RestClient
  readonly log: Logger
  readonly onChange: () => void
  /** Server-side watch timeout; the watchdog allows this plus a margin before it assumes a hang. */
  readonly watchTimeoutSeconds?: number
  readonly labelSelector?: string
  /** List responses omit apiVersion/kind on items; stamp them so decoders see whole objects. */
  readonly typeMeta?: { readonly apiVersion: string; readonly kind: string }
}

export interface Reflector<T extends KubeObject> {
  readonly list: () => readonly T[]
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

export const startReflector = <T extends KubeObject>(opts: ReflectorOptions): Reflector<T> => {
  const store = new Map<string, T>()
  const cached = cacheCopyOf<T>(opts.typeMeta?.kind)
  const stopper = new AbortController()
  const restarts = { error: 0, gone: 0, watchdog: 0, closed: 0 }
  const timeoutSeconds = opts.watchTimeoutSeconds ?? 300
  const backoff = exponentialBackoff(250, 30_000)
  let resourceVersion = ''
  let synced = false

  const notify = (): void => {
    try {
      opts.onChange()
    } catch (err) {
      opts.log.error('reflector-handler-failed', { path: opts.path, error: err })
    }
  }

  const relist = async (): Promise<void> => {
    const res = ensureOk(await opts.rest.request('GET', opts.path, { query: { labelSelector: opts.labelSelector } }), `list ${opts.path}`)
    const body = res.body as { items?: T[]; metadata?: { resourceVersion?: string } }
    store.clear()
    for (const item of body.items ?? []) store.set(keyOf(item), cached(opts.typeMeta === undefined ? item : { ...opts.typeMeta, ...item }))
    resourceVersion = body.metadata?.resourceVersion ?? ''
    synced = true
    notify()
  }

  const watchOnce = async (): Promise<'closed' | 'gone' | 'watchdog'> => {
    const round = new AbortController()
    const onStop = (): void => round.abort()
    stopper.signal.addEventListener('abort', onStop, { once: true })
    let outcome: 'closed' | 'gone' | 'watchdog' = 'closed'
    let lastActivity = Date.now()
    const watchdogMs = (timeoutSeconds + 30) * 1000
    const watchdog = setInterval(() => {
      if (Date.now() - lastActivity > watchdogMs) {
        outcome = 'watchdog'
        round.abort()
      }
    }, Math.min(5_000, watchdogMs))
    try {
      await opts.rest.stream(
        opts.path,
        { watch: true, resourceVersion, allowWatchBookmarks: true, timeoutSeconds, labelSelector: opts.labelSelector },
        (raw) => {
          lastActivity = Date.now()
          const ev = raw as WatchEvent
          const rv = ev.object.metadata?.resourceVersion
          switch (ev.type) {
            case 'ADDED':
            case 'MODIFIED': {
              const key = keyOf(ev.object)
              if (isNewer(rv, store.get(key)?.metadata?.resourceVersion)) store.set(key, cached(ev.object as T))
              break
            }
            case 'DELETED':
              store.delete(keyOf(ev.object))
              break
            case 'BOOKMARK':
              if (rv !== undefined) resourceVersion = rv
              return
            case 'ERROR':
              if (ev.object.code === 410) {
                outcome = 'gone'
                round.abort()
                return
              }
              throw new ApiError(ev.object.code ?? 500, 'WatchError', JSON.stringify(ev.object))
            default:
              return
          }
          if (rv !== undefined) resourceVersion = rv
          backoff.reset()
          notify()
        },
        round.signal,
      )
    } finally {
      clearInterval(watchdog)
      stopper.signal.removeEventListener('abort', onStop)
    }
    return outcome
  }

  const run = async (): Promise<void> => {
    while (!stopper.signal.aborted) {
      try {
        if (resourceVersion === '') await relist()
        const startedAt = Date.now()
        const outcome = await watchOnce()
        if (stopper.signal.aborted) break
        restarts[outcome]++
        // A server (or proxy) that closes watches at once must not turn this into a busy loop.
        if (outcome === 'closed' && Date.now() - startedAt < 1_000) await sleep(backoff.next(), stopper.signal)
        if (outcome === 'gone') resourceVersion = ''
        if (outcome === 'watchdog') opts.log.warn('watch-hung-restarting', { path: opts.path })
      } catch (err) {
        restarts.error++
        if (err instanceof ApiError && err.status === 410) resourceVersion = ''
        const delay = backoff.next()
        opts.log.warn('watch-failed-retrying', { path: opts.path, error: err, retryInMs: delay })
        await sleep(delay, stopper.signal)
      }
    }
  }
  void run()

  return {
    list: () => [...store.values()],
    synced: () => synced,
    restarts: () => ({ ...restarts }),
    observeWrite: (obj) => {
      const key = keyOf(obj)
      const current = store.get(key)
      if (current !== undefined && isNewer(obj.metadata?.resourceVersion, current.metadata?.resourceVersion)) store.set(key, cached(obj))
    },
    stop: () => stopper.abort(),
  }
}

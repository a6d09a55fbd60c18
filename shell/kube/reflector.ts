// A list+watch cache for one resource, hardened against what goes wrong in practice: watches that
// end (server timeout, network), 410 Gone (relist), errors (retry with backoff, never give up),
// and half-open connections that deliver nothing (a watchdog restarts the watch). Level-based: it
// only says "something changed"; consumers read the whole cache. How long it waits after a failure
// depends on what failed (pauseAfter): no answer at all waits briefly and ends when a sibling
// reflector is answered (reachability.ts), a 429 waits what the server asks, anything else backs off.
import type { Logger } from '../obs/log.js'
import { exponentialBackoff, sleep } from './backoff.js'
import { type ApiReachability, apiReachability, unreachablePace } from './reachability.js'
import { listInPages } from './pagedList.js'
import { ApiError, type RestClient } from './rest.js'
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
  /** Shared by a daemon's reflectors, so one answer after an outage wakes them all; absent: this reflector's own. */
  readonly reachability?: ApiReachability
  /** Items per list request (pagedList.ts); client-go's 500 when absent. */
  readonly listPageSize?: number
}

export interface Reflector<T extends KubeObject> {
  readonly list: () => readonly T[]
  /** The cached objects by key ("namespace/name", or "name"), without copying: for consumers that follow changes by reference. */
  readonly entries: () => Iterable<readonly [string, T]>
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
  store: Map<string, T>
  readonly cached: (o: T) => T
  readonly stopper: AbortController
  readonly restarts: Record<'error' | WatchEnd, number>
  /** After an error the server answered (403, 500, ...). */
  readonly backoff: ReturnType<typeof exponentialBackoff>
  /** After a failure with no answer (connection refused or reset): short, and cut short by `reach`. */
  readonly unreachable: ReturnType<typeof exponentialBackoff>
  readonly reach: ApiReachability
  /** Keys deleted by a watch event, with that event's version: a late observeWrite must not bring them back. */
  readonly deleted: Map<string, string | undefined>
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
  const query = { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector }
  const keep = (item: unknown): readonly [string, T] => [keyOf(item as KubeObject), s.cached((opts.typeMeta === undefined ? item : { ...opts.typeMeta, ...(item as object) }) as T)]
  // The cache is replaced only once the last page is in: a pass never sees half a relist.
  const listing = await listInPages(opts.rest, opts.path, query, keep, opts.listPageSize)
  if (listing.unpaged) opts.log.info('list-continue-expired', { path: opts.path, pages: listing.pages })
  s.store = listing.items
  s.deleted.clear()
  s.changes++
  s.resourceVersion = listing.resourceVersion
  s.synced = true
  answered(s)
  notify(s)
}

/** The server answered: this reflector's waits start small again, and its siblings' unreachable waits end. */
const answered = <T extends KubeObject>(s: ReflectorState<T>): void => {
  s.backoff.reset()
  reachedAgain(s)
}

/** A request got through: the siblings' unreachable waits end (the backoff for answered errors stays as it is). */
const reachedAgain = <T extends KubeObject>(s: ReflectorState<T>): void => {
  s.unreachable.reset()
  s.reach.answered()
}

/** Tombstones kept at most; the oldest go first (a relist clears them all). */
const MAX_DELETED = 1_024

const rememberDeleted = <T extends KubeObject>(s: ReflectorState<T>, key: string, rv: string | undefined): void => {
  s.deleted.delete(key)
  s.deleted.set(key, rv)
  if (s.deleted.size > MAX_DELETED) for (const oldest of s.deleted.keys()) return void s.deleted.delete(oldest)
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
      rememberDeleted(s, keyOf(ev.object), rv)
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
    // An open watch says the server is back (a quiet one may bring no event for minutes).
    await opts.rest.stream(opts.path, query, onObject, round.signal, () => reachedAgain(s))
  } finally {
    clearInterval(watchdog)
    stopper.signal.removeEventListener('abort', onStop)
  }
  return outcome
}

/** Node's codes for a request that got no HTTP answer: the server is down, restarting or out of reach. */
const NO_ANSWER = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED', 'EAI_AGAIN'])

const noAnswer = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && NO_ANSWER.has(code)
}

/** A 429's Retry-After is obeyed within these bounds, plus up to a quarter more so a crowd spreads out. */
const RETRY_AFTER_MS = { least: 1_000, most: 30_000 } as const

/**
 * Waits after a failed list or watch, by what failed: no answer -> the short unreachable pace, ended
 * early once a sibling is answered; a 429 naming a wait (the server's storage still initializing after
 * a restart) -> that wait, the backoff untouched; any other answer -> the backoff (up to 30 s).
 */
const pauseAfter = async <T extends KubeObject>(s: ReflectorState<T>, err: unknown): Promise<void> => {
  const { opts, stopper } = s
  if (!(err instanceof ApiError) && noAnswer(err)) {
    const ms = s.unreachable.next()
    opts.log.warn('watch-failed-retrying', { path: opts.path, error: err, retryInMs: ms, unreachable: true })
    return s.reach.pause(ms, stopper.signal)
  }
  if (err instanceof ApiError) reachedAgain(s)
  const asked = err instanceof ApiError && err.status === 429 ? err.retryAfterSeconds : undefined
  const ms =
    asked === undefined
      ? s.backoff.next()
      : Math.round(Math.min(RETRY_AFTER_MS.most, Math.max(RETRY_AFTER_MS.least, asked * 1_000)) * (1 + Math.random() / 4))
  opts.log.warn('watch-failed-retrying', { path: opts.path, error: err, retryInMs: ms })
  return sleep(ms, stopper.signal)
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
      else if (outcome === 'closed') answered(s)
      if (outcome === 'gone') s.resourceVersion = ''
      if (outcome === 'watchdog') opts.log.warn('watch-hung-restarting', { path: opts.path })
    } catch (err) {
      restarts.error++
      if (err instanceof ApiError && err.status === 410) s.resourceVersion = ''
      await pauseAfter(s, err)
    }
  }
}

/**
 * Whether a version we wrote is newer than what the cache knows of `key`: the cached copy, or the
 * watch's deletion of it. An object the cache lacks and never saw deleted is one we just created
 * (without it a pass before the watch's ADDED, or all passes while the watch is down, created another).
 */
const newerThanKnown = <T extends KubeObject>(s: ReflectorState<T>, key: string, rv: string | undefined): boolean => {
  const current = s.store.get(key)
  if (current !== undefined) return isNewer(rv, current.metadata?.resourceVersion)
  if (!s.deleted.has(key)) return true
  const deletedAt = s.deleted.get(key)
  return rv !== undefined && deletedAt !== undefined && isNewer(rv, deletedAt)
}

export const startReflector = <T extends KubeObject>(opts: ReflectorOptions): Reflector<T> => {
  const s: ReflectorState<T> = {
    opts,
    store: new Map<string, T>(),
    cached: cacheCopyOf<T>(opts.typeMeta?.kind),
    stopper: new AbortController(),
    restarts: { error: 0, gone: 0, watchdog: 0, closed: 0 },
    backoff: exponentialBackoff(250, 30_000),
    unreachable: unreachablePace(),
    reach: opts.reachability ?? apiReachability(),
    deleted: new Map(),
    timeoutSeconds: opts.watchTimeoutSeconds ?? 300,
    resourceVersion: '',
    synced: false,
    changes: 0,
  }
  void run(s)
  return {
    list: () => [...s.store.values()],
    entries: () => s.store.entries(),
    version: () => s.changes,
    synced: () => s.synced,
    restarts: () => ({ ...s.restarts }),
    observeWrite: (obj) => {
      const key = keyOf(obj)
      if (!newerThanKnown(s, key, obj.metadata?.resourceVersion)) return
      s.store.set(key, s.cached(obj))
      s.changes++
    },
    stop: () => s.stopper.abort(),
  }
}

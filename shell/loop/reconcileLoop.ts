// One reconcile loop for both daemons. It decides only *when* the next pass runs; what a pass reads,
// decides and writes is the caller's. Level-based (controller-runtime's contract): a kick marks the
// state dirty and says nothing else, so a lost or doubled kick does no harm.
//
// Two rules it keeps, both real bugs once:
// - Every pass starts from a timer, never straight after the last one in the same tick: a pass that
//   keeps finding work must not starve the Lease renewals and watch reads sharing the event loop.
// - At most one pass at a time; a kick during a pass makes exactly one more pass after it.
// Under churn (optional `coalesce`) an ordinary kick waits until the loop has rested some multiple of
// its last pass's length, so a pass that costs O(objects) cannot keep a core busy while a cluster is
// being filled; an urgent kick (a member lost, a link down, a BGP session up) runs batchMs later all
// the same, cutting that rest short (never a backoff or a revisit).
import { absurd } from '../../core/fp/absurd.js'
import { exponentialBackoff } from '../kube/backoff.js'
import type { Logger } from '../obs/log.js'
import { type Clock, type TimerHandle, realClock } from './clock.js'

export type PassOutcome =
  /** Nothing left: wait for a kick or the resync. */
  | { readonly _tag: 'Done' }
  /** Revisit after afterMs (e.g. an acquisition waiting for a release to land). */
  | { readonly _tag: 'Again'; readonly afterMs: number; readonly why: string }

export interface PassContext {
  /** Checked before every write; false as soon as the lease is lost (or the loop stopped), even mid-pass. */
  readonly leading: () => boolean
}

export interface ReconcileLoopOptions {
  /** 'controller' | 'speaker', for logs (`${name}-pass-failed`). */
  readonly name: string
  readonly pass: (ctx: PassContext) => Promise<PassOutcome>
  readonly log: Logger
  /** realClock by default; specs pass a fake (specs/support/fakeClock.ts). */
  readonly clock?: Clock
  /** Coalesces a burst of kicks into one pass; also the least gap between two passes. */
  readonly batchMs: number
  /** A full pass at least this often, repairing drift. */
  readonly resyncMs: number
  /** After a pass that throws: initialMs, doubling up to maxMs; reset by the next Done. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number }
  /** Absent: always leading (the speaker). */
  readonly isLeader?: () => boolean
  /**
   * Absent: an ordinary kick waits batchMs. Present: it waits until the loop has rested `factor` times
   * the last pass's length since that pass ended, at most maxMs (at least batchMs).
   */
  readonly coalesce?: { readonly factor: number; readonly maxMs: number }
  /**
   * Absent: batchMs. How soon a kick runs a pass when the loop is quiet: no pass running or due, and
   * the last one ended at least its rest plus batchMs ago. A lone change (one Service created) is then
   * not held back for a burst that is not coming; a burst's later kicks wait behind the pass it started.
   */
  readonly quietKickMs?: number
}

/** 'urgent': run batchMs from now even under coalescing (failover-relevant changes). */
type KickKind = 'ordinary' | 'urgent'

export interface ReconcileLoop {
  /** Level-based: marks dirty; a pass starts from a timer (after batchMs, or the rest coalescing asks), at most one at a time. */
  readonly kick: (kind?: 'ordinary' | 'urgent') => void
  /**
   * Kicks, then resolves after a pass that ended Done with nothing dirty, so that pass started after
   * this call and saw everything before it (tests, benches). Also resolves once the loop is stopped.
   */
  readonly idle: () => Promise<void>
  /** No new pass; resolves when the running one ends. */
  readonly stop: () => Promise<void>
}

const DEFAULT_BACKOFF = { initialMs: 500, maxMs: 30_000 } as const

/** Node fires a longer timeout at once (and warns), so longer delays are refused up front. */
const MAX_TIMER_MS = 2_147_483_647

const checkMs = (name: string, field: string, value: number, least: number): void => {
  if (!Number.isFinite(value) || value < least || value > MAX_TIMER_MS)
    throw new RangeError(`reconcile loop ${name}: ${field} must be a number of ms from ${least} to ${MAX_TIMER_MS}, got ${String(value)}`)
}

const checkOptions = (o: ReconcileLoopOptions): void => {
  checkMs(o.name, 'batchMs', o.batchMs, 0)
  checkMs(o.name, 'resyncMs', o.resyncMs, 1)
  if (o.quietKickMs !== undefined) checkMs(o.name, 'quietKickMs', o.quietKickMs, 0)
  if (o.coalesce !== undefined) {
    checkMs(o.name, 'coalesce.maxMs', o.coalesce.maxMs, 0)
    if (!(Number.isFinite(o.coalesce.factor) && o.coalesce.factor >= 0)) throw new RangeError(`reconcile loop ${o.name}: coalesce.factor must be a finite number >= 0, got ${String(o.coalesce.factor)}`)
  }
  if (o.backoff === undefined) return
  checkMs(o.name, 'backoff.initialMs', o.backoff.initialMs, 1)
  checkMs(o.name, 'backoff.maxMs', o.backoff.maxMs, o.backoff.initialMs)
}

/** A revisit is never sooner than batchMs nor later than the resync. */
const revisitMs = (opts: ReconcileLoopOptions, ms: number): number => Math.max(opts.batchMs, Number.isNaN(ms) ? 0 : Math.min(ms, opts.resyncMs))

/** How long the loop rests after a pass of `passMs` before an ordinary kick runs the next. */
export const restAfter = (opts: Pick<ReconcileLoopOptions, 'batchMs' | 'coalesce'>, passMs: number): number =>
  opts.coalesce === undefined ? opts.batchMs : Math.max(opts.batchMs, Math.min(opts.coalesce.maxMs, Math.ceil(opts.coalesce.factor * Math.max(0, passMs))))

/** The next timer: how long, and whether it is a rest an urgent kick may cut short. */
interface Next {
  readonly ms: number
  readonly rest: boolean
}

interface Armed extends Next {
  readonly handle: TimerHandle
  readonly due: number
}

/** A pending timer is kept (a kick never cuts short a backoff or a revisit), except a rest that `next`, not a rest, ends sooner. */
const replaces = (pending: Armed, next: Next, now: number): boolean => !next.rest && pending.rest && pending.due > now + next.ms

/**
 * Runs one pass; answers the next timer, or undefined when nothing is owed. `kicked` is read after
 * the pass: whether a kick came while it ran, and of which kind.
 */
const runPass = async (opts: ReconcileLoopOptions, ctx: PassContext, backoff: ReturnType<typeof exponentialBackoff>, kicked: () => KickKind | undefined, rest: () => number): Promise<Next | undefined> => {
  try {
    const outcome = await opts.pass(ctx)
    switch (outcome._tag) {
      case 'Done': {
        backoff.reset()
        const k = kicked()
        return k === undefined ? undefined : k === 'urgent' ? { ms: opts.batchMs, rest: false } : { ms: rest(), rest: true }
      }
      case 'Again':
        opts.log.debug(`${opts.name}-pass-again`, { why: outcome.why, afterMs: outcome.afterMs })
        return { ms: revisitMs(opts, outcome.afterMs), rest: false }
      default:
        return absurd(outcome)
    }
  } catch (err) {
    const retryInMs = Math.max(opts.batchMs, backoff.next())
    opts.log.error(`${opts.name}-pass-failed`, { error: err, retryInMs })
    return { ms: retryInMs, rest: false }
  }
}

/** Kicks every `ms` until the returned function is called. */
const startResync = (clock: Clock, ms: number, kick: () => void): (() => void) => {
  let handle: TimerHandle | undefined
  const arm = (): void => {
    handle = clock.setTimeout(() => {
      kick()
      arm()
    }, ms)
  }
  arm()
  return () => {
    if (handle !== undefined) clock.clearTimeout(handle)
    handle = undefined
  }
}

/** When the last pass ended and how long it ran. */
interface LastPass {
  readonly end: number
  readonly ms: number
}

/** How long an ordinary kick still waits for the rest after `last` (at least batchMs). */
const restLeftAfter = (opts: ReconcileLoopOptions, last: LastPass, now: number): number => Math.max(opts.batchMs, last.end + restAfter(opts, last.ms) - now)

/**
 * The timer a kick asks for: quietKickMs into a quiet loop, else batchMs (urgent) or the rest left
 * (ordinary). A pass running or a timer pending keeps its course: arm() leaves them be.
 */
const kickTimer = (opts: ReconcileLoopOptions, kind: KickKind, last: LastPass, now: number): Next => {
  if (opts.quietKickMs !== undefined && now - last.end >= restAfter(opts, last.ms) + opts.batchMs) return { ms: opts.quietKickMs, rest: false }
  return kind === 'urgent' ? { ms: opts.batchMs, rest: false } : { ms: restLeftAfter(opts, last, now), rest: true }
}

/**
 * Starts the loop; the first pass runs batchMs from now. Backoff has no jitter: there is one loop per
 * process and only its own failures space its retries (the reflectors' watch restarts are jittered).
 */
export const startReconcileLoop = (opts: ReconcileLoopOptions): ReconcileLoop => {
  checkOptions(opts)
  const clock = opts.clock ?? realClock
  const limits = opts.backoff ?? DEFAULT_BACKOFF
  const backoff = exponentialBackoff(limits.initialMs, limits.maxMs, () => 1)
  let dirty: KickKind | undefined = 'ordinary'
  let stopped = false
  let running: Promise<void> | undefined
  let timer: Armed | undefined
  let idleWaiters: (() => void)[] = []
  /** When the last pass ended and how long it ran: an ordinary kick rests from there. */
  let last: LastPass = { end: -Infinity, ms: 0 }
  const ctx: PassContext = { leading: () => !stopped && (opts.isLeader?.() ?? true) }
  const wakeIdle = (): void => {
    for (const w of idleWaiters.splice(0)) w()
  }
  const restLeft = (): number => restLeftAfter(opts, last, clock.now())
  const arm = (next: Next): void => {
    if (running !== undefined || stopped || (timer !== undefined && !replaces(timer, next, clock.now()))) return
    if (timer !== undefined) clock.clearTimeout(timer.handle)
    timer = { ...next, handle: clock.setTimeout(run, next.ms), due: clock.now() + next.ms }
  }
  const kick = (kind: KickKind = 'ordinary'): void => {
    if (stopped) return
    dirty = dirty === 'urgent' || kind === 'urgent' ? 'urgent' : 'ordinary'
    arm(kickTimer(opts, kind, last, clock.now()))
  }
  function run(): void {
    timer = undefined
    if (running !== undefined || stopped) return
    // Cleared before the pass, so a kick during it is not lost: it makes one more pass.
    dirty = undefined
    const started = clock.now()
    const pass = (c: PassContext): Promise<PassOutcome> => opts.pass(c).finally(() => void (last = { end: clock.now(), ms: clock.now() - started }))
    running = runPass({ ...opts, pass }, ctx, backoff, () => dirty, restLeft).then((next) => {
      running = undefined
      if (stopped) return
      if (next === undefined) wakeIdle()
      else arm(next)
    })
  }
  arm({ ms: opts.batchMs, rest: false })
  const stopResync = startResync(clock, opts.resyncMs, kick)
  return {
    kick,
    idle: () => {
      const done = new Promise<void>((resolve) => (stopped ? resolve() : idleWaiters.push(resolve)))
      kick()
      return done
    },
    stop: async () => {
      stopped = true
      if (timer !== undefined) clock.clearTimeout(timer.handle)
      timer = undefined
      stopResync()
      wakeIdle()
      await running
    },
  }
}

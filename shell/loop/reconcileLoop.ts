// One reconcile loop for both daemons. It decides only *when* the next pass runs; what a pass reads,
// decides and writes is the caller's. Level-based (controller-runtime's contract): a kick marks the
// state dirty and says nothing else, so a lost or doubled kick does no harm.
//
// Two rules it keeps, both real bugs once:
// - Every pass starts from a timer, never straight after the last one in the same tick: a pass that
//   keeps finding work must not starve the Lease renewals and watch reads sharing the event loop.
// - At most one pass at a time; a kick during a pass makes exactly one more pass after it.
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
}

export interface ReconcileLoop {
  /** Level-based: marks dirty; a pass starts from a timer after batchMs, at most one at a time. */
  readonly kick: () => void
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
  if (o.backoff === undefined) return
  checkMs(o.name, 'backoff.initialMs', o.backoff.initialMs, 1)
  checkMs(o.name, 'backoff.maxMs', o.backoff.maxMs, o.backoff.initialMs)
}

/** A revisit is never sooner than batchMs nor later than the resync. */
const revisitMs = (opts: ReconcileLoopOptions, ms: number): number => Math.max(opts.batchMs, Number.isNaN(ms) ? 0 : Math.min(ms, opts.resyncMs))

/**
 * Runs one pass; answers the delay before the next, or undefined when nothing is owed. `dirty` is
 * read after the pass: whether a kick came while it ran.
 */
const runPass = async (opts: ReconcileLoopOptions, ctx: PassContext, backoff: ReturnType<typeof exponentialBackoff>, dirty: () => boolean): Promise<number | undefined> => {
  try {
    const outcome = await opts.pass(ctx)
    switch (outcome._tag) {
      case 'Done':
        backoff.reset()
        return dirty() ? opts.batchMs : undefined
      case 'Again':
        opts.log.debug(`${opts.name}-pass-again`, { why: outcome.why, afterMs: outcome.afterMs })
        return revisitMs(opts, outcome.afterMs)
      default:
        return absurd(outcome)
    }
  } catch (err) {
    const retryInMs = Math.max(opts.batchMs, backoff.next())
    opts.log.error(`${opts.name}-pass-failed`, { error: err, retryInMs })
    return retryInMs
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

/**
 * Starts the loop; the first pass runs batchMs from now. Backoff has no jitter: there is one loop per
 * process and only its own failures space its retries (the reflectors' watch restarts are jittered).
 */
export const startReconcileLoop = (opts: ReconcileLoopOptions): ReconcileLoop => {
  checkOptions(opts)
  const clock = opts.clock ?? realClock
  const limits = opts.backoff ?? DEFAULT_BACKOFF
  const backoff = exponentialBackoff(limits.initialMs, limits.maxMs, () => 1)
  let dirty = true
  let stopped = false
  let running: Promise<void> | undefined
  let timer: TimerHandle | undefined
  let idleWaiters: (() => void)[] = []
  const ctx: PassContext = { leading: () => !stopped && (opts.isLeader?.() ?? true) }
  const wakeIdle = (): void => {
    for (const w of idleWaiters.splice(0)) w()
  }
  /** A pending timer is kept as it is: a kick never cuts short a backoff or a revisit. */
  const arm = (ms: number): void => {
    if (timer === undefined && running === undefined && !stopped) timer = clock.setTimeout(run, ms)
  }
  const kick = (): void => {
    if (stopped) return
    dirty = true
    arm(opts.batchMs)
  }
  function run(): void {
    timer = undefined
    if (running !== undefined || stopped) return
    // Cleared before the pass, so a kick during it is not lost: it makes one more pass.
    dirty = false
    running = runPass(opts, ctx, backoff, () => dirty).then((next) => {
      running = undefined
      if (stopped) return
      if (next === undefined) wakeIdle()
      else arm(next)
    })
  }
  arm(opts.batchMs)
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
      if (timer !== undefined) clock.clearTimeout(timer)
      timer = undefined
      stopResync()
      wakeIdle()
      await running
    },
  }
}

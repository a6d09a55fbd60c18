// A Clock (shell/loop/clock.ts) whose time moves only when a spec says so. advance(ms) runs the timers
// that fall due, earliest first (same due time: the order they were set), including timers set by
// those timers, and lets the promise jobs each one starts settle before the next fires, so an async
// pass started by a timer has run as far as it can by the time advance returns.
import type { Clock, TimerHandle } from '../../shell/loop/clock.js'

export interface FakeClock extends Clock {
  /** Moves time forward by ms, running every timer that falls due on the way. */
  readonly advance: (ms: number) => Promise<void>
  /** Lets pending promise jobs settle without moving time. */
  readonly settle: () => Promise<void>
  /** Timers set and not yet fired or cleared. */
  readonly pending: () => number
  /** How long until the earliest timer falls due; undefined when none is set. */
  readonly nextDue: () => number | undefined
  /** Delays of the timers set so far, in the order they were set (how long each was asked to wait). */
  readonly delays: () => readonly number[]
}

interface Timer {
  readonly id: number
  readonly due: number
  readonly fn: () => void
}

/** setImmediate runs after every promise job queued so far, and after those they queue in turn. */
const settleJobs = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

/** A bound on timers per advance: a loop that spins fails the spec instead of hanging it. */
const MAX_TIMERS_PER_ADVANCE = 100_000

export const fakeClock = (start = 1_000_000): FakeClock => {
  let now = start
  let nextId = 1
  const timers = new Map<number, Timer>()
  const delays: number[] = []

  const earliest = (until: number): Timer | undefined => {
    let best: Timer | undefined
    for (const t of timers.values()) if (t.due <= until && (best === undefined || t.due < best.due || (t.due === best.due && t.id < best.id))) best = t
    return best
  }

  const advanceTo = async (until: number): Promise<void> => {
    await settleJobs()
    for (let fired = 0; ; fired++) {
      if (fired >= MAX_TIMERS_PER_ADVANCE) throw new Error(`fakeClock: more than ${MAX_TIMERS_PER_ADVANCE} timers fired in one advance (a timer loop that never ends?)`)
      const t = earliest(until)
      if (t === undefined) break
      timers.delete(t.id)
      now = t.due
      t.fn()
      await settleJobs()
    }
    now = until
  }

  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = nextId++
      const delay = Number.isFinite(ms) && ms > 0 ? ms : 0
      delays.push(delay)
      timers.set(id, { id, due: now + delay, fn })
      return id as unknown as TimerHandle
    },
    clearTimeout: (h) => void timers.delete(h as unknown as number),
    advance: async (ms) => {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`fakeClock.advance: ms must be a finite number >= 0, got ${String(ms)}`)
      await advanceTo(now + ms)
    },
    settle: settleJobs,
    pending: () => timers.size,
    nextDue: () => {
      const t = earliest(Number.POSITIVE_INFINITY)
      return t === undefined ? undefined : Math.max(0, t.due - now)
    },
    delays: () => [...delays],
  }
}

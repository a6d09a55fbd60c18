// This thread's event-loop delay as the core's local-health input: how late the detector's own
// timer fired (deadlineTimer.ts), the worst over the last complete window and the current one. It
// used to be perf_hooks.monitorEventLoopDelay at a 10 ms resolution, whose sampling timer woke the
// idle thread 100 times a second just to measure; the detector's deadlines are samples enough (one
// at least every probe period).

interface LoopDelay {
  /** A wake-up `ms` late (negative: early, counted as 0). */
  readonly record: (ms: number, now: number) => void
  /** Worst lateness in the last complete window and the running one (ms). */
  readonly current: (now: number) => number
}

export const loopDelay = (windowMs = 1_000): LoopDelay => {
  let start = -Infinity
  let worst = 0
  let previous = 0
  const roll = (now: number): void => {
    if (now - start < windowMs) return
    // A window with no wake-up at all (a stall longer than the window) counts as 0 before the
    // wake-up that ends it: that one carries the whole lateness.
    previous = now - start < 2 * windowMs ? worst : 0
    worst = 0
    start = now
  }
  return {
    record: (ms, now) => {
      roll(now)
      worst = Math.max(worst, ms)
    },
    current: (now) => {
      roll(now)
      return Math.max(previous, worst)
    },
  }
}

// The detector's one timer: armed for the core's next deadline (core/membership/due.ts) and moved
// after every event, so an idle detector wakes a few times per probe period instead of every 10 ms
// (each wake-up costs CPU; measured in README, "Side by side with MetalLB"). A wake-up reads the
// socket before it ticks: setImmediate runs after libuv's poll phase, so Acks that arrived while
// this thread was starved or paused are seen before a deadline judges them missing. How late each
// wake-up came is this thread's event-loop delay (loopDelay.ts).
import { performance } from 'node:perf_hooks'
import { loopDelay } from './loopDelay.js'

interface DeadlineTimer {
  /** (Re)arms for `at` (performance.now() ms); Infinity disarms. */
  readonly arm: (at: number) => void
  /** Worst lateness of a wake-up over the last second or so (ms). */
  readonly delayMs: () => number
  readonly stop: () => void
}

export const deadlineTimer = (onDue: () => void): DeadlineTimer => {
  let timer: NodeJS.Timeout | undefined
  let armedFor = Infinity
  // When the wake-up should come: the deadline, or now if it already passed (a deadline long past
  // is not lateness of this thread).
  let expected = Infinity
  let stopped = false
  const delay = loopDelay()
  const due = (): void => {
    if (!stopped) onDue()
  }
  const fire = (): void => {
    const now = performance.now()
    delay.record(now - expected, now)
    timer = undefined
    armedFor = Infinity
    setImmediate(due)
  }
  const disarm = (): void => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    armedFor = Infinity
  }
  return {
    arm: (at) => {
      if (stopped || at === armedFor) return
      disarm()
      if (at === Infinity) return
      const now = performance.now()
      armedFor = at
      expected = Math.max(at, now)
      timer = setTimeout(fire, Math.ceil(expected - now))
    },
    delayMs: () => delay.current(performance.now()),
    stop: () => {
      stopped = true
      disarm()
    },
  }
}

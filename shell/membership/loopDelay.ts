// This thread's event-loop delay (perf_hooks.monitorEventLoopDelay), as the core's local-health
// input: the worst lateness of the sampling timer over the last window, in ms. The histogram
// records whole sampling intervals, so the resolution is taken off.
import { monitorEventLoopDelay } from 'node:perf_hooks'

interface LoopDelay {
  /** Worst delay seen in the last complete window (ms). */
  readonly current: () => number
  readonly stop: () => void
}

export const watchLoopDelay = (windowMs = 1_000, resolutionMs = 10): LoopDelay => {
  const h = monitorEventLoopDelay({ resolution: resolutionMs })
  h.enable()
  let last = 0
  const timer = setInterval(() => {
    last = h.count > 0 ? Math.max(0, h.max / 1e6 - resolutionMs) : 0
    h.reset()
  }, windowMs)
  timer.unref()
  return {
    current: () => last,
    stop: () => {
      clearInterval(timer)
      h.disable()
    },
  }
}

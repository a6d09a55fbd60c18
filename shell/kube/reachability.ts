// What one daemon's reflectors share about the API server while it cannot be reached (connection
// refused, reset, no answer): each waits a short, bounded while before trying again, and the first
// to get any HTTP answer ends every wait, so once the server is back the caches refill together
// instead of each at its own backoff. A speaker restarted during an outage joins the failure
// detector only when all its caches are filled: one late cache was 25 s of its settle time (README).
import { exponentialBackoff, sleep } from './backoff.js'

export interface ApiReachability {
  /** Sleeps `ms`, or less: until another reflector of this daemon got an answer, or `signal` aborts. */
  readonly pause: (ms: number, signal: AbortSignal) => Promise<void>
  /** An HTTP answer came (any status): the server listens, every pause ends now. */
  readonly answered: () => void
}

/**
 * Per reflector: 11 in a speaker, so about 3 connection attempts a second per speaker while the
 * server is away (client-go's 30 s cap makes about 0.4), and the first attempt after it listens again
 * comes within a second or so, as one of the 11 is always close to its turn.
 */
const UNREACHABLE_MAX_MS = 5_000

/** One reflector's waits after failures with no HTTP answer: 250 ms doubling, at most UNREACHABLE_MAX_MS. */
export const unreachablePace = (): ReturnType<typeof exponentialBackoff> => exponentialBackoff(250, UNREACHABLE_MAX_MS)

export const apiReachability = (): ApiReachability => {
  const waiting = new Set<AbortController>()
  return {
    pause: async (ms, signal) => {
      const woken = new AbortController()
      const onStop = (): void => woken.abort()
      signal.addEventListener('abort', onStop, { once: true })
      waiting.add(woken)
      try {
        await sleep(ms, woken.signal)
      } finally {
        waiting.delete(woken)
        signal.removeEventListener('abort', onStop)
      }
    },
    answered: () => {
      for (const w of waiting) w.abort()
      waiting.clear()
    },
  }
}

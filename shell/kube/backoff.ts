// Exponential backoff with full jitter for retrying API calls and restarting watches.
interface Backoff {
  /** The next delay in ms; grows until reset. */
  readonly next: () => number
  readonly reset: () => void
}

export const exponentialBackoff = (initialMs: number, maxMs: number, random: () => number = Math.random): Backoff => {
  let attempt = 0
  return {
    next: () => {
      const ceiling = Math.min(maxMs, initialMs * 2 ** attempt)
      attempt = Math.min(attempt + 1, 30)
      return Math.round(ceiling / 2 + (random() * ceiling) / 2)
    },
    reset: () => {
      attempt = 0
    },
  }
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted === true) return resolve()
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })

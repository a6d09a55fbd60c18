// Time as a capability: the loop reads the time and sets timers only through a Clock, so specs can
// pass a fake one (specs/support/fakeClock.ts) and turn time by hand instead of waiting.
declare const timerBrand: unique symbol
/** Whatever a Clock's setTimeout returns; only that Clock's clearTimeout understands it. */
export type TimerHandle = { readonly [timerBrand]: true }

export interface Clock {
  /** Milliseconds since the epoch. */
  readonly now: () => number
  readonly setTimeout: (fn: () => void, ms: number) => TimerHandle
  readonly clearTimeout: (h: TimerHandle) => void
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms) as unknown as TimerHandle,
  clearTimeout: (h) => clearTimeout(h as unknown as NodeJS.Timeout),
}

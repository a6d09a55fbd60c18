// Pure judges of a BGP failover in the lab, from two records: the router's FIB next hops for a prefix,
// polled back to back (bgpView.ts watchFib), and the client's requests (demo.ts startProbe). With ECMP
// there is no single owner to move away from: each request is a new connection, hashed to one of the
// nodes, so after a node fails only the requests hashed to it fail, until the router drops its next hop.
import type { Sample } from './demo.js'

/** One poll of the router's FIB: when it answered (ms since the epoch) and the next hops it held. */
export interface NexthopPoll {
  readonly t: number
  readonly hops: readonly string[]
}

export interface Withdrawal {
  /** From the fault to the first poll that no longer held the next hop. */
  readonly ms: number
  /** Time between that poll and the one before it: the measurement's resolution. */
  readonly resolutionMs: number
  /** The next hops the router held then. */
  readonly left: readonly string[]
}

/**
 * When the router dropped the failed node's next hops after `tFault`: the first poll holding none of
 * `hops` (a node's addresses: FRR may install its IPv6 link-local one); undefined when none did.
 */
export const withdrawal = (polls: readonly NexthopPoll[], hops: readonly string[], tFault: number): Withdrawal | undefined => {
  const sorted = [...polls].sort((a, b) => a.t - b.t)
  const i = sorted.findIndex((p) => p.t >= tFault && !p.hops.some((h) => hops.includes(h)))
  const at = sorted[i]
  if (at === undefined) return undefined
  const before = sorted[i - 1]
  return { ms: at.t - tFault, resolutionMs: before === undefined ? NaN : at.t - Math.max(before.t, tFault), left: at.hops }
}

/** The polls in [from, to] where the router did not hold `hop` (a graceful restart must leave none). */
export const dropsOf = (polls: readonly NexthopPoll[], hop: string, from: number, to: number): NexthopPoll[] =>
  polls.filter((p) => p.t >= from && p.t <= to && !p.hops.includes(hop))

export interface FailWindow {
  /** From the fault to the send time of the last request that got no answer (0 when none failed). */
  readonly ms: number
  /** Requests sent in [tFault - inFlightMs, until] that got no answer. */
  readonly failed: number
  readonly sent: number
}

/**
 * How long after the fault the client's requests to `ip` still failed. Requests already in flight at the
 * fault count (sent up to `inFlightMs` before it: the probe's timeout), and their window is 0.
 */
export const failWindow = (samples: readonly Sample[], ip: string, tFault: number, until: number, inFlightMs: number): FailWindow => {
  const mine = samples.filter((s) => s.ip === ip && s.t >= tFault - inFlightMs && s.t <= until)
  const failed = mine.filter((s) => s.who === undefined)
  const last = Math.max(tFault, ...failed.map((s) => s.t))
  return { ms: last - tFault, failed: failed.length, sent: mine.length }
}

/** The nodes that answered requests to `ip` sent in [from, to], with how many each. */
export const answeredBy = (samples: readonly Sample[], ip: string, from: number, to: number): Map<string, number> => {
  const out = new Map<string, number>()
  for (const s of samples) if (s.ip === ip && s.t >= from && s.t <= to && s.who !== undefined) out.set(s.who, (out.get(s.who) ?? 0) + 1)
  return new Map([...out].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
}

// Pure judges of a BGP failover in the lab, from two records: the router's FIB next hops for a prefix,
// as the kernel's route events tell them (bgpView.ts watchFib, `ip monitor route`), and the client's
// requests (demo.ts startProbe). With ECMP
// there is no single owner to move away from: each request is a new connection, hashed to one of the
// nodes, so after a node fails only the requests hashed to it fail, until the router drops its next hop.
import type { Sample } from './demo.js'

/** The router's FIB for one prefix from time `t` (ms since the epoch) on: the next hops it held. */
export interface FibState {
  readonly t: number
  readonly hops: readonly string[]
}

/** One line of `ip -o monitor route` about exactly `addr`'s host route: deleted, or its next hops now. */
export const routeEventOf = (line: string, addr: string): { readonly deleted: boolean; readonly hops: string[] } | undefined => {
  const m = /^(Deleted )?(\S+) (.*)$/.exec(line.trim())
  const dst = m?.[2]
  if (m === null || dst === undefined || (dst !== addr && dst !== `${addr}/${addr.includes(':') ? 128 : 32}`)) return undefined
  return { deleted: m[1] !== undefined, hops: [...(m[3] ?? '').matchAll(/\bvia (?:inet6 |inet )?([0-9a-fA-F:.]+)/g)].map((x) => x[1] ?? '').sort() }
}

export interface Withdrawal {
  /** From the fault to the first state without the node's next hops. */
  readonly ms: number
  /** The next hops the router held then. */
  readonly left: readonly string[]
}

/**
 * When the router dropped the failed node's next hops after `tFault`: the first state holding none of
 * `hops` (a node's addresses: FRR may install its IPv6 link-local one); undefined when none did.
 */
export const withdrawal = (states: readonly FibState[], hops: readonly string[], tFault: number): Withdrawal | undefined => {
  const at = [...states].sort((a, b) => a.t - b.t).find((p) => p.t >= tFault && !p.hops.some((h) => hops.includes(h)))
  return at === undefined ? undefined : { ms: at.t - tFault, left: at.hops }
}

/** The states in [from, to] in which the router did not hold `hop` (a graceful restart must leave none). */
export const dropsOf = (states: readonly FibState[], hop: string, from: number, to: number): FibState[] =>
  states.filter((p) => p.t >= from && p.t <= to && !p.hops.includes(hop))

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

// Why this node does not announce each Service IP it does not announce, and what changed since the
// last pass: the shell logs a line only when an IP's reason changes (never every pass) and keeps a
// gauge of IPs per reason, whose labels are this bounded list, never an IP or a Service.
import type { NodeEntry, NodeSkipReason } from '../l2/decision.js'
import type { ServiceKey } from '../model/names.js'
import { formatIP } from '../net/address.js'

// A Record, so a reason added to core/l2/decision.ts and not listed here fails to compile.
const LISTED: Record<NodeSkipReason, true> = {
  NotLoadBalancer: true,
  OtherLoadBalancerClass: true,
  NoIP: true,
  IPNotInPool: true,
  NoMatchingAdvertisement: true,
  NoEndpoints: true,
  NoEligibleNode: true,
  UnknownNode: true,
  NodeNotSelected: true,
  SpeakerDown: true,
  NetworkUnavailable: true,
  ExcludedNode: true,
  NoLocalEndpoints: true,
  NotOwner: true,
}
export const NOT_ANNOUNCED_REASONS = Object.keys(LISTED) as readonly NodeSkipReason[]

export interface NotAnnounced {
  readonly service: ServiceKey
  /** Undefined for a LoadBalancer Service that has no IP yet. */
  readonly ip: string | undefined
  readonly reason: NodeSkipReason
}

/** Keyed by "service ip" (or "service" alone while it has no IP). */
export type NotAnnouncedMap = ReadonlyMap<string, NotAnnounced>

/**
 * Every skipped entry that holds an IP, and every LoadBalancer Service of ours still waiting for
 * one (NoIP). A Service that has no IP and is not ours (not a LoadBalancer, another class) has
 * nothing to announce, so it is no IP "not announced"; keeping it out spares a log line for every
 * ClusterIP Service in the cluster.
 */
export const notAnnouncedOf = (entries: readonly NodeEntry[]): NotAnnouncedMap => {
  const out = new Map<string, NotAnnounced>()
  for (const e of entries) {
    if (e.decision._tag !== 'Skip') continue
    if (e.ip === undefined && e.decision.reason !== 'NoIP') continue
    const ip = e.ip === undefined ? undefined : formatIP(e.ip)
    out.set(ip === undefined ? e.service : `${e.service} ${ip}`, { service: e.service, ip, reason: e.decision.reason })
  }
  return out
}

/** The IPs whose reason is new or different since `prior`, in `next`'s order (Layer 2 and BGP alike). */
export const changedReasons = <N extends { readonly reason: string }>(prior: ReadonlyMap<string, N>, next: ReadonlyMap<string, N>): readonly N[] =>
  [...next].filter(([key, n]) => prior.get(key)?.reason !== n.reason).map(([, n]) => n)

/** How many IPs each reason holds; every reason is present, 0 when none. */
export const countReasons = (map: NotAnnouncedMap): ReadonlyMap<NodeSkipReason, number> => {
  const out = new Map<NodeSkipReason, number>(NOT_ANNOUNCED_REASONS.map((r) => [r, 0]))
  for (const n of map.values()) out.set(n.reason, (out.get(n.reason) ?? 0) + 1)
  return out
}

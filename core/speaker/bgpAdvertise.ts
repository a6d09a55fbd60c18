// The speaker's BGP part of a pass: what core/bgp/advertise.ts decides for this node, with the
// reasons kept between passes like Layer 2's (core/speaker/notAnnounced.ts): one log line when the
// reason of a (Service IP, peer) changes, and a gauge of pairs per reason whose labels are this
// bounded list, never an IP, a Service or a peer. The routes go to the sessions (bgpPass.ts adds
// which sessions run; shell/speaker/bgpApplier.ts carries both out).
import type { BgpNodePlan, BgpNotAdvertised } from '../bgp/advertise.js'
import type { BgpSkipReason } from '../bgp/advertiseReason.js'
import type { ServiceKey } from '../model/names.js'
import { formatIP } from '../net/address.js'
import { changedReasons } from './notAnnounced.js'

// A Record, so a reason added to core/bgp/advertiseReason.ts and not listed here fails to compile.
const LISTED: Record<BgpSkipReason, true> = {
  NotLoadBalancer: true,
  OtherLoadBalancerClass: true,
  NoIP: true,
  IPNotInPool: true,
  NoMatchingAdvertisement: true,
  NoEndpoints: true,
  UnknownNode: true,
  PeerNotOnNode: true,
  NodeNotSelected: true,
  NetworkUnavailable: true,
  ExcludedNode: true,
  NoLocalEndpoints: true,
  ConflictingAdvertisements: true,
  PeerNotSelected: true,
  FamilyNotCarried: true,
}
export const BGP_NOT_ADVERTISED_REASONS = Object.keys(LISTED) as readonly BgpSkipReason[]

interface NotAdvertised {
  readonly service: ServiceKey
  /** Undefined for a LoadBalancer Service that has no IP yet. */
  readonly ip: string | undefined
  readonly peer: string
  readonly reason: BgpSkipReason
}

/** Keyed by "service ip peer" (or "service peer" while it has no IP). */
export type NotAdvertisedMap = ReadonlyMap<string, NotAdvertised>

/** As for Layer 2: pairs holding an IP, and our LoadBalancer Services waiting for one (NoIP). */
const notAdvertisedOf = (skipped: readonly BgpNotAdvertised[]): NotAdvertisedMap => {
  const out = new Map<string, NotAdvertised>()
  for (const s of skipped) {
    if (s.ip === undefined && s.reason !== 'NoIP') continue
    const ip = s.ip === undefined ? undefined : formatIP(s.ip)
    out.set(ip === undefined ? `${s.service} ${s.peer}` : `${s.service} ${ip} ${s.peer}`, { service: s.service, ip, peer: s.peer, reason: s.reason })
  }
  return out
}

/** Pairs per reason; every reason present, 0 when none. */
const countBgpReasons = (map: NotAdvertisedMap): ReadonlyMap<BgpSkipReason, number> => {
  const out = new Map<BgpSkipReason, number>(BGP_NOT_ADVERTISED_REASONS.map((r) => [r, 0]))
  for (const n of map.values()) out.set(n.reason, (out.get(n.reason) ?? 0) + 1)
  return out
}

export interface BgpPlan {
  /** Every peer with a session on this node and the routes it should hold, merged by prefix. */
  readonly routes: BgpNodePlan['peers']
  /** Each route per Service IP and peer, for status and `ironlb simulate`. */
  readonly advertised: BgpNodePlan['advertised']
  /** Pairs whose reason is new or changed since the last pass: one log line each. */
  readonly changed: readonly NotAdvertised[]
  /** Pairs per reason (the gauge). */
  readonly counts: ReadonlyMap<BgpSkipReason, number>
}

/** The BGP part of the plan and the reasons to remember for the next pass. */
export const bgpPart = (plan: BgpNodePlan, prior: NotAdvertisedMap): { readonly bgp: BgpPlan; readonly reasons: NotAdvertisedMap } => {
  const reasons = notAdvertisedOf(plan.skipped)
  return { bgp: { routes: plan.peers, advertised: plan.advertised, changed: changedReasons(prior, reasons), counts: countBgpReasons(reasons) }, reasons }
}

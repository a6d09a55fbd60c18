// The routes one Service IP becomes towards one peer, and a peer's routes merged by prefix. As
// MetalLB's speaker (SetBalancer) and its FRR configuration: each applicable BGPAdvertisement turns
// the IP into the IP masked to its aggregationLength (IPv4) or aggregationLengthV6 (IPv6); the
// communities of every advertisement giving the same prefix to the peer are unioned (standard,
// large and aliases alike, already resolved by core/config); LOCAL_PREF goes to iBGP peers only and
// only when not 0; asPathPrepend repeats the AS this peer sees us as.
//
// The config checks (bgpChecks.ts) and the per-Service conflict rule (advertise.ts) keep one
// prefix's localPref and prepend single-valued within a Service. Services sharing an IP (or an
// aggregated prefix) through different advertisements could still differ; the highest value wins
// then, so the answer never depends on input order.
import type { BGPAdvertisement } from '../model/advertisement.js'
import type { BGPPeer } from '../model/bgpPeer.js'
import type { BGPCommunity } from '../model/community.js'
import { type IP, familyBits } from '../net/address.js'
import { type Prefix, formatPrefix, mkPrefix } from '../net/prefix.js'
import { isInternal, ownAsnFor } from './peerFacts.js'
import { type Route, mkRoute } from './route.js'

/**
 * The IP masked to the advertisement's length for its family. core/config admits only lengths
 * within the family's bits; were one outside, the IP alone is announced rather than a crash.
 */
const prefixFor = (ad: BGPAdvertisement, ip: IP): Prefix => {
  const length = ip.family === 4 ? ad.aggregationLength : ad.aggregationLengthV6
  const p = mkPrefix(ip, length)
  return p._tag === 'Right' ? p.right : hostPrefix(ip)
}

const hostPrefix = (ip: IP): Prefix => ({ network: ip, length: familyBits(ip.family) }) as Prefix

interface Draft {
  readonly prefix: Prefix
  readonly communities: BGPCommunity[]
  localPref: number
  prepend: number
}

const addTo = (drafts: Map<string, Draft>, prefix: Prefix, communities: readonly BGPCommunity[], localPref: number, prepend: number): void => {
  const key = formatPrefix(prefix)
  const d = drafts.get(key)
  if (d === undefined) {
    drafts.set(key, { prefix, communities: [...communities], localPref, prepend })
    return
  }
  d.communities.push(...communities)
  d.localPref = Math.max(d.localPref, localPref)
  d.prepend = Math.max(d.prepend, prepend)
}

const routeOf = (d: Draft, peer: BGPPeer): Route =>
  mkRoute({
    prefix: d.prefix,
    communities: d.communities,
    ...(isInternal(peer) && d.localPref !== 0 ? { localPref: d.localPref } : {}),
    ...(d.prepend === 0 ? {} : { prepend: { count: d.prepend, asn: ownAsnFor(peer) } }),
  })

const finish = (drafts: ReadonlyMap<string, Draft>, peer: BGPPeer): Route[] => [...drafts.values()].map((d) => routeOf(d, peer)).sort(compareRoute)

/** Network first (IPv4 before IPv6), then the longer prefix first. */
const compareRoute = (a: Route, b: Route): number =>
  a.prefix.network.family - b.prefix.network.family ||
  (a.prefix.network.value < b.prefix.network.value ? -1 : a.prefix.network.value > b.prefix.network.value ? 1 : 0) ||
  b.prefix.length - a.prefix.length

/** One route per distinct prefix the advertisements `ads` (all applying to this IP and peer) give. */
export const routesFor = (ip: IP, ads: readonly BGPAdvertisement[], peer: BGPPeer): Route[] => {
  // One advertisement (the usual case) gives one prefix: no merging to do.
  const only = ads.length === 1 ? ads[0] : undefined
  if (only !== undefined) return [routeOf({ prefix: prefixFor(only, ip), communities: [...only.communities], localPref: only.localPref, prepend: only.asPathPrepend }, peer)]
  const drafts = new Map<string, Draft>()
  for (const ad of ads) addTo(drafts, prefixFor(ad, ip), ad.communities, ad.localPref, ad.asPathPrepend)
  return finish(drafts, peer)
}

const samePrefix = (a: Route, b: Route): boolean => a.prefix.network.family === b.prefix.network.family && a.prefix.network.value === b.prefix.network.value && a.prefix.length === b.prefix.length

/**
 * A peer's routes from every Service IP, one per prefix, attributes unioned across them. Sorted
 * first, so routes of one prefix sit together: a prefix only one route gives (the usual case, one
 * per Service IP) keeps that route as it is, which routesFor made for this same peer; only
 * prefixes given more than once are merged. No text key per route: this runs for every prefix on
 * every pass.
 */
export const mergeRoutes = (routes: readonly Route[], peer: BGPPeer): Route[] => {
  const sorted = [...routes].sort(compareRoute)
  const out: Route[] = []
  for (let i = 0; i < sorted.length; ) {
    const first = sorted[i] as Route
    let end = i + 1
    while (end < sorted.length && samePrefix(first, sorted[end] as Route)) end++
    if (end === i + 1) out.push(first)
    else {
      const drafts = new Map<string, Draft>()
      for (const r of sorted.slice(i, end)) addTo(drafts, r.prefix, [...r.communities, ...r.largeCommunities], r.localPref ?? 0, r.prepend?.count ?? 0)
      out.push(...finish(drafts, peer))
    }
    i = end
  }
  return out
}

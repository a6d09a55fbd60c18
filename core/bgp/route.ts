// One route the speaker advertises to one peer: the prefix and the path attributes IronLB sets per
// route (from the BGPAdvertisements that match it). What the session adds itself (ORIGIN, the AS
// path's own AS, NEXT_HOP, MP_REACH) is not here: it depends on the session, not on the route.
import type { Asn } from '../model/bgpPeer.js'
import type { BGPCommunity } from '../model/community.js'
import { communityEquals, compareCommunity } from '../model/community.js'
import type { Prefix } from '../net/prefix.js'

export type StandardCommunity = Extract<BGPCommunity, { readonly _tag: 'Standard' }>
export type LargeCommunity = Extract<BGPCommunity, { readonly _tag: 'Large' }>

/** `asPathPrepend`: `asn` written `count` more times after the speaker's own AS. */
export interface AsPathPrepend {
  readonly count: number
  readonly asn: Asn
}

export interface Route {
  /** IPv4 or IPv6; host bits already masked (the Prefix brand guarantees it). */
  readonly prefix: Prefix
  /** RFC 1997, sorted and without repeats (mkRoute sees to it). */
  readonly communities: readonly StandardCommunity[]
  /** RFC 8092, sorted and without repeats. */
  readonly largeCommunities: readonly LargeCommunity[]
  /** Sent to iBGP peers only (RFC 4271 §5.1.5); the session drops it towards eBGP peers. */
  readonly localPref?: number
  readonly prepend?: AsPathPrepend
}

const sortedUnique = <C extends BGPCommunity>(cs: readonly C[]): C[] =>
  [...cs].sort(compareCommunity).filter((c, i, all) => i === 0 || !communityEquals(c, all[i - 1] ?? c))

/** A route with its communities split by kind, sorted and deduplicated, so equal routes compare equal. */
export const mkRoute = (r: {
  readonly prefix: Prefix
  readonly communities: readonly BGPCommunity[]
  readonly localPref?: number
  readonly prepend?: AsPathPrepend
}): Route => ({
  prefix: r.prefix,
  communities: sortedUnique(r.communities.filter((c): c is StandardCommunity => c._tag === 'Standard')),
  largeCommunities: sortedUnique(r.communities.filter((c): c is LargeCommunity => c._tag === 'Large')),
  ...(r.localPref === undefined ? {} : { localPref: r.localPref }),
  ...(r.prepend === undefined || r.prepend.count === 0 ? {} : { prepend: r.prepend }),
})

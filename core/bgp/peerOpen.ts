// What a peer's OPEN settles for a session: whether its AS is acceptable (a fixed peerASN, or
// dynamicASN's internal / external rule), whether its BGP Identifier may be used, and what both
// sides then agree on: hold time, keepalive interval, four-octet AS, the families carried and
// whether it will keep our routes while we restart (RFC 4724).
import * as E from 'fp-ts/lib/Either.js'
import type { PeerAsn } from '../model/bgpPeer.js'
import type { Family, IP } from '../net/address.js'
import type { OutFacts } from './adjRibOut.js'
import { ErrorCode, type Notification, OpenError, notification } from './notification.js'
import { AFI, type Capability, type Open, SAFI_UNICAST } from './open.js'

export interface NextHops {
  readonly v4?: IP
  readonly v6?: IP
}

/** What both OPENs agreed. */
export interface Agreed {
  readonly peerAsn: number
  readonly peerRouterId: number
  readonly holdSeconds: number
  /** 0 when the hold time is 0 (no keepalives). */
  readonly keepaliveSeconds: number
  readonly routeRefresh: boolean
  /** The peer sent the graceful restart capability: it keeps our routes for a while when we go. */
  readonly peerGracefulRestart: boolean
  readonly out: OutFacts
}

interface OpenPolicy {
  readonly localAsn: number
  readonly peerAsn: PeerAsn
  readonly routerId: number
  readonly holdTimeSeconds: number
  readonly keepaliveSeconds?: number
  readonly families: readonly Family[]
  /** Offer IPv4 routes with an IPv6 next hop (RFC 8950): unnumbered peers, where we have no IPv4 address. */
  readonly extendedNextHop?: boolean
}

/** The one extended next hop IronLB speaks: IPv4 unicast NLRI, IPv6 next hop. */
const IPV4_OVER_IPV6 = { afi: AFI.IPv4, safi: SAFI_UNICAST, nextHopAfi: AFI.IPv6 } as const

const offersIpv4OverIpv6 = (caps: readonly Capability[]): boolean =>
  caps.some((c) => c._tag === 'ExtendedNextHop' && c.families.some((f) => f.afi === IPV4_OVER_IPV6.afi && f.safi === IPV4_OVER_IPV6.safi && f.nextHopAfi === IPV4_OVER_IPV6.nextHopAfi))

const afiOf = (f: Family): number => (f === 4 ? AFI.IPv4 : AFI.IPv6)

/** The capabilities we offer for a policy (and graceful restart when configured). */
export const offeredCapabilities = (p: OpenPolicy, gracefulRestart: { readonly restartSeconds: number; readonly restarted: boolean } | undefined): Capability[] => [
  ...p.families.map((f): Capability => ({ _tag: 'Multiprotocol', afi: afiOf(f), safi: SAFI_UNICAST })),
  { _tag: 'RouteRefresh' },
  ...(p.extendedNextHop === true && p.families.includes(4) ? [{ _tag: 'ExtendedNextHop', families: [IPV4_OVER_IPV6] } satisfies Capability] : []),
  ...(gracefulRestart === undefined
    ? []
    : [
        {
          _tag: 'GracefulRestart',
          restarted: gracefulRestart.restarted,
          restartSeconds: gracefulRestart.restartSeconds,
          // Forwarding is kube-proxy's and survives our restart: the F bit tells the router to keep using our routes.
          families: p.families.map((f) => ({ afi: afiOf(f), safi: SAFI_UNICAST, forwardingKept: gracefulRestart.restarted })),
        } satisfies Capability,
      ]),
  { _tag: 'FourOctetAs', asn: p.localAsn },
]

const badPeerAs = (asn: number): Notification => notification(ErrorCode.Open, OpenError.BadPeerAs, asn > 0xffff ? Uint8Array.of(0x5b, 0xa0) : Uint8Array.of((asn >>> 8) & 0xff, asn & 0xff))

/** RFC 4271 §6.2 Bad Peer AS, with MetalLB's dynamicASN rule: internal means our AS, external any other. */
const asAccepted = (p: OpenPolicy, asn: number): boolean => {
  switch (p.peerAsn._tag) {
    case 'Fixed':
      return p.peerAsn.asn === asn
    case 'Dynamic':
      return p.peerAsn.mode === 'internal' ? asn === p.localAsn : asn !== p.localAsn
  }
}

/** RFC 4760 §8: a peer that sends no multiprotocol capability speaks IPv4 unicast only. */
const peerFamilies = (caps: readonly Capability[]): Family[] => {
  const mp = caps.filter((c): c is Extract<Capability, { _tag: 'Multiprotocol' }> => c._tag === 'Multiprotocol' && c.safi === SAFI_UNICAST)
  if (!caps.some((c) => c._tag === 'Multiprotocol')) return [4]
  return [...(mp.some((c) => c.afi === AFI.IPv4) ? [4 as const] : []), ...(mp.some((c) => c.afi === AFI.IPv6) ? [6 as const] : [])]
}

/** Checks the peer's OPEN against the policy: the agreement, or the NOTIFICATION to refuse it with. */
export const agree = (p: OpenPolicy, o: Open, nextHops: NextHops): E.Either<Notification, Agreed> => {
  if (!asAccepted(p, o.asn)) return E.left(badPeerAs(o.asn))
  const ibgp = o.asn === p.localAsn
  // RFC 6286 §2.2: identical identifiers are an error only inside one AS.
  if (ibgp && o.routerId === p.routerId) return E.left(notification(ErrorCode.Open, OpenError.BadBgpIdentifier))
  const holdSeconds = Math.min(p.holdTimeSeconds, o.holdTimeSeconds)
  const third = Math.max(1, Math.floor(holdSeconds / 3))
  const keepaliveSeconds = holdSeconds === 0 ? 0 : Math.min(third, Math.max(1, p.keepaliveSeconds ?? third))
  const theirs = peerFamilies(o.capabilities)
  const families = p.families.filter((f) => theirs.includes(f))
  return E.right({
    peerAsn: o.asn,
    peerRouterId: o.routerId,
    holdSeconds,
    keepaliveSeconds,
    routeRefresh: o.capabilities.some((c) => c._tag === 'RouteRefresh'),
    peerGracefulRestart: o.capabilities.some((c) => c._tag === 'GracefulRestart'),
    out: {
      localAsn: p.localAsn,
      ibgp,
      fourOctetAs: o.capabilities.some((c) => c._tag === 'FourOctetAs'),
      families,
      // RFC 8950 §4: only when both sides announced it may IPv4 routes carry an IPv6 next hop.
      extendedNextHop: p.extendedNextHop === true && offersIpv4OverIpv6(o.capabilities),
      ...(nextHops.v4 === undefined ? {} : { nextHopV4: nextHops.v4 }),
      ...(nextHops.v6 === undefined ? {} : { nextHopV6: nextHops.v6 }),
    },
  })
}

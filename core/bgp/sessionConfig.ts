// What a validated BGPPeer asks of its session on one node: the AS shown, the peer's AS rule, the
// router ID, timers, whether to dial, and the families carried. Defaults are FRR's, which MetalLB's
// default (FRR) mode leaves in force when a field is unset: hold 180 s / keepalive 60 s, connect
// retry 120 s. Families: the peer address's own, and the other one too with dualStackAddressFamily
// (MetalLB v0.15 made single-family the default and left disableMP without effect).
import type { BGPPeer } from '../model/bgpPeer.js'
import type { Family, IP } from '../net/address.js'
import type { SessionConfig } from './session.js'

const DEFAULT_HOLD_SECONDS = 180
const DEFAULT_KEEPALIVE_SECONDS = 60
const DEFAULT_CONNECT_SECONDS = 120
/** RFC 4724 §3: the Restart Time has 12 bits; FRR's default is 120 s. */
const RESTART_SECONDS = 120

type NoSession = { readonly _tag: 'NoSession'; readonly reason: 'NoRouterId' }

/**
 * The session config of `peer` on a node whose router ID (when the peer names none) is `nodeRouterId`,
 * the node's IPv4 address as MetalLB takes it. Unnumbered peers (`interface`) speak over IPv6.
 */
export const sessionConfigOf = (peer: BGPPeer, nodeRouterId: IP | undefined): SessionConfig | NoSession => {
  const routerId = peer.routerId ?? nodeRouterId
  if (routerId === undefined || routerId.family !== 4) return { _tag: 'NoSession', reason: 'NoRouterId' }
  const own: Family = peer.target._tag === 'Address' ? peer.target.ip.family : 6
  // Unnumbered: IPv4 routes ride the IPv6 link-local session with an IPv6 next hop (RFC 8950).
  const unnumbered = peer.target._tag === 'Interface'
  const families: Family[] = peer.dualStackAddressFamily || unnumbered ? [4, 6] : [own]
  const timers = peer.timers
  return {
    localAsn: peer.localAsn ?? peer.myAsn,
    peerAsn: peer.peerAsn,
    routerId: Number(routerId.value),
    holdTimeSeconds: timers === undefined ? DEFAULT_HOLD_SECONDS : Math.floor(timers.holdTime / 1000),
    keepaliveSeconds: timers === undefined ? DEFAULT_KEEPALIVE_SECONDS : Math.max(1, Math.floor(timers.keepaliveTime / 1000)),
    connectRetrySeconds: peer.connectTime === undefined ? DEFAULT_CONNECT_SECONDS : Math.max(1, Math.floor(peer.connectTime / 1000)),
    dial: true,
    families,
    ...(unnumbered ? { extendedNextHop: true } : {}),
    ...(peer.enableGracefulRestart ? { gracefulRestart: { restartSeconds: RESTART_SECONDS } } : {}),
  }
}

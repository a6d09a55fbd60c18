// What advertising needs to know of a BGPPeer, apart from the session itself: whether a session to
// it runs on a node (its nodeSelectors, as MetalLB's syncPeers), whether it is iBGP (LOCAL_PREF is
// sent to iBGP peers only, RFC 4271 §5.1.5), the AS it sees us as (what asPathPrepend repeats), and
// which address families the session carries (MetalLB's FRR config: the peer address's family, both
// with dualStackAddressFamily or for an unnumbered `interface` session).
import { absurd } from '../fp/absurd.js'
import type { Asn, BGPPeer } from '../model/bgpPeer.js'
import type { Node } from '../model/node.js'
import { anySelectorMatches } from '../model/selector.js'
import type { Family } from '../net/address.js'

/** Empty nodeSelectors: every node; otherwise any one of them matching. */
export const peerRunsOn = (peer: BGPPeer, node: Node): boolean =>
  peer.nodeSelectors.length === 0 || anySelectorMatches(peer.nodeSelectors, node.labels)

/** `localASN`, when set, is the AS this peer sees instead of myASN. */
export const ownAsnFor = (peer: BGPPeer): Asn => peer.localAsn ?? peer.myAsn

export const isInternal = (peer: BGPPeer): boolean => {
  switch (peer.peerAsn._tag) {
    case 'Fixed':
      return peer.peerAsn.asn === ownAsnFor(peer)
    case 'Dynamic':
      return peer.peerAsn.mode === 'internal'
    default:
      return absurd(peer.peerAsn)
  }
}

export const carriesFamily = (peer: BGPPeer, family: Family): boolean => {
  if (peer.dualStackAddressFamily) return true
  switch (peer.target._tag) {
    case 'Interface':
      return true
    case 'Address':
      return peer.target.ip.family === family
    default:
      return absurd(peer.target)
  }
}

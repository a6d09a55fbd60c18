// Why this node does not advertise a Service IP to a BGPPeer. MetalLB's BGP ShouldAnnounce names a
// few of these (`noMatchingAdvertisement`, `nodeNetworkUnavailable`, `nodeLabeledExcludeBalancers`,
// `noLocalEndpoints`, `noEndpoints`, `conflictingAdvertisements`) and folds the peer rules into the
// session code; IronLB names each, per (IP, peer), so the shell can log, count and show them.
// Tokens are stable: add new ones, never rename.
import { absurd } from '../fp/absurd.js'

export type BgpSkipReason =
  /** Not `type: LoadBalancer`. */
  | 'NotLoadBalancer'
  /** `spec.loadBalancerClass` names another implementation. */
  | 'OtherLoadBalancerClass'
  /** No IP assigned yet. */
  | 'NoIP'
  /** No pool holds all of the Service's IPs. */
  | 'IPNotInPool'
  /** No BGPAdvertisement selects the pool and matches the Service's labels. */
  | 'NoMatchingAdvertisement'
  /** No endpoint of the Service can serve, on any node. */
  | 'NoEndpoints'
  /** This node has no Node object, so no selector can pick it. */
  | 'UnknownNode'
  /** The BGPPeer's nodeSelectors leave this node out: no session to it runs here. */
  | 'PeerNotOnNode'
  /** No applicable BGPAdvertisement selects this node (its nodeSelectors leave it out). */
  | 'NodeNotSelected'
  /** The Node's NetworkUnavailable condition is True. */
  | 'NetworkUnavailable'
  /** The Node carries node.kubernetes.io/exclude-from-external-load-balancers. */
  | 'ExcludedNode'
  /** `externalTrafficPolicy: Local` and no serving endpoint runs on this node. */
  | 'NoLocalEndpoints'
  /** Two applicable advertisements give one prefix different localPref or asPathPrepend. */
  | 'ConflictingAdvertisements'
  /** The advertisements that apply here list other peers (`spec.peers`). */
  | 'PeerNotSelected'
  /** The session carries the other address family only (no dualStackAddressFamily, no interface). */
  | 'FamilyNotCarried'

/** A sentence for people (logs, `ironlb simulate`). */
export const describeBgpSkip = (reason: BgpSkipReason): string => {
  switch (reason) {
    case 'NotLoadBalancer':
      return 'not a LoadBalancer Service'
    case 'OtherLoadBalancerClass':
      return 'the Service asks for another load balancer class'
    case 'NoIP':
      return 'the Service has no IP yet'
    case 'IPNotInPool':
      return 'no pool holds all of the Service\'s IPs'
    case 'NoMatchingAdvertisement':
      return 'no BGPAdvertisement selects the pool and matches the Service\'s labels'
    case 'NoEndpoints':
      return 'no endpoint of the Service is ready or serving'
    case 'UnknownNode':
      return 'there is no Node object of this name'
    case 'PeerNotOnNode':
      return 'the BGPPeer\'s nodeSelectors leave this node out'
    case 'NodeNotSelected':
      return 'the nodeSelectors of the Service\'s BGPAdvertisements leave this node out'
    case 'NetworkUnavailable':
      return 'the node\'s NetworkUnavailable condition is True'
    case 'ExcludedNode':
      return 'the node is labelled node.kubernetes.io/exclude-from-external-load-balancers'
    case 'NoLocalEndpoints':
      return 'externalTrafficPolicy is Local and no serving endpoint runs on this node'
    case 'ConflictingAdvertisements':
      return 'the Service\'s BGPAdvertisements give one prefix different localPref or asPathPrepend values'
    case 'PeerNotSelected':
      return 'the Service\'s BGPAdvertisements name other peers in spec.peers'
    case 'FamilyNotCarried':
      return 'the session to this peer carries the other address family only (set dualStackAddressFamily)'
    default:
      return absurd(reason)
  }
}

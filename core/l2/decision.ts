// What the Layer 2 planner answers: who announces each Service IP, on which interfaces, and a named
// reason for every IP that a node (or the whole cluster) does not announce. MetalLB's speaker logs
// two such reasons (`notOwner`, `noMatchingAdvertisement`) and folds the rest into `notOwner`;
// IronLB names each one, so the shell can log, count and show it. Tokens are stable: add new ones,
// never rename.
import { absurd } from '../fp/absurd.js'
import type { NodeName, ServiceKey } from '../model/names.js'
import type { IP } from '../net/address.js'

/** Why nobody announces a Service's IPs. The same for every node, so decided once per Service. */
export type ServiceSkipReason =
  /** Not `type: LoadBalancer` (MetalLB: `notLoadBalancer`). */
  | 'NotLoadBalancer'
  /** `spec.loadBalancerClass` names another implementation; IronLB's speakers never see it. */
  | 'OtherLoadBalancerClass'
  /** No IP assigned yet (MetalLB: `noIPAllocated`). */
  | 'NoIP'
  /** No pool holds all of the Service's IPs (MetalLB: `ipNotAllowed`). */
  | 'IPNotInPool'
  /** No L2Advertisement selects the pool, or none of those that do matches the Service's labels. */
  | 'NoMatchingAdvertisement'
  /** No endpoint of the Service can serve, on any node (MetalLB answers `notOwner` everywhere). */
  | 'NoEndpoints'
  /** Advertisements and endpoints exist, but every node is ruled out: see the per-node reasons. */
  | 'NoEligibleNode'

/** Why one node does not announce an IP that the cluster may well announce elsewhere. */
export type NodeSkipReason =
  | ServiceSkipReason
  /** The node has no Node object: no advertisement can select it. */
  | 'UnknownNode'
  /** No advertisement of the Service selects this node (its `nodeSelectors` leave it out). */
  | 'NodeNotSelected'
  /** The failure detector does not count this node's speaker as alive. */
  | 'SpeakerDown'
  /** The Node's NetworkUnavailable condition is True. */
  | 'NetworkUnavailable'
  /** The Node carries node.kubernetes.io/exclude-from-external-load-balancers. */
  | 'ExcludedNode'
  /** `externalTrafficPolicy: Local` and no serving endpoint runs on this node. */
  | 'NoLocalEndpoints'
  /** Eligible, but another eligible node wins the election for this IP. */
  | 'NotOwner'

/**
 * Where the winner answers ARP/NDP. An advertisement that lists no interfaces means every usable
 * interface; that is a value of its own rather than an empty list, which would read as "none".
 */
export type InterfaceChoice =
  | { readonly _tag: 'AllInterfaces' }
  /** Sorted, without duplicates, never empty. */
  | { readonly _tag: 'Interfaces'; readonly names: readonly string[] }

export const ALL_INTERFACES: InterfaceChoice = { _tag: 'AllInterfaces' }

export interface Announcement {
  readonly service: ServiceKey
  readonly ip: IP
  readonly node: NodeName
  readonly interfaces: InterfaceChoice
}

/** One IP nobody announces; `ip` is undefined for a Service with no IP at all. */
export interface Skipped {
  readonly service: ServiceKey
  readonly ip: IP | undefined
  readonly reason: ServiceSkipReason
}

/** The cluster-wide answer; both lists sorted by Service key, then IP. */
export interface L2Plan {
  readonly announcements: readonly Announcement[]
  readonly skipped: readonly Skipped[]
}

export type NodeDecision =
  | { readonly _tag: 'Announce'; readonly interfaces: InterfaceChoice }
  | { readonly _tag: 'Skip'; readonly reason: NodeSkipReason }

/** One node's answer for one IP; `ip` is undefined for a Service with no IP at all. */
export interface NodeEntry {
  readonly service: ServiceKey
  readonly ip: IP | undefined
  readonly decision: NodeDecision
}

/** A sentence for people (logs, `ironlb simulate`), naming what to change where that helps. */
export const describeSkip = (reason: NodeSkipReason): string => {
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
      return 'no L2Advertisement selects the pool and matches the Service\'s labels'
    case 'NoEndpoints':
      return 'no endpoint of the Service is ready or serving'
    case 'NoEligibleNode':
      return 'no node can announce: every selected node is down, excluded, unavailable or without a local endpoint'
    case 'UnknownNode':
      return 'there is no Node object of this name'
    case 'NodeNotSelected':
      return 'the nodeSelectors of the Service\'s L2Advertisements leave this node out'
    case 'SpeakerDown':
      return 'the speaker on this node is not alive'
    case 'NetworkUnavailable':
      return 'the node\'s NetworkUnavailable condition is True'
    case 'ExcludedNode':
      return 'the node is labelled node.kubernetes.io/exclude-from-external-load-balancers'
    case 'NoLocalEndpoints':
      return 'externalTrafficPolicy is Local and no serving endpoint runs on this node'
    case 'NotOwner':
      return 'another node wins the election for this IP'
    default:
      return absurd(reason)
  }
}

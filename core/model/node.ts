// The parts of a Kubernetes Node that decide whether it may announce load-balancer addresses.
import type { NodeName } from './names.js'
import type { Labels } from './selector.js'

/** Nodes carrying this label are left out of load balancing (Kubernetes well-known label). */
export const EXCLUDE_FROM_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers'

export interface Node {
  readonly name: NodeName
  readonly labels: Labels
  /** The NetworkUnavailable condition is "True": the node's network is not set up yet. */
  readonly networkUnavailable: boolean
  /** The exclude-from-external-load-balancers label is present, whatever its value. */
  readonly excludedFromLoadBalancers: boolean
}

// Which Services have an endpoint that can serve, and on which nodes. MetalLB's rule
// (internal/k8s/epslices EndpointCanServe, with the speaker's default of not ignoring serving
// endpoints): an endpoint counts when `ready` is unset or true, or when `serving` is true.
// `terminating` is not consulted: a terminating endpoint still counts while it serves, so traffic
// drains during a rollout instead of the IP going dark. An endpoint without a node still counts for
// "the Service has endpoints" (Cluster policy), but places no node in the Local set.
import type { Endpoint, EndpointSlice } from '../model/endpoints.js'
import type { NodeName, ServiceKey } from '../model/names.js'

/**
 * core/cluster already resolved the defaults (an unset `ready` is true, an unset `serving` is
 * `ready`), so MetalLB's three cases are this one disjunction.
 */
export const canServe = (e: Endpoint): boolean => e.ready || e.serving

export interface ServiceEndpoints {
  /** Some endpoint of the Service can serve, wherever it runs. */
  readonly anyServing: boolean
  /** Nodes running an endpoint that can serve. */
  readonly nodes: ReadonlySet<NodeName>
}

export const NO_ENDPOINTS: ServiceEndpoints = { anyServing: false, nodes: new Set() }

/** Every slice of a Service (by its `kubernetes.io/service-name` label) adds to one entry. */
export const indexEndpoints = (slices: readonly EndpointSlice[]): ReadonlyMap<ServiceKey, ServiceEndpoints> => {
  const out = new Map<ServiceKey, { anyServing: boolean; nodes: Set<NodeName> }>()
  for (const slice of slices) {
    let entry = out.get(slice.service)
    if (entry === undefined) {
      entry = { anyServing: false, nodes: new Set() }
      out.set(slice.service, entry)
    }
    for (const e of slice.endpoints) {
      if (!canServe(e)) continue
      entry.anyServing = true
      if (e.nodeName !== undefined) entry.nodes.add(e.nodeName)
    }
  }
  return out
}

// The parts of a Service (and its metallb annotations) that IronLB reads, after decoding.
import type { Family, IP } from '../net/address.js'
import type { PoolName, ServiceKey } from './names.js'
import type { Labels } from './selector.js'

type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName'
type IPFamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack'
type TrafficPolicy = 'Cluster' | 'Local'
type Protocol = 'TCP' | 'UDP' | 'SCTP'

export interface ServicePort {
  readonly protocol: Protocol
  readonly port: number
}

/**
 * What the Service asks for: any address, specific ones (annotation `metallb.io/loadBalancerIPs`,
 * its deprecated `metallb.universe.tf/` twin, or `spec.loadBalancerIP`), or a request that cannot be
 * honoured as written (both forms given, unparsable addresses, two of one family). An invalid request
 * leaves the Service pending with the reason; it is not a config error.
 */
export type IPRequest =
  | { readonly _tag: 'Any' }
  | { readonly _tag: 'Specific'; readonly ips: readonly IP[] }
  | { readonly _tag: 'Invalid'; readonly message: string }

export interface Service {
  readonly key: ServiceKey
  readonly namespace: string
  readonly name: string
  readonly labels: Labels
  readonly type: ServiceType
  readonly loadBalancerClass: string | undefined
  /** From `spec.ipFamilies`, in order; empty when the API server has not defaulted it. */
  readonly ipFamilies: readonly Family[]
  readonly ipFamilyPolicy: IPFamilyPolicy
  /** Families of `spec.clusterIPs`, used when `ipFamilies` is empty (MetalLB reads clusterIPs). */
  readonly clusterIPFamilies: readonly Family[]
  readonly ports: readonly ServicePort[]
  readonly externalTrafficPolicy: TrafficPolicy
  /** `spec.selector`; sharing a Local-policy IP needs an identical one. */
  readonly selector: Readonly<Record<string, string>>
  readonly request: IPRequest
  /** `metallb.io/address-pool` (or the deprecated key). */
  readonly pinnedPool: PoolName | undefined
  /** `metallb.io/allow-shared-ip` (or the deprecated key). */
  readonly sharingKey: string | undefined
  /** IPs in `status.loadBalancer.ingress`: the current assignment, if any. */
  readonly ingressIPs: readonly IP[]
  /** RFC 3339 text from metadata; compared as text only after normalising (see core/cluster). */
  readonly creationTimestamp: string | undefined
}

export interface Namespace {
  readonly name: string
  readonly labels: Labels
}


// EndpointSlices reduced to what announcing needs: which nodes run a ready (or serving) endpoint of
// which Service. Conditions carry Kubernetes' defaults: an unset `ready` means ready, an unset
// `serving` means the same as `ready`, an unset `terminating` means not terminating.
import type { NodeName, ServiceKey } from './names.js'

export interface Endpoint {
  readonly addresses: readonly string[]
  readonly nodeName: NodeName | undefined
  readonly ready: boolean
  readonly serving: boolean
  readonly terminating: boolean
}

export interface EndpointSlice {
  readonly namespace: string
  readonly name: string
  /** From the `kubernetes.io/service-name` label. */
  readonly service: ServiceKey
  readonly endpoints: readonly Endpoint[]
}

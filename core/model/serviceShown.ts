// What a Service object shows now, in the parts the controller compares against and writes over:
// its ingress IPs as written, its annotations and conditions, and the identity a write must carry.
// Decoded once with the rest of the Service (core/cluster/service.ts); tolerant, because the write
// that follows repairs whatever was malformed.

export interface Condition {
  readonly type: string
  readonly status: 'True' | 'False' | 'Unknown'
  readonly reason: string
  readonly message: string
  readonly lastTransitionTime: string
  readonly observedGeneration?: number
}

/**
 * What an ingress entry says beside its IP, set by others (a cloud or proxy controller; kube-proxy
 * reads ipMode): carried, not read. The API server validates both.
 */
export interface IngressExtras {
  readonly ipMode?: string
  readonly ports?: readonly unknown[]
}

/** The parts of a Service's current state that core/controller/serviceStatus.ts compares against. */
export interface ServiceState {
  readonly key: string
  /** `status.loadBalancer.ingress[].ip` as written (not parsed: a changed spelling is a change). */
  readonly ingressIPs: readonly string[]
  /** By IP, the ipMode and ports of the entries that show any; a status write keeps them while the IP stays. */
  readonly ingressExtras?: Readonly<Record<string, IngressExtras>>
  readonly annotations: Readonly<Record<string, string>>
  readonly conditions: readonly Condition[]
}

/** A ServiceState and what a write to that Service must name: where it is and the version it read. */
export interface ServiceShown extends ServiceState {
  readonly namespace: string
  readonly name: string
  readonly uid: string | undefined
  readonly resourceVersion: string | undefined
}

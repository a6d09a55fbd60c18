// The speaker's caches: Services, Nodes, EndpointSlices, the MetalLB kinds of its namespace, its
// own ServiceL2Status and ServiceBGPStatus objects and the basic-auth Secrets of its namespace (BGPPeer passwordSecret;
// the server filters by type, the cache keeps only name, type and the password: core/cluster/
// projection.ts), each a reflector that kicks the loop on any change. `snapshot` hands
// the core what they hold; the core decodes it (core/speaker/reconcile.ts), through a decode kept per
// object reference: a reflector hands out one reference per object until it changes, so at 10,000
// Services a pass decodes only what changed (as shell/controller/caches.ts does); this node's
// ServiceBGPStatus objects likewise.
import { type DecodedObject, decodeClusterObject } from '../../core/cluster/decodeCluster.js'
import { STATUS_LABELS } from '../../core/config/statusCodecs.js'
import { decodeBgpStatus } from '../../core/speaker/bgpStatusCodec.js'
import type { SpeakerSnapshot } from '../../core/speaker/speakerPlan.js'
import { CONFIG_KINDS, configKindPath } from '../kube/configKinds.js'
import { apiReachability } from '../kube/reachability.js'
import { type KubeObject, type Reflector, startReflector } from '../kube/reflector.js'
import type { RestClient } from '../kube/rest.js'
import type { Logger } from '../obs/log.js'

interface SpeakerCaches {
  readonly synced: () => boolean
  readonly snapshot: () => SpeakerSnapshot
  /** This node's ServiceL2Status objects: the publisher records its own writes here. */
  readonly statuses: Reflector<KubeObject>
  /** This node's ServiceBGPStatus objects, likewise. */
  readonly bgpStatuses: Reflector<KubeObject>
  readonly stop: () => void
}

interface CacheDeps {
  readonly rest: RestClient
  readonly log: Logger
  readonly namespace: string
  readonly node: string
}

const NOTHING: unique symbol = Symbol('decoded to undefined')

/** `decode` once per object reference; an entry goes with the object it was made from. */
export const memoized = <T>(decode: (raw: unknown) => T): ((raw: unknown) => T) => {
  const memo = new WeakMap<object, T | typeof NOTHING>()
  return (raw) => {
    if (typeof raw !== 'object' || raw === null) return decode(raw)
    const known = memo.get(raw)
    if (known !== undefined) return known === NOTHING ? (undefined as T) : known
    const value = decode(raw)
    memo.set(raw, value === undefined ? NOTHING : value)
    return value
  }
}

/** decodeClusterObject once per object reference. */
export const memoizedDecode = (): ((raw: unknown) => DecodedObject) => memoized(decodeClusterObject)

export const startSpeakerCaches = (deps: CacheDeps, onChange: () => void): SpeakerCaches => {
  // One answer after an API outage wakes all 11: the speaker joins the failure detector only once every gating cache is filled.
  const reachability = apiReachability()
  const reflect = (path: string, typeMeta: { apiVersion: string; kind: string }, labelSelector?: string, fieldSelector?: string): Reflector<KubeObject> =>
    startReflector<KubeObject>({
      path,
      rest: deps.rest,
      log: deps.log,
      onChange,
      typeMeta,
      reachability,
      ...(labelSelector === undefined ? {} : { labelSelector }),
      ...(fieldSelector === undefined ? {} : { fieldSelector }),
    })
  const services = reflect('/api/v1/services', { apiVersion: 'v1', kind: 'Service' })
  const nodes = reflect('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node' })
  const slices = reflect('/apis/discovery.k8s.io/v1/endpointslices', { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' })
  const configs = CONFIG_KINDS.map((k) => reflect(configKindPath(deps.namespace, k), { apiVersion: `metallb.io/${k.version}`, kind: k.kind }))
  const statuses = reflect(
    `/apis/metallb.io/v1beta1/namespaces/${deps.namespace}/servicel2statuses`,
    { apiVersion: 'metallb.io/v1beta1', kind: 'ServiceL2Status' },
    `${STATUS_LABELS.node}=${deps.node}`,
  )
  const bgpStatuses = reflect(
    `/apis/metallb.io/v1beta1/namespaces/${deps.namespace}/servicebgpstatuses`,
    { apiVersion: 'metallb.io/v1beta1', kind: 'ServiceBGPStatus' },
    `${STATUS_LABELS.node}=${deps.node}`,
  )
  const secrets = reflect(`/api/v1/namespaces/${deps.namespace}/secrets`, { apiVersion: 'v1', kind: 'Secret' }, undefined, 'type=kubernetes.io/basic-auth')
  // The Secrets are not in `synced`: a Role without the secrets grant would hold Layer 2 too.
  const gating = [services, nodes, slices, statuses, bgpStatuses, ...configs]
  const all = [...gating, secrets]
  const synced = (): boolean => gating.every((r) => r.synced())
  const decoded = memoizedDecode()
  const decodedBgpStatus = memoized(decodeBgpStatus)
  return {
    synced,
    snapshot: () => ({
      synced: synced(),
      configObjects: configs.flatMap((r) => r.list()),
      services: services.list(),
      nodes: nodes.list(),
      endpointSlices: slices.list(),
      l2Statuses: statuses.list(),
      ...(secrets.synced() ? { secrets: secrets.list() } : {}),
      bgpStatuses: bgpStatuses.list(),
      decoded,
      decodedBgpStatus,
    }),
    statuses,
    bgpStatuses,
    stop: () => {
      for (const r of all) r.stop()
    },
  }
}

// The controller's caches (list+watch reflectors): Services, Namespaces and the configuration kinds of
// its namespace, and the snapshot the core reads from them. Plans wait until every cache has synced,
// so Services that hold IPs are always seen before pending ones are served: a restart never moves an IP.
// Each cached object is decoded once: a reflector hands out one reference per object until the object
// changes, so a pass decodes only what changed, and an unchanged Service reaches the core as the very
// object it saw last pass (core/alloc/incremental.ts then compares by reference). The decoded whole is
// kept too, until a Service or Namespace changes: a pass asks for it twice (its snapshot, then the
// latest copies after its releases), and rebuilding it was 20% of a pass's allocations at 2,000
// Services (sampled heap profile, creation wave, 2026-12-03).
import { type ClusterObjects, type DecodedObject, clusterObjectsOf, decodeClusterObject } from '../../core/cluster/decodeCluster.js'
import type { ControllerSnapshot } from '../../core/controller/reconcile.js'
import type { ServiceShown } from '../../core/model/serviceShown.js'
import { CONFIG_KINDS, configKindPath } from '../kube/configKinds.js'
import { apiReachability } from '../kube/reachability.js'
import { type KubeObject, type Reflector, startReflector } from '../kube/reflector.js'
import type { RestClient } from '../kube/rest.js'
import type { Logger } from '../obs/log.js'

interface CacheDeps {
  readonly rest: RestClient
  readonly log: Logger
  readonly namespace: string
  readonly onChange: () => void
}

export interface ControllerCaches {
  readonly synced: () => boolean
  /** The core's input, and the objects that could not be decoded (logged by the pass). */
  readonly snapshot: () => { readonly snapshot: ControllerSnapshot; readonly problems: ClusterObjects['problems'] }
  /** What each Service shows in the cache now: after a pass's releases, for admitAcquisitions. */
  readonly latestShown: () => ReadonlyMap<string, ServiceShown>
  readonly observeService: (latest: KubeObject) => void
  readonly stop: () => void
}

/** decodeClusterObject, once per object reference; an entry goes with the object it was made from. */
const memoizedDecode = (): ((raw: KubeObject) => DecodedObject) => {
  const memo = new WeakMap<KubeObject, DecodedObject>()
  return (raw) => {
    const known = memo.get(raw)
    if (known !== undefined) return known
    const decoded = decodeClusterObject(raw)
    memo.set(raw, decoded)
    return decoded
  }
}

export const startCaches = (deps: CacheDeps): ControllerCaches => {
  // One answer after an API outage wakes every cache (shell/kube/reachability.ts).
  const reachability = apiReachability()
  const reflect = (path: string, typeMeta: { apiVersion: string; kind: string }): Reflector<KubeObject> =>
    startReflector<KubeObject>({ path, rest: deps.rest, log: deps.log, onChange: deps.onChange, typeMeta, reachability })
  const services = reflect('/api/v1/services', { apiVersion: 'v1', kind: 'Service' })
  const namespaces = reflect('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace' })
  const configs = CONFIG_KINDS.map((k) => reflect(configKindPath(deps.namespace, k), { apiVersion: `metallb.io/${k.version}`, kind: k.kind }))
  const all = [services, namespaces, ...configs]
  const decode = memoizedDecode()
  let decoded: { readonly at: string; readonly cluster: ClusterObjects } | undefined
  /** Services and Namespaces decoded, the same object while neither cache changed. */
  const cluster = (): ClusterObjects => {
    const at = `${services.version()}/${namespaces.version()}`
    if (decoded?.at !== at) decoded = { at, cluster: clusterObjectsOf([...services.list(), ...namespaces.list()].map(decode)) }
    return decoded.cluster
  }
  return {
    synced: () => all.every((r) => r.synced()),
    snapshot: () => {
      const c = cluster()
      const snapshot = { configObjects: configs.flatMap((r) => r.list()), services: c.services, shown: c.shown, namespaces: c.namespaces }
      return { snapshot, problems: c.problems }
    },
    latestShown: () => cluster().shown,
    observeService: (latest) => services.observeWrite(latest),
    stop: () => {
      for (const r of all) r.stop()
    },
  }
}

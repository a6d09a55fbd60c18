// The controller's caches (list+watch reflectors): Services, Namespaces and the configuration kinds of
// its namespace, and the snapshot the core reads from them. Plans wait until every cache has synced,
// so Services that hold IPs are always seen before pending ones are served: a restart never moves an IP.
// Each cached object is decoded once: a reflector hands out one reference per object until the object
// changes, so a pass decodes only what changed, and an unchanged Service reaches the core as the very
// object it saw last pass (core/alloc/incremental.ts then compares by reference).
import { type ClusterObjects, type DecodedObject, clusterObjectsOf, decodeClusterObject } from '../../core/cluster/decodeCluster.js'
import type { ControllerSnapshot } from '../../core/controller/reconcile.js'
import type { ServiceShown } from '../../core/model/serviceShown.js'
import { CONFIG_KINDS, configKindPath } from '../kube/configKinds.js'
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
  const reflect = (path: string, typeMeta: { apiVersion: string; kind: string }): Reflector<KubeObject> =>
    startReflector<KubeObject>({ path, rest: deps.rest, log: deps.log, onChange: deps.onChange, typeMeta })
  const services = reflect('/api/v1/services', { apiVersion: 'v1', kind: 'Service' })
  const namespaces = reflect('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace' })
  const configs = CONFIG_KINDS.map((k) => reflect(configKindPath(deps.namespace, k), { apiVersion: `metallb.io/${k.version}`, kind: k.kind }))
  const all = [services, namespaces, ...configs]
  const decode = memoizedDecode()
  const decodeAll = (objects: readonly KubeObject[]): ClusterObjects => clusterObjectsOf(objects.map(decode))
  return {
    synced: () => all.every((r) => r.synced()),
    snapshot: () => {
      const cluster = decodeAll([...services.list(), ...namespaces.list()])
      const snapshot = { configObjects: configs.flatMap((r) => r.list()), services: cluster.services, shown: cluster.shown, namespaces: cluster.namespaces }
      return { snapshot, problems: cluster.problems }
    },
    latestShown: () => decodeAll(services.list()).shown,
    observeService: (latest) => services.observeWrite(latest),
    stop: () => {
      for (const r of all) r.stop()
    },
  }
}

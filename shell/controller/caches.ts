// The controller's caches (list+watch reflectors): Services, Namespaces and the configuration kinds of
// its namespace, and the snapshot the core reads from them. Plans wait until every cache has synced,
// so Services that hold IPs are always seen before pending ones are served: a restart never moves an IP.
// Each cached object is decoded once: a reflector hands out one reference per object until the object
// changes, so a pass decodes only what changed, and an unchanged Service reaches the core as the very
// object it saw last pass (core/alloc/incremental.ts then compares by reference). Only the changed
// objects reach the index of Services and Namespaces (core/cluster/clusterIndex.ts): sorting and
// rebuilding all of them after any change was, with the rest of a pass's per-Service work, what made
// a creation wave's CPU grow faster than its Services (cpu-prof, 2026-12-04: clusterObjectsOf 0.45 s
// of the controller's CPU at 5,000 Services, 2.3 s at 10,000).
import { type ClusterIndex, type ObjectChange, indexCluster } from '../../core/cluster/clusterIndex.js'
import { type ClusterObjects, decodeClusterObject } from '../../core/cluster/decodeCluster.js'
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
  /** Who shows each IP in latestShown, for admitAcquisitions (the same index when called in the same tick). */
  readonly latestShownByIP: () => ReadonlyMap<string, ReadonlySet<string>>
  readonly observeService: (latest: KubeObject) => void
  readonly stop: () => void
}

/**
 * Follows one reflector's objects by reference: each call says which keys hold a new object (decoded
 * here) or none any more since the last call, so the index is told only of those. A walk of the keys
 * with a reference check each, and no decode, for the objects that stayed.
 */
const follow = (r: Reflector<KubeObject>, idPrefix: string): (() => ObjectChange[]) => {
  const seen = new Map<string, KubeObject>()
  let at = -1
  return () => {
    if (r.version() === at) return []
    at = r.version()
    const changes: ObjectChange[] = []
    let present = 0
    for (const [key, raw] of r.entries()) {
      present++
      if (seen.get(key) === raw) continue
      seen.set(key, raw)
      changes.push([idPrefix + key, decodeClusterObject(raw)])
    }
    if (present < seen.size) {
      const keys = new Set<string>()
      for (const [key] of r.entries()) keys.add(key)
      for (const key of seen.keys())
        if (!keys.has(key)) {
          seen.delete(key)
          changes.push([idPrefix + key, undefined])
        }
    }
    return changes
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
  const serviceChanges = follow(services, 'Service:')
  const namespaceChanges = follow(namespaces, 'Namespace:')
  let index: ClusterIndex | undefined
  /** Services and Namespaces decoded, the same index while neither cache changed. */
  const cluster = (): ClusterIndex => {
    index = indexCluster(index, [...serviceChanges(), ...namespaceChanges()])
    return index
  }
  return {
    synced: () => all.every((r) => r.synced()),
    snapshot: () => {
      const c = cluster()
      const { services, shown, namespaces, problems } = c.objects
      return { snapshot: { configObjects: configs.flatMap((r) => r.list()), services, servicesByKey: c.servicesByKey, shown, namespaces }, problems }
    },
    latestShown: () => cluster().objects.shown,
    latestShownByIP: () => cluster().shownByIP,
    observeService: (latest) => services.observeWrite(latest),
    stop: () => {
      for (const r of all) r.stop()
    },
  }
}

// The cluster objects of a cache, kept from one snapshot to the next so that a few changed objects
// cost O(changes) and one copy of each changed list's references, where clusterObjectsOf sorted and
// rebuilt every object after any change (with the rest of a pass's per-Service work, what made a
// creation wave's controller CPU grow faster than its Services). Equal to clusterObjectsOf of the
// same objects (specs/core/cluster/clusterIndex.spec.ts), given what a cache guarantees: one object per
// id, and no two ids with the same kind and key. Pure: an index is never changed, only followed.
import { absurd } from '../fp/absurd.js'
import { LayeredMap } from '../fp/layeredMap.js'
import type { EndpointSlice } from '../model/endpoints.js'
import type { ServiceKey } from '../model/names.js'
import type { Node } from '../model/node.js'
import type { Namespace, Service } from '../model/service.js'
import type { ServiceShown } from '../model/serviceShown.js'
import { type ClusterObjects, type ClusterProblem, type DecodedObject, clusterObjectsOf } from './decodeCluster.js'

type ListName = 'services' | 'namespaces' | 'nodes' | 'endpointSlices'
type Item = ClusterObjects[ListName][number]

/** Where one decoded object goes: its list, its key there (the sort key), and a Service's shown state. */
interface Placed {
  readonly list: ListName
  readonly key: string
  readonly item: Item
  readonly shown: ServiceShown | undefined
}

/** One list's items in key order, with the keys beside them for binary search. */
interface SortedList {
  readonly keys: readonly string[]
  readonly items: readonly Item[]
}

export interface ClusterIndex {
  readonly objects: ClusterObjects
  /** objects.shown, as the map the next index is made from. */
  readonly shown: LayeredMap<ServiceKey, ServiceShown>
  /** objects.services by key, a LayeredMap line like `shown` (core/alloc/incremental.ts diffs only its changed keys). */
  readonly servicesByKey: LayeredMap<ServiceKey, Service>
  /** ip -> the Services whose shown status carries it, a LayeredMap line like `shown` (core/controller/admit.ts). */
  readonly shownByIP: LayeredMap<string, ReadonlySet<ServiceKey>>
  /** What each id decoded to. */
  readonly decoded: LayeredMap<string, DecodedObject>
  readonly lists: Readonly<Record<ListName, SortedList>>
  /** Only the ids whose object has problems. */
  readonly problems: LayeredMap<string, readonly ClusterProblem[]>
}

/** A change of one cached object: its id and what it decodes to now, undefined once it is gone. */
export type ObjectChange = readonly [id: string, decoded: DecodedObject | undefined]

/** Beyond this many changes (and an eighth of the objects), sorting all again is cheaper than inserting each. */
const MAX_SPLICED = 64

const placedOf = (d: DecodedObject | undefined): Placed | undefined => {
  const v = d?._tag === 'Decoded' ? d.value : undefined
  if (v === undefined) return undefined
  switch (v._tag) {
    case 'Service':
      return { list: 'services', key: v.service.key, item: v.service, shown: v.shown }
    case 'Namespace':
      return { list: 'namespaces', key: v.namespace.name, item: v.namespace, shown: undefined }
    case 'Node':
      return { list: 'nodes', key: v.node.name, item: v.node, shown: undefined }
    case 'EndpointSlice':
      return { list: 'endpointSlices', key: `${v.slice.namespace}/${v.slice.name}`, item: v.slice, shown: undefined }
    default:
      return absurd(v)
  }
}

const problemsOf = (d: DecodedObject | undefined): readonly ClusterProblem[] | undefined => {
  if (d?._tag !== 'Decoded' || d.problems.length === 0) return undefined
  const where = { kind: d.kind, namespace: d.namespace, name: d.name ?? '(unnamed object)' }
  return d.problems.map((p) => ({ ...where, ...p }))
}

/** As clusterObjectsOf says it of the second object with one key (here: the one indexed later). */
const duplicateOf = (d: DecodedObject | undefined): ClusterProblem[] =>
  d?._tag === 'Decoded' ? [{ kind: d.kind, namespace: d.namespace, name: d.name ?? '(unnamed object)', field: 'metadata.name', message: `another ${d.kind} with this name came earlier; this one is skipped` }] : []

/** The first position whose key is not below `key`. */
const lowerBound = (keys: readonly string[], key: string): number => {
  let lo = 0
  let hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((keys[mid] ?? '') < key) lo = mid + 1
    else hi = mid
  }
  return lo
}

const KEY_OF: Readonly<Record<ListName, (i: Item) => string>> = {
  services: (i) => (i as Service).key,
  namespaces: (i) => (i as Namespace).name,
  nodes: (i) => (i as Node).name,
  endpointSlices: (i) => `${(i as EndpointSlice).namespace}/${(i as EndpointSlice).name}`,
}

const LISTS: readonly ListName[] = ['services', 'namespaces', 'nodes', 'endpointSlices']

const objectsOf = (lists: ClusterIndex['lists'], shown: ReadonlyMap<ServiceKey, ServiceShown>, problems: ClusterIndex['problems']): ClusterObjects => ({
  services: lists.services.items as readonly Service[],
  shown,
  namespaces: lists.namespaces.items as readonly Namespace[],
  nodes: lists.nodes.items as readonly Node[],
  endpointSlices: lists.endpointSlices.items as readonly EndpointSlice[],
  problems: [...problems.values()].flat(),
})

/** Every object sorted afresh: the first index, and a change of many. */
const rebuilt = (decoded: LayeredMap<string, DecodedObject>): ClusterIndex => {
  const all = clusterObjectsOf([...decoded.values()])
  const sorted = (list: ListName): SortedList => ({ keys: all[list].map(KEY_OF[list]), items: all[list] })
  const lists = { services: sorted('services'), namespaces: sorted('namespaces'), nodes: sorted('nodes'), endpointSlices: sorted('endpointSlices') }
  const withProblems = new Map<string, readonly ClusterProblem[]>()
  for (const [id, d] of decoded) {
    const ps = problemsOf(d)
    if (ps !== undefined) withProblems.set(id, ps)
  }
  const problems = LayeredMap.of(withProblems)
  const shown = LayeredMap.of(all.shown)
  const servicesByKey = LayeredMap.of(new Map(all.services.map((svc) => [svc.key, svc])))
  const byIP = new Map<string, Set<ServiceKey>>()
  for (const [key, s] of all.shown) for (const ip of s.ingressIPs) byIP.set(ip, (byIP.get(ip) ?? new Set()).add(key))
  return { objects: objectsOf(lists, shown, problems), shown, servicesByKey, shownByIP: LayeredMap.of(byIP), decoded, lists, problems }
}

/** A list being edited: copied once, on its first edit. */
class ListEdit {
  private keys: string[] | undefined
  private items: Item[] | undefined
  constructor(private readonly from: SortedList) {}

  /** Removes `item` (not another object that holds its key); false when it was not there. */
  remove(key: string, item: Item): boolean {
    const at = lowerBound(this.keys ?? this.from.keys, key)
    if ((this.items ?? this.from.items)[at] !== item) return false
    this.copy().keys.splice(at, 1)
    this.items?.splice(at, 1)
    return true
  }

  /** False when another object already has the key (the cache broke its promise): that one stays. */
  insert(key: string, item: Item): boolean {
    const keys = this.keys ?? this.from.keys
    const at = lowerBound(keys, key)
    if (keys[at] === key) return false
    this.copy().keys.splice(at, 0, key)
    this.items?.splice(at, 0, item)
    return true
  }

  done(): SortedList {
    return this.keys === undefined || this.items === undefined ? this.from : { keys: this.keys, items: this.items }
  }

  private copy(): { keys: string[] } {
    if (this.keys === undefined) {
      this.keys = [...this.from.keys]
      this.items = [...this.from.items]
    }
    return { keys: this.keys }
  }
}

/**
 * The index after `changes` (later ones win for an id). Undefined `prior`, or many changes: built
 * afresh. Otherwise each change moves only its own object: out of its list by its old key, into its
 * list by its new one.
 */
export const indexCluster = (prior: ClusterIndex | undefined, changes: readonly ObjectChange[]): ClusterIndex => {
  if (prior !== undefined && changes.length === 0) return prior
  const decoded = (prior?.decoded ?? LayeredMap.of(new Map<string, DecodedObject>())).with(changes)
  if (prior === undefined || (changes.length > MAX_SPLICED && changes.length > decoded.size >> 3)) return rebuilt(decoded)
  const edits = new Map(LISTS.map((l) => [l, new ListEdit(prior.lists[l])]))
  const shownEdits: [ServiceKey, ServiceShown | undefined][] = []
  const serviceEdits: [ServiceKey, Service | undefined][] = []
  const ipEdits = new Map<string, Set<ServiceKey>>()
  const editedHoldersOf = (ip: string): Set<ServiceKey> => {
    const edited = ipEdits.get(ip) ?? new Set(prior.shownByIP.get(ip))
    ipEdits.set(ip, edited)
    return edited
  }
  const problemEdits: [string, readonly ClusterProblem[] | undefined][] = []
  for (const [id, now] of new Map(changes)) {
    const was = placedOf(prior.decoded.get(id))
    if (was !== undefined && edits.get(was.list)?.remove(was.key, was.item) === true && was.shown !== undefined) {
      const key = was.key as ServiceKey
      shownEdits.push([key, undefined])
      serviceEdits.push([key, undefined])
      for (const ip of was.shown.ingressIPs) editedHoldersOf(ip).delete(key)
    }
    const is = placedOf(now)
    const placed = is === undefined || edits.get(is.list)?.insert(is.key, is.item) === true
    if (placed && is?.shown !== undefined) {
      const key = is.key as ServiceKey
      shownEdits.push([key, is.shown])
      serviceEdits.push([key, is.item as Service])
      for (const ip of is.shown.ingressIPs) editedHoldersOf(ip).add(key)
    }
    const problems = [...(problemsOf(now) ?? []), ...(placed ? [] : duplicateOf(now))]
    if (problems.length > 0 || prior.problems.has(id)) problemEdits.push([id, problems.length > 0 ? problems : undefined])
  }
  const done = (l: ListName): SortedList => edits.get(l)?.done() ?? prior.lists[l]
  const lists = { services: done('services'), namespaces: done('namespaces'), nodes: done('nodes'), endpointSlices: done('endpointSlices') }
  const shown = prior.shown.with(shownEdits)
  const servicesByKey = prior.servicesByKey.with(serviceEdits)
  const shownByIP = prior.shownByIP.with([...ipEdits].map(([ip, keys]) => [ip, keys.size === 0 ? undefined : keys]))
  const problems = prior.problems.with(problemEdits)
  return { objects: objectsOf(lists, shown, problems), shown, servicesByKey, shownByIP, decoded, lists, problems }
}

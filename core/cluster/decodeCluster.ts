// The one entry point from Kubernetes objects (Services, Namespaces, Nodes, EndpointSlices) to the
// core model. Pure and total: anything else is skipped silently, and a malformed object of these
// kinds is skipped with a problem naming it and the field, never a crash. MetalLB's own kinds are
// core/config's.
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { absurd } from '../fp/absurd.js'
import type { EndpointSlice } from '../model/endpoints.js'
import type { Node } from '../model/node.js'
import type { Namespace, Service } from '../model/service.js'
import type { ServiceKey } from '../model/names.js'
import type { ServiceShown } from '../model/serviceShown.js'
import { type FieldProblem, readableErrors } from '../config/decodeErrors.js'
import { endpointSliceCodec, namespaceCodec, nodeCodec, serviceCodec } from './codecs.js'
import { endpointSliceFrom } from './endpointSlice.js'
import { namespaceFrom, nodeFrom } from './node.js'
import { DEFAULT_NAMESPACE, serviceFrom } from './service.js'

/** A problem with one object; `namespace` is "" for cluster-scoped kinds (Node, Namespace). */
export interface ClusterProblem {
  readonly kind: string
  readonly namespace: string
  readonly name: string
  readonly field: string
  readonly message: string
}

export interface ClusterObjects {
  /** Sorted by key ("namespace/name"); the first of two objects with one key is kept. */
  readonly services: readonly Service[]
  /** What each of those Services shows now (status, annotations, version), by the same key. */
  readonly shown: ReadonlyMap<ServiceKey, ServiceShown>
  /** Sorted by name, as are nodes. */
  readonly namespaces: readonly Namespace[]
  readonly nodes: readonly Node[]
  /** Sorted by namespace, then name. */
  readonly endpointSlices: readonly EndpointSlice[]
  readonly problems: readonly ClusterProblem[]
}

type Kind = 'Service' | 'Namespace' | 'Node' | 'EndpointSlice'

const KINDS: ReadonlyMap<string, Kind> = new Map([
  ['v1/Service', 'Service'],
  ['v1/Namespace', 'Namespace'],
  ['v1/Node', 'Node'],
  ['discovery.k8s.io/v1/EndpointSlice', 'EndpointSlice'],
])

const CLUSTER_SCOPED: ReadonlySet<Kind> = new Set(['Namespace', 'Node'])

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** What one object decodes to, before it meets the others: a pure function of the object alone. */
type Value =
  | { readonly _tag: 'Service'; readonly service: Service; readonly shown: ServiceShown }
  | { readonly _tag: 'Namespace'; readonly namespace: Namespace }
  | { readonly _tag: 'Node'; readonly node: Node }
  | { readonly _tag: 'EndpointSlice'; readonly slice: EndpointSlice }

/**
 * One object decoded on its own. It depends on nothing but the object, so a caller that sees the same
 * object again (a cache hands out one reference until the object changes) may keep the answer and
 * skip the decode: the controller's Service cache does (shell/controller/caches.ts).
 */
export type DecodedObject =
  /** Not one of these kinds: skipped silently. */
  | { readonly _tag: 'Other' }
  | {
      readonly _tag: 'Decoded'
      readonly kind: Kind
      /** Where the object is, for its problems; `name` undefined when it has none (named by position). */
      readonly namespace: string
      readonly name: string | undefined
      /** Undefined when the object is unusable (or, for a slice, made for no Service). */
      readonly value: Value | undefined
      readonly problems: readonly FieldProblem[]
    }

const OTHER: DecodedObject = { _tag: 'Other' }

/** Where an object is, as far as its metadata can be read. */
const whereOf = (kind: Kind, raw: Record<string, unknown>): { namespace: string; name: string | undefined } => {
  const meta = isRecord(raw['metadata']) ? raw['metadata'] : {}
  const name = typeof meta['name'] === 'string' && meta['name'] !== '' ? meta['name'] : undefined
  if (CLUSTER_SCOPED.has(kind)) return { namespace: '', name }
  const ns = typeof meta['namespace'] === 'string' && meta['namespace'] !== '' ? meta['namespace'] : DEFAULT_NAMESPACE
  return { namespace: ns, name }
}

const valueOf = (kind: Kind, raw: Record<string, unknown>, problems: FieldProblem[]): Value | undefined => {
  const decode = <A>(codec: t.Decoder<unknown, A>): A | undefined => {
    const r = codec.decode(raw)
    if (E.isLeft(r)) {
      problems.push(...readableErrors(r.left))
      return undefined
    }
    if (r.right !== undefined && isRecord(raw['metadata']) && raw['metadata']['name'] === '') {
      problems.push({ field: 'metadata.name', message: 'a name is required' })
      return undefined
    }
    return r.right
  }
  switch (kind) {
    case 'Service': {
      const wire = decode(serviceCodec)
      if (wire === undefined) return undefined
      const { service, shown, notes } = serviceFrom(wire)
      problems.push(...notes)
      return { _tag: 'Service', service, shown }
    }
    case 'Namespace': {
      const wire = decode(namespaceCodec)
      return wire === undefined ? undefined : { _tag: 'Namespace', namespace: namespaceFrom(wire) }
    }
    case 'Node': {
      const wire = decode(nodeCodec)
      return wire === undefined ? undefined : { _tag: 'Node', node: nodeFrom(wire) }
    }
    case 'EndpointSlice': {
      const wire = decode(endpointSliceCodec)
      const slice = wire === undefined ? undefined : endpointSliceFrom(wire)
      return slice === undefined ? undefined : { _tag: 'EndpointSlice', slice }
    }
    default:
      return absurd(kind)
  }
}

export const decodeClusterObject = (raw: unknown): DecodedObject => {
  if (!isRecord(raw) || typeof raw['apiVersion'] !== 'string' || typeof raw['kind'] !== 'string') return OTHER
  const kind = KINDS.get(`${raw['apiVersion']}/${raw['kind']}`)
  if (kind === undefined) return OTHER
  const problems: FieldProblem[] = []
  const value = valueOf(kind, raw, problems)
  return { _tag: 'Decoded', kind, ...whereOf(kind, raw), value, problems }
}

/** The objects decoded one by one, put together: duplicates named, each kind sorted. */
export const clusterObjectsOf = (decoded: readonly DecodedObject[]): ClusterObjects => {
  const services = new Map<string, Service>()
  const shown = new Map<ServiceKey, ServiceShown>()
  const namespaces = new Map<string, Namespace>()
  const nodes = new Map<string, Node>()
  const slices = new Map<string, EndpointSlice>()
  const problems: ClusterProblem[] = []

  decoded.forEach((d, index) => {
    if (d._tag === 'Other') return
    const where = { kind: d.kind, namespace: d.namespace, name: d.name ?? `(unnamed object #${index + 1})` }
    for (const p of d.problems) problems.push({ ...where, ...p })
    const keep = <V>(into: Map<string, V>, key: string, value: V): boolean => {
      if (!into.has(key)) return into.set(key, value) !== undefined
      problems.push({ ...where, field: 'metadata.name', message: `another ${d.kind} with this name came earlier; this one is skipped` })
      return false
    }
    const v = d.value
    if (v === undefined) return
    switch (v._tag) {
      case 'Service':
        if (keep(services, v.service.key, v.service)) shown.set(v.service.key, v.shown)
        return
      case 'Namespace':
        keep(namespaces, v.namespace.name, v.namespace)
        return
      case 'Node':
        keep(nodes, v.node.name, v.node)
        return
      case 'EndpointSlice':
        keep(slices, `${v.slice.namespace}/${v.slice.name}`, v.slice)
        return
      default:
        absurd(v)
    }
  })

  const sorted = <V>(m: Map<string, V>): V[] => [...m.entries()].sort(([a], [b]) => byText(a, b)).map(([, v]) => v)
  return {
    services: sorted(services),
    shown,
    namespaces: sorted(namespaces),
    nodes: sorted(nodes),
    endpointSlices: sorted(slices),
    problems,
  }
}

export const decodeClusterObjects = (objects: readonly unknown[]): ClusterObjects => clusterObjectsOf(objects.map(decodeClusterObject))

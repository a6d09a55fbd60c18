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
interface ClusterProblem {
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

/** Where an object is, as far as its metadata can be read: for naming it in problems. */
const whereOf = (kind: Kind, raw: Record<string, unknown>, index: number): { namespace: string; name: string } => {
  const meta = isRecord(raw['metadata']) ? raw['metadata'] : {}
  const name = typeof meta['name'] === 'string' && meta['name'] !== '' ? meta['name'] : `(unnamed object #${index + 1})`
  if (CLUSTER_SCOPED.has(kind)) return { namespace: '', name }
  const ns = typeof meta['namespace'] === 'string' && meta['namespace'] !== '' ? meta['namespace'] : DEFAULT_NAMESPACE
  return { namespace: ns, name }
}

export const decodeClusterObjects = (objects: readonly unknown[]): ClusterObjects => {
  const services = new Map<string, Service>()
  const shown = new Map<ServiceKey, ServiceShown>()
  const namespaces = new Map<string, Namespace>()
  const nodes = new Map<string, Node>()
  const slices = new Map<string, EndpointSlice>()
  const problems: ClusterProblem[] = []

  objects.forEach((raw, index) => {
    if (!isRecord(raw) || typeof raw['apiVersion'] !== 'string' || typeof raw['kind'] !== 'string') return
    const kind = KINDS.get(`${raw['apiVersion']}/${raw['kind']}`)
    if (kind === undefined) return
    const where = whereOf(kind, raw, index)
    const problem = (p: FieldProblem): void => {
      problems.push({ kind, ...where, ...p })
    }
    const decode = <A>(codec: t.Decoder<unknown, A>): A | undefined => {
      const r = codec.decode(raw)
      if (E.isLeft(r)) {
        readableErrors(r.left).forEach(problem)
        return undefined
      }
      if (r.right !== undefined && isRecord(raw['metadata']) && raw['metadata']['name'] === '') {
        problem({ field: 'metadata.name', message: 'a name is required' })
        return undefined
      }
      return r.right
    }
    const keep = <V>(into: Map<string, V>, key: string, value: V): void => {
      if (into.has(key)) problem({ field: 'metadata.name', message: `another ${kind} with this name came earlier; this one is skipped` })
      else into.set(key, value)
    }
    switch (kind) {
      case 'Service': {
        const wire = decode(serviceCodec)
        if (wire === undefined) return
        const { service, shown: now, notes } = serviceFrom(wire)
        notes.forEach(problem)
        if (!services.has(service.key)) shown.set(service.key, now)
        keep(services, service.key, service)
        return
      }
      case 'Namespace': {
        const wire = decode(namespaceCodec)
        if (wire !== undefined) keep(namespaces, wire.metadata.name, namespaceFrom(wire))
        return
      }
      case 'Node': {
        const wire = decode(nodeCodec)
        if (wire !== undefined) keep(nodes, wire.metadata.name, nodeFrom(wire))
        return
      }
      case 'EndpointSlice': {
        const wire = decode(endpointSliceCodec)
        const slice = wire === undefined ? undefined : endpointSliceFrom(wire)
        if (slice !== undefined) keep(slices, `${slice.namespace}/${slice.name}`, slice)
        return
      }
      default:
        absurd(kind)
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

import t from 'tap'
import fc from 'fast-check'
import { deepStrictEqual } from 'node:assert'
import { PROJECTIONS, type Shape, project, projectionOf } from '../../../core/cluster/projection.js'
import { METALLB_PREFIXES } from '../../../core/cluster/service.js'
import { decodeClusterObjects } from '../../../core/cluster/decodeCluster.js'
import { memberUniverse } from '../../../core/speaker/memberUniverse.js'
import { type CachedObjects, clusterArb } from './projectionArbitraries.js'

type Kind = keyof CachedObjects
const KINDS: readonly Kind[] = ['Service', 'Node', 'EndpointSlice', 'Namespace']

/** What the daemons decode from their caches: the controller Services and Namespaces, the speaker Services, Nodes and slices. */
const decodedFrom = (c: CachedObjects) => ({
  cluster: decodeClusterObjects([...c.Service, ...c.Node, ...c.EndpointSlice, ...c.Namespace]),
  members4: memberUniverse(c.Node, 4),
  members6: memberUniverse(c.Node, 6),
})

const projectedWith = (shapes: ReadonlyMap<string, Shape>, c: CachedObjects): CachedObjects => {
  const by = (kind: Kind) => {
    const shape = shapes.get(kind)
    if (shape === undefined) throw new Error(`no projection for ${kind}`)
    return c[kind].map((o) => project(shape, o))
  }
  return { Service: by('Service'), Node: by('Node'), EndpointSlice: by('EndpointSlice'), Namespace: by('Namespace') }
}

/** Decoding what the cache keeps gives exactly what decoding the whole objects gives. */
const sameDecoding = (shapes: ReadonlyMap<string, Shape>) =>
  fc.property(clusterArb, (c) => {
    deepStrictEqual(decodedFrom(projectedWith(shapes, c)), decodedFrom(c))
  })

t.test('every decoder reads the same from the projected objects as from the whole ones', async (t) => {
  fc.assert(sameDecoding(PROJECTIONS), { numRuns: 500 })
  t.pass('500 random clusters')
})

// Mutations: each field the projection keeps, left out in turn, must change what some decoder
// reads; otherwise the field is dead weight (or the generators never exercise it). The exceptions
// are read by the shell, not by a decoder.
const SHELL_ONLY: ReadonlyMap<string, string> = new Map([
  ['Node metadata.uid', 'Events name the uid'],
  ['Node metadata.resourceVersion', 'the reflector keeps the newest version'],
  ['EndpointSlice metadata.uid', 'Events name the uid'],
  ['EndpointSlice metadata.resourceVersion', 'the reflector keeps the newest version'],
  ['Namespace metadata.uid', 'Events name the uid'],
  ['Namespace metadata.resourceVersion', 'the reflector keeps the newest version'],
])

/** Every path a Fields shape keeps, "[]" marking a list's items. */
const pathsOf = (shape: Shape, prefix: readonly string[] = []): (readonly string[])[] => {
  switch (shape._tag) {
    case 'Fields':
      return Object.entries(shape.fields).flatMap(([k, s]) => [[...prefix, k], ...pathsOf(s, [...prefix, k])])
    case 'Each':
      return pathsOf(shape.item, [...prefix, '[]'])
    default:
      return []
  }
}

/** The shape with the field at `path` left out. */
const without = (shape: Shape, path: readonly string[]): Shape => {
  const [head, ...rest] = path
  if (head === undefined) return shape
  if (shape._tag === 'Each' && head === '[]') return { _tag: 'Each', item: without(shape.item, rest) }
  if (shape._tag !== 'Fields') throw new Error(`no field ${head} here`)
  const fields = Object.fromEntries(
    Object.entries(shape.fields).flatMap(([k, s]) => (k !== head ? [[k, s]] : rest.length === 0 ? [] : [[k, without(s, rest)]])),
  )
  return { _tag: 'Fields', fields }
}

/** Replaces every annotation filter with one missing `prefix`. */
const withoutPrefix = (shape: Shape, prefix: string): Shape => {
  switch (shape._tag) {
    case 'Fields':
      return { _tag: 'Fields', fields: Object.fromEntries(Object.entries(shape.fields).map(([k, s]) => [k, withoutPrefix(s, prefix)])) }
    case 'Each':
      return { _tag: 'Each', item: withoutPrefix(shape.item, prefix) }
    case 'Prefixed':
      return { _tag: 'Prefixed', prefixes: shape.prefixes.filter((p) => p !== prefix) }
    case 'Whole':
      return shape
  }
}

// A fixed seed keeps this deterministic; the slowest mutation is caught after about 120 runs.
const caught = (shapes: ReadonlyMap<string, Shape>): boolean => fc.check(sameDecoding(shapes), { numRuns: 1_000, seed: 9, endOnFailure: true }).failed

t.test('leaving out any field a decoder reads is caught', async (t) => {
  const missed: string[] = []
  let tried = 0
  for (const kind of KINDS) {
    const shape = PROJECTIONS.get(kind) as Shape
    for (const path of pathsOf(shape)) {
      const name = `${kind} ${path.join('.').replaceAll('.[]', '[]')}`
      if (SHELL_ONLY.has(name)) continue
      tried++
      if (!caught(new Map([...PROJECTIONS, [kind, without(shape, path)]]))) missed.push(name)
    }
  }
  for (const prefix of METALLB_PREFIXES) {
    tried++
    if (!caught(new Map([...PROJECTIONS].map(([k, s]) => [k, withoutPrefix(s, prefix)])))) missed.push(`annotations ${prefix}*`)
  }
  t.ok(tried > 40, `${tried} mutations tried`)
  t.same(missed, [], 'every mutation makes some decoder read something else')
})

const bigAnnotation = 'x'.repeat(4096)
const exampleRows: ReadonlyArray<{ desc: string; kind: Kind; in: unknown; want: unknown }> = [
  {
    desc: 'a Service keeps what MetalLB reads, loses what kubectl and others left',
    kind: 'Service',
    in: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'web',
        namespace: 'apps',
        uid: 'u1',
        resourceVersion: '7',
        generation: 3,
        labels: { app: 'web' },
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': bigAnnotation, 'metallb.io/address-pool': 'first', 'metallb.universe.tf/allow-shared-ip': 'k' },
        managedFields: [{ manager: 'kubectl' }],
      },
      spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 }], sessionAffinity: 'None' },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.1', ipMode: 'VIP' }] } },
    },
    want: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'apps', uid: 'u1', resourceVersion: '7', labels: { app: 'web' }, annotations: { 'metallb.io/address-pool': 'first', 'metallb.universe.tf/allow-shared-ip': 'k' } },
      spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
      // ipMode is kept: the controller's status write carries it while the IP stays.
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.1', ipMode: 'VIP' }] } },
    },
  },
  {
    desc: 'a Node keeps labels, conditions and addresses, not its images',
    kind: 'Node',
    in: {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node1', labels: { 'kubernetes.io/hostname': 'node1' }, annotations: { 'node.alpha.kubernetes.io/ttl': '0' } },
      spec: { podCIDR: '10.244.0.0/24' },
      status: {
        conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2024-05-01T10:00:00Z', reason: 'KubeletReady' }],
        addresses: [{ type: 'InternalIP', address: '192.0.2.10' }],
        images: [{ names: ['registry.example/app:1'], sizeBytes: 1 }],
      },
    },
    want: {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node1', labels: { 'kubernetes.io/hostname': 'node1' }, annotations: {} },
      status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '192.0.2.10' }] },
    },
  },
  {
    desc: 'an EndpointSlice keeps addresses, node and conditions of each endpoint',
    kind: 'EndpointSlice',
    in: {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-abc', namespace: 'apps', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.1.0.1'], nodeName: 'node1', conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'web-1' }, zone: 'a' }],
      ports: [{ port: 8080 }],
    },
    want: {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-abc', namespace: 'apps', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.1.0.1'], nodeName: 'node1', conditions: { ready: true } }],
    },
  },
  {
    desc: 'a Namespace keeps its name and labels',
    kind: 'Namespace',
    in: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', labels: { team: 'a' } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } },
    want: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', labels: { team: 'a' } } },
  },
  {
    desc: 'a value of the wrong type is kept as it is, so the decoder names it',
    kind: 'Service',
    in: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', annotations: { 'example.com/n': 5, 'example.com/s': 'x' } }, spec: 'all', status: { loadBalancer: { ingress: 'none' } } },
    want: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', annotations: { 'example.com/n': 5 } }, spec: 'all', status: { loadBalancer: { ingress: 'none' } } },
  },
  {
    desc: 'a key named __proto__ stays a plain key',
    kind: 'Service',
    in: JSON.parse('{"kind":"Service","metadata":{"name":"p","labels":{"__proto__":"x"},"annotations":{"__proto__":"y","metallb.io/address-pool":"z"}}}'),
    want: JSON.parse('{"kind":"Service","metadata":{"name":"p","labels":{"__proto__":"x"},"annotations":{"metallb.io/address-pool":"z"}}}'),
  },
]

t.test('what each kind keeps', async (t) => {
  for (const row of exampleRows) t.strictSame(projectionOf(row.kind)?.(row.in), row.want, row.desc)
})

t.test('MetalLB kinds and ServiceL2Status are not projected', async (t) => {
  for (const kind of ['IPAddressPool', 'L2Advertisement', 'BGPPeer', 'Community', 'ServiceL2Status', 'ConfigurationState']) t.equal(projectionOf(kind), undefined, kind)
})

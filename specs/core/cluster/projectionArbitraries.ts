// Real-looking Services, Nodes, EndpointSlices and Namespaces for the projection property: the fields
// the decoders read carry values that matter to them (IPs good and bad, the annotations and labels
// MetalLB reads, both deprecated and current), now and then a value of the wrong type, and every
// level carries what other tools add (kubectl's last-applied-configuration, managedFields, image
// lists, slice hints, random extra fields). Objects are plain, as JSON.parse makes them.
import fc from 'fast-check'

const plain = { noNullPrototype: true } as const

/** A value of the wrong type for any field. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 4 }),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), { maxKeys: 2, ...plain }),
)

/** Mostly a good value, sometimes a wrong one. */
const field = <A>(good: fc.Arbitrary<A>): fc.Arbitrary<unknown> => fc.oneof({ arbitrary: good, weight: 8 }, { arbitrary: junk, weight: 1 })

/** A record whose every key may be absent, over which what other tools add is spread. */
const loose = (model: Record<string, fc.Arbitrary<unknown>>, extraKeys: fc.Arbitrary<string> = fc.string({ maxLength: 10 })): fc.Arbitrary<unknown> =>
  fc
    .tuple(fc.record(model, { requiredKeys: [], ...plain }), fc.dictionary(extraKeys, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2, ...plain }))
    .map(([known, extras]) => ({ ...extras, ...known }))

/** A list of `item`s, or now and then something that is not a list. */
const listOf = (item: fc.Arbitrary<unknown>, maxLength = 3): fc.Arbitrary<unknown> => field(fc.array(item, { maxLength }))

const text = fc.string({ maxLength: 6 })
const ipText = fc.constantFrom('192.0.2.1', '192.0.2.7', '2001:db8::1', '198.51.100.9', ' 203.0.113.5 ', 'not-an-ip', '', '192.0.2.1,2001:db8::5', '192.0.2.1,192.0.2.2')
/** Size does not matter to a decoder; a few hundred bytes stand for kubectl's last-applied-configuration. */
const bigText = fc.integer({ min: 10, max: 300 }).map((n) => `{"kind":"Service","x":"${'x'.repeat(n)}"}`)

const READ_ANNOTATIONS = [
  'metallb.io/loadBalancerIPs',
  'metallb.universe.tf/loadBalancerIPs',
  'metallb.io/address-pool',
  'metallb.universe.tf/address-pool',
  'metallb.io/allow-shared-ip',
  'metallb.universe.tf/allow-shared-ip',
  'metallb.io/ip-allocated-from-pool',
  'metallb.universe.tf/ip-allocated-from-pool',
]
const FOREIGN_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration', 'example.com/owner', 'metallb.io', 'xmetallb.io/address-pool', 'prometheus.io/scrape']

const annotations = fc.dictionary(
  fc.oneof(fc.constantFrom(...READ_ANNOTATIONS), fc.constantFrom(...FOREIGN_ANNOTATIONS), fc.string({ maxLength: 8 })),
  field(fc.oneof(ipText, fc.constantFrom('first-pool', 'team-a', 'shared', ''), bigText)),
  { maxKeys: 5, ...plain },
)

const LABEL_KEYS = ['kubernetes.io/service-name', 'node.kubernetes.io/exclude-from-external-load-balancers', 'metallb.io/node', 'app', 'team']
const labels = fc.dictionary(fc.oneof(fc.constantFrom(...LABEL_KEYS), fc.string({ maxLength: 6 })), field(fc.constantFrom('web', 'a', 'node1', '', 'x')), {
  maxKeys: 4,
  ...plain,
})

const timestamp = fc.constantFrom('2024-05-01T10:00:00Z', '2024-05-01T10:00:00.123+02:00', '2024-02-30T00:00:00Z', 'yesterday')

const managedFields = fc.array(loose({ manager: text, operation: fc.constantFrom('Update', 'Apply'), fieldsV1: fc.jsonValue({ maxDepth: 2 }) }), { maxLength: 2 })

/** `names` small, so two objects of one key (a duplicate the decoder must name) come up. */
const metadata = (names: fc.Arbitrary<string>): fc.Arbitrary<unknown> =>
  field(
    loose({
      name: field(names),
      namespace: field(fc.constantFrom('', 'default', 'apps')),
      uid: field(fc.uuid()),
      resourceVersion: field(fc.nat().map(String)),
      generation: fc.nat(),
      creationTimestamp: field(timestamp),
      labels: field(labels),
      annotations: field(annotations),
      managedFields,
      ownerReferences: fc.array(loose({ kind: text, name: text }), { maxLength: 1 }),
    }),
  )

const typeMeta = (apiVersion: string, kind: string) => ({
  apiVersion: field(fc.constant(apiVersion)),
  kind: field(fc.constant(kind)),
})

const names = fc.constantFrom('a', 'b', 'web', '')

const condition = (types: readonly string[]) =>
  loose({
    type: field(fc.constantFrom(...types)),
    status: field(fc.constantFrom('True', 'False', 'Unknown', 'Maybe')),
    reason: field(text),
    message: field(text),
    lastTransitionTime: field(timestamp),
    lastHeartbeatTime: timestamp,
    observedGeneration: field(fc.nat()),
  })

export const serviceArb: fc.Arbitrary<unknown> = loose({
  ...typeMeta('v1', 'Service'),
  metadata: metadata(names),
  spec: field(
    loose({
      type: field(fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName', 'Magic')),
      loadBalancerClass: field(fc.constantFrom('', 'metallb.io/metallb', 'example.com/other')),
      loadBalancerIP: field(ipText),
      ipFamilies: listOf(field(fc.constantFrom('IPv4', 'IPv6', 'IPv5')), 2),
      ipFamilyPolicy: field(fc.constantFrom('SingleStack', 'PreferDualStack', 'RequireDualStack', 'Sometimes')),
      clusterIP: field(fc.constantFrom('10.0.0.1', 'fd00::1', 'None', '')),
      clusterIPs: listOf(field(fc.constantFrom('10.0.0.1', 'fd00::1', 'None', '')), 2),
      ports: listOf(field(loose({ port: field(fc.integer({ min: 1, max: 65535 })), protocol: field(fc.constantFrom('TCP', 'UDP', 'SCTP', 'ICMP')), name: field(text), targetPort: fc.nat(), nodePort: fc.nat() }))),
      externalTrafficPolicy: field(fc.constantFrom('Cluster', 'Local', 'Nowhere')),
      selector: field(labels),
      sessionAffinity: fc.constantFrom('None', 'ClientIP'),
      allocateLoadBalancerNodePorts: fc.boolean(),
    }),
  ),
  status: field(
    loose({
      loadBalancer: field(
        loose({ ingress: listOf(field(loose({ ip: field(ipText), hostname: field(text), ipMode: fc.constantFrom('VIP', 'Proxy'), ports: fc.array(loose({ port: fc.nat() }), { maxLength: 1 }) }))) }),
      ),
      conditions: listOf(field(condition(['ironlb.io/IPAllocated', 'example.com/Ready']))),
    }),
  ),
})

export const nodeArb: fc.Arbitrary<unknown> = loose({
  ...typeMeta('v1', 'Node'),
  metadata: metadata(fc.constantFrom('node1', 'node2', '')),
  spec: loose({ podCIDR: text, unschedulable: fc.boolean() }),
  status: field(
    loose({
      conditions: listOf(field(condition(['NetworkUnavailable', 'Ready', 'MemoryPressure'])), 4),
      addresses: listOf(field(loose({ type: field(fc.constantFrom('InternalIP', 'ExternalIP', 'Hostname')), address: field(fc.constantFrom('192.0.2.10', '2001:db8::10', '198.51.100.3', 'node1')) })), 4),
      images: fc.array(loose({ names: fc.array(bigText, { maxLength: 2 }), sizeBytes: fc.nat() }), { maxLength: 3 }),
      nodeInfo: loose({ kernelVersion: text }),
    }),
  ),
})

export const endpointSliceArb: fc.Arbitrary<unknown> = loose({
  ...typeMeta('discovery.k8s.io/v1', 'EndpointSlice'),
  metadata: metadata(fc.constantFrom('web-abc', 'web-def', '')),
  addressType: field(fc.constantFrom('IPv4', 'IPv6', 'FQDN')),
  endpoints: listOf(
    field(
      loose({
        addresses: listOf(field(fc.constantFrom('10.1.0.1', 'fd00::5')), 2),
        nodeName: field(fc.constantFrom('node1', 'node2', '')),
        conditions: field(loose({ ready: field(fc.boolean()), serving: field(fc.boolean()), terminating: field(fc.boolean()) })),
        targetRef: loose({ kind: text, name: text }),
        zone: text,
        hints: loose({ forZones: fc.array(loose({ name: text }), { maxLength: 1 }) }),
      }),
    ),
  ),
  ports: fc.array(loose({ port: fc.nat(), name: text }), { maxLength: 2 }),
})

export const namespaceArb: fc.Arbitrary<unknown> = loose({
  ...typeMeta('v1', 'Namespace'),
  metadata: metadata(fc.constantFrom('apps', 'default', '')),
  spec: loose({ finalizers: fc.array(text, { maxLength: 1 }) }),
  status: loose({ phase: fc.constantFrom('Active', 'Terminating') }),
})

/** A cluster as the caches would hold it, by the kind each cache was started for. */
export interface CachedObjects {
  readonly Service: readonly unknown[]
  readonly Node: readonly unknown[]
  readonly EndpointSlice: readonly unknown[]
  readonly Namespace: readonly unknown[]
}

export const clusterArb: fc.Arbitrary<CachedObjects> = fc.record({
  Service: fc.array(serviceArb, { maxLength: 3 }),
  Node: fc.array(nodeArb, { maxLength: 3 }),
  EndpointSlice: fc.array(endpointSliceArb, { maxLength: 2 }),
  Namespace: fc.array(namespaceArb, { maxLength: 2 }),
})

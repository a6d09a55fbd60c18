import t from 'tap'
import fc from 'fast-check'
import { type ClusterObjects, decodeClusterObjects } from '../../../core/cluster/decodeCluster.js'

const mkService = (name: string, spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}, status?: unknown) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'apps', ...meta },
  spec: { type: 'LoadBalancer', ...spec },
  ...(status === undefined ? {} : { status }),
})

const problemLines = (r: ClusterObjects): string[] => r.problems.map((p) => `${p.kind} ${p.namespace}/${p.name} ${p.field}: ${p.message}`)

const problemRows: ReadonlyArray<{ desc: string; in: unknown; services: number; want: string[] }> = [
  { desc: 'unknown type', in: mkService('s', { type: 'Magic' }), services: 0, want: ['Service apps/s spec.type: expected one of "ClusterIP", "NodePort", "LoadBalancer", "ExternalName", got "Magic"'] },
  { desc: 'port not a number', in: mkService('s', { ports: [{ port: '80' }] }), services: 0, want: ['Service apps/s spec.ports[0].port: expected a whole number, got "80"'] },
  { desc: 'no name', in: { apiVersion: 'v1', kind: 'Service', metadata: {} }, services: 0, want: ['Service default/(unnamed object #1) metadata.name: is missing (expected a string)'] },
  {
    desc: 'bad ingress IP is dropped, the Service kept',
    in: mkService('s', {}, {}, { loadBalancer: { ingress: [{ ip: 'x' }, { ip: '192.0.2.9' }] } }),
    services: 1,
    want: ['Service apps/s status.loadBalancer.ingress[0].ip: "x" is not a valid IP address; the entry is ignored'],
  },
  {
    desc: 'bad timestamp is dropped, the Service kept',
    in: mkService('s', {}, { creationTimestamp: 'yesterday' }),
    services: 1,
    want: ['Service apps/s metadata.creationTimestamp: "yesterday" is not an RFC 3339 timestamp; it is ignored'],
  },
  { desc: 'a Node without a name', in: { apiVersion: 'v1', kind: 'Node', metadata: { name: '' } }, services: 0, want: ['Node /(unnamed object #1) metadata.name: a name is required'] },
  { desc: 'another kind is ignored silently', in: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: 5 }, services: 0, want: [] },
  { desc: 'a MetalLB kind is ignored silently', in: { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'p' } }, services: 0, want: [] },
]

t.test('malformed objects are skipped with a problem', async (t) => {
  for (const row of problemRows) {
    const r = decodeClusterObjects([row.in])
    t.equal(r.services.length, row.services, `${row.desc}: services`)
    t.same(problemLines(r), row.want, row.desc)
  }
})

t.test('a malformed Service does not hide a good one', async (t) => {
  const r = decodeClusterObjects([mkService('bad', { ports: 'all' }), mkService('good')])
  t.same(r.services.map((s) => s.name), ['good'])
  t.equal(r.problems.length, 1)
})

t.test('duplicates keep the first; outputs are sorted', async (t) => {
  const r = decodeClusterObjects([
    mkService('b'),
    mkService('a', { loadBalancerClass: 'first' }),
    mkService('a', { loadBalancerClass: 'second' }),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'zeta' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'alpha', labels: { team: 'x' } } },
  ])
  t.same(r.services.map((s) => `${s.name}:${s.loadBalancerClass ?? ''}`), ['a:first', 'b:'])
  t.same(r.namespaces, [
    { name: 'alpha', labels: { team: 'x' } },
    { name: 'zeta', labels: {} },
  ])
  t.same(problemLines(r), ['Service apps/a metadata.name: another Service with this name came earlier; this one is skipped'])
})

const kindShaped = fc.record({
  apiVersion: fc.constantFrom('v1', 'discovery.k8s.io/v1'),
  kind: fc.constantFrom('Service', 'Namespace', 'Node', 'EndpointSlice'),
  metadata: fc.oneof(
    fc.record(
      {
        name: fc.constantFrom('a', 'b', ''),
        namespace: fc.constantFrom('apps', ''),
        labels: fc.dictionary(fc.constantFrom('kubernetes.io/service-name', 'x'), fc.constantFrom('web', '')),
        annotations: fc.dictionary(fc.constantFrom('metallb.io/loadBalancerIPs', 'metallb.universe.tf/address-pool', 'metallb.io/allow-shared-ip'), fc.constantFrom('192.0.2.1', '1.2.3.4,::1', 'x', '')),
        creationTimestamp: fc.constantFrom('2024-01-01T00:00:00Z', 'x'),
      },
      { requiredKeys: [] },
    ),
    fc.jsonValue(),
  ),
  spec: fc.oneof(
    fc.record(
      {
        type: fc.constantFrom('LoadBalancer', 'ClusterIP', 'x'),
        clusterIPs: fc.array(fc.constantFrom('10.0.0.1', 'fd00::1', 'None', 'x')),
        ports: fc.array(fc.record({ port: fc.oneof(fc.integer(), fc.jsonValue()), protocol: fc.constantFrom('TCP', 'UDP', 'ICMP') })),
        loadBalancerIP: fc.constantFrom('', '192.0.2.1', 'x'),
      },
      { requiredKeys: [] },
    ),
    fc.jsonValue(),
  ),
  status: fc.jsonValue(),
  endpoints: fc.oneof(fc.jsonValue(), fc.array(fc.record({ addresses: fc.array(fc.string()), nodeName: fc.string(), conditions: fc.jsonValue() }))),
})

t.test('never throws, and every problem names its object and field', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.jsonValue(), kindShaped), { maxLength: 8 }), (objects) => {
      const r = decodeClusterObjects(objects)
      return r.problems.every((p) => p.kind !== '' && p.name !== '' && typeof p.field === 'string' && p.message !== '')
    }),
    { numRuns: 500 },
  )
  t.pass('total')
})

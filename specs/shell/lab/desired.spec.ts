// What the lab's kube-proxy and EndpointSlice stand-ins want, from Services: example tables for the
// rules, and properties for the plans (applying a plan reaches the goal; a second plan is empty).
import t from 'tap'
import fc from 'fast-check'
import {
  addressPlan,
  canonicalIP,
  desiredSlices,
  ENDPOINTS_ANNOTATION,
  parseOverrides,
  serviceIPs,
  sliceObject,
  slicePlan,
  slimService,
  withOverride,
  type LabNode,
  type SlimService,
} from '../../../shell/lab/desired.js'

const NODES: LabNode[] = [
  { name: 'node1', v4: '198.51.100.11', v6: '2001:db8:100::11' },
  { name: 'node2', v4: '198.51.100.12', v6: '2001:db8:100::12' },
  { name: 'node3', v4: '198.51.100.13', v6: '2001:db8:100::13' },
]
const NAMES = NODES.map((n) => n.name)

const mkService = (over: Partial<SlimService> = {}): SlimService => ({
  namespace: 'default',
  name: 'web',
  uid: 'uid-web',
  type: 'LoadBalancer',
  families: ['IPv4'],
  ports: [{ name: 'http', protocol: 'TCP' }],
  ingressIPs: [],
  annotations: {},
  ...over,
})

t.test('slimService reads what the API returns and tolerates what it lacks', async (t) => {
  const raw = {
    metadata: { name: 'web', namespace: 'shop', uid: 'u1', annotations: { [ENDPOINTS_ANNOTATION]: 'node2=absent', n: 3 } },
    spec: { type: 'LoadBalancer', ipFamilies: ['IPv6', 'IPv4'], ports: [{ name: 'http', port: 8080 }, { port: 53, protocol: 'UDP' }] },
    status: { loadBalancer: { ingress: [{ ip: '198.51.100.200' }, { hostname: 'x.example' }, { ip: '2001:db8:100::200' }] } },
  }
  t.same(slimService(raw), {
    namespace: 'shop',
    name: 'web',
    uid: 'u1',
    type: 'LoadBalancer',
    families: ['IPv6', 'IPv4'],
    ports: [
      { name: 'http', protocol: 'TCP' },
      { name: '', protocol: 'UDP' },
    ],
    ingressIPs: ['198.51.100.200', '2001:db8:100::200'],
    annotations: { [ENDPOINTS_ANNOTATION]: 'node2=absent' },
  })
  t.same(slimService({ metadata: { name: 'x', namespace: 'y' } })?.families, ['IPv4'], 'single-stack IPv4 by default')
  t.equal(slimService({ spec: {} }), undefined)
  t.equal(slimService(null), undefined)
  t.equal(slimService('garbage'), undefined)
})

t.test('serviceIPs: LoadBalancer ingress only, canonical, documentation ranges only, each skip named', async (t) => {
  const got = serviceIPs([
    mkService({ ingressIPs: ['198.51.100.200', '2001:0DB8:100:0::0200'] }),
    mkService({ name: 'other', ingressIPs: ['198.51.100.200', '10.1.2.3', 'not-an-ip'] }),
    mkService({ name: 'cip', type: 'ClusterIP', ingressIPs: ['198.51.100.201'] }),
  ])
  t.same(got.ips, ['198.51.100.200', '2001:db8:100::200'])
  t.same(got.skipped, [
    { _tag: 'NotDocumentationRange', ip: '10.1.2.3', service: 'default/other' },
    { _tag: 'NotAnAddress', ip: 'not-an-ip', service: 'default/other' },
  ])
})

t.test('canonicalIP', async (t) => {
  const rows = [
    { in: '2001:0db8:0100:0000:0000:0000:0000:0200', want: '2001:db8:100::200' },
    { in: '2001:DB8::1', want: '2001:db8::1' },
    { in: '198.51.100.7', want: '198.51.100.7' },
    { in: '198.51.100', want: undefined },
    { in: '', want: undefined },
  ]
  for (const r of rows) t.equal(canonicalIP(r.in), r.want, r.in)
})

t.test('addressPlan never touches link-local addresses and reaches the goal', async (t) => {
  t.same(addressPlan(['198.51.100.200'], ['198.51.100.201', 'fe80::1', '198.51.100.200']), { add: [], remove: ['198.51.100.201'] })
  const ip = fc.oneof(
    fc.integer({ min: 1, max: 254 }).map((n) => `198.51.100.${n}`),
    fc.integer({ min: 1, max: 0xffff }).map((n) => `2001:db8:100::${n.toString(16)}`),
  )
  fc.assert(
    fc.property(fc.uniqueArray(ip), fc.uniqueArray(ip), (desired, actual) => {
      const plan = addressPlan(desired, actual)
      const after = new Set([...actual.filter((a) => !plan.remove.includes(a)), ...plan.add])
      const again = addressPlan(desired, [...after])
      return after.size === desired.length && desired.every((d) => after.has(d)) && again.add.length === 0 && again.remove.length === 0
    }),
  )
})

t.test('endpoint overrides: the annotation', async (t) => {
  const rows = [
    { desc: 'absent annotation: all ready', in: undefined, want: { states: [], errors: [] } },
    { desc: 'two nodes', in: 'node2=notready, node3=absent', want: { states: [['node2', 'notready'], ['node3', 'absent']], errors: [] } },
    { desc: 'terminating', in: 'node1=terminating', want: { states: [['node1', 'terminating']], errors: [] } },
    { desc: 'unknown node and state are reported, the rest kept', in: 'node9=absent,node1=sleepy,node2=absent', want: { states: [['node2', 'absent']], errors: ['unknown node in "node9=absent"', 'unknown state in "node1=sleepy" (ready, notready, terminating, absent)'] } },
  ]
  for (const r of rows) {
    const o = parseOverrides(r.in, NAMES)
    t.equal(o._tag, 'Managed', r.desc)
    if (o._tag === 'Managed') t.same({ states: [...o.states], errors: o.errors }, r.want, r.desc)
  }
  t.same(parseOverrides(' none ', NAMES), { _tag: 'None' })
  t.equal(withOverride(undefined, NAMES, 'node2', 'notready'), 'node2=notready')
  t.equal(withOverride('node2=notready,node3=absent', NAMES, 'node2', 'ready'), 'node3=absent', 'ready is the default: the entry goes')
  t.equal(withOverride('none', NAMES, 'node1', 'absent'), 'node1=absent')
})

t.test('desiredSlices: one slice per family, one endpoint per node, port 80', async (t) => {
  const slices = desiredSlices(
    [
      mkService({ families: ['IPv4', 'IPv6'], annotations: { [ENDPOINTS_ANNOTATION]: 'node2=notready,node3=absent' } }),
      mkService({ name: 'plain', type: 'ClusterIP' }),
      mkService({ name: 'own', annotations: { [ENDPOINTS_ANNOTATION]: 'none' } }),
    ],
    NODES,
  )
  t.same(
    slices.map((s) => ({ name: s.name, type: s.addressType, eps: s.endpoints.map((e) => [e.nodeName, e.addresses[0], e.conditions.ready]), ports: s.ports })),
    [
      { name: 'web-lab-ipv4', type: 'IPv4', eps: [['node1', '198.51.100.11', true], ['node2', '198.51.100.12', false]], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
      { name: 'web-lab-ipv6', type: 'IPv6', eps: [['node1', '2001:db8:100::11', true], ['node2', '2001:db8:100::12', false]], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    ],
  )
  const obj = sliceObject(slices[0]!) as { metadata: { labels: Record<string, string>; ownerReferences: { uid: string }[] } }
  t.equal(obj.metadata.labels['kubernetes.io/service-name'], 'web')
  t.equal(obj.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'lab.ironlb.dev')
  t.equal(obj.metadata.ownerReferences[0]?.uid, 'uid-web')
})

t.test('slicePlan: writes only what differs, removes what is no longer wanted', async (t) => {
  const want = desiredSlices([mkService(), mkService({ name: 'api', families: ['IPv6'] })], NODES)
  const inApi = want.map(sliceObject)
  t.same(slicePlan(want, inApi), { apply: [], remove: [] }, 'nothing to do when the API has it all')
  const stale = { metadata: { namespace: 'old', name: 'gone-lab-ipv4' } }
  const changed = desiredSlices([mkService({ annotations: { [ENDPOINTS_ANNOTATION]: 'node1=absent' } }), mkService({ name: 'api', families: ['IPv6'] })], NODES)
  const plan = slicePlan(changed, [...inApi, stale])
  t.same(plan.apply.map((s) => s.name), ['web-lab-ipv4'])
  t.same(plan.remove, [{ namespace: 'old', name: 'gone-lab-ipv4' }])
  // The API adds fields of its own (metadata, defaults): they do not count as a difference.
  const decorated = inApi.map((o) => ({ ...o, metadata: { ...(o as { metadata: object }).metadata, resourceVersion: '7', managedFields: [] } }))
  t.same(slicePlan(want, decorated), { apply: [], remove: [] })
})

import t from 'tap'
import fc from 'fast-check'
import { decodeClusterObjects } from '../../../core/cluster/decodeCluster.js'
import { formatIP } from '../../../core/net/address.js'

const mkService = (name: string, spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}, status?: unknown) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'apps', ...meta },
  spec: { type: 'LoadBalancer', ...spec },
  ...(status === undefined ? {} : { status }),
})

t.test('a full Service', async (t) => {
  const r = decodeClusterObjects([
    mkService(
      'web',
      {
        loadBalancerClass: 'ironlb',
        ipFamilies: ['IPv6', 'IPv4'],
        ipFamilyPolicy: 'PreferDualStack',
        clusterIPs: ['fd00::10', '10.96.0.10'],
        ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }],
        externalTrafficPolicy: 'Local',
        selector: { app: 'web' },
      },
      {
        labels: { tier: 'front' },
        annotations: { 'metallb.io/address-pool': 'gold', 'metallb.io/allow-shared-ip': 'k', 'metallb.io/loadBalancerIPs': '192.0.2.1' },
        creationTimestamp: '2024-05-01T10:00:00Z',
      },
      { loadBalancer: { ingress: [{ ip: '192.0.2.1' }, { hostname: 'lb.example.com' }] } },
    ),
  ])
  t.same(r.problems, [])
  const s = r.services[0]
  t.equal(s?.key, 'apps/web')
  t.equal(s?.type, 'LoadBalancer')
  t.equal(s?.loadBalancerClass, 'ironlb')
  t.same(s?.ipFamilies, [6, 4])
  t.equal(s?.ipFamilyPolicy, 'PreferDualStack')
  t.same(s?.clusterIPFamilies, [6, 4])
  t.same(s?.ports, [
    { protocol: 'TCP', port: 80 },
    { protocol: 'UDP', port: 53 },
  ])
  t.equal(s?.externalTrafficPolicy, 'Local')
  t.same(s?.selector, { app: 'web' })
  t.same(s?.labels, { tier: 'front' })
  t.equal(s?.pinnedPool, 'gold')
  t.equal(s?.sharingKey, 'k')
  t.same(s?.request._tag === 'Specific' ? s.request.ips.map(formatIP) : s?.request, ['192.0.2.1'])
  t.same(s?.ingressIPs.map(formatIP), ['192.0.2.1'], 'hostname-only ingress entries carry no address')
  t.equal(s?.creationTimestamp, '2024-05-01T10:00:00.000Z')
})

const defaultRows: ReadonlyArray<{ desc: string; in: unknown; want: Record<string, unknown> }> = [
  {
    desc: 'API server defaults',
    in: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } },
    want: { key: 'default/s', type: 'ClusterIP', ipFamilyPolicy: 'SingleStack', externalTrafficPolicy: 'Cluster', loadBalancerClass: undefined },
  },
  { desc: 'clusterIP when clusterIPs is empty', in: mkService('s', { clusterIP: '10.96.0.1' }), want: { clusterIPFamilies: [4] } },
  { desc: 'headless', in: mkService('s', { clusterIP: 'None' }), want: { clusterIPFamilies: [] } },
  { desc: 'clusterIPs win over clusterIP', in: mkService('s', { clusterIP: '10.96.0.1', clusterIPs: ['fd00::1'] }), want: { clusterIPFamilies: [6] } },
  { desc: 'ipFamilies unset', in: mkService('s'), want: { ipFamilies: [] } },
]

t.test('defaults and derived fields', async (t) => {
  for (const row of defaultRows) {
    const s = decodeClusterObjects([row.in]).services[0] as unknown as Record<string, unknown> | undefined
    for (const [k, v] of Object.entries(row.want)) t.same(s?.[k], v, `${row.desc}: ${k}`)
  }
})


t.test('what a live Service shows, read by the same decode (the controller writes against it)', async (t) => {
  const NOW = '2026-11-27T10:00:00Z'
  const CONDITION = 'ironlb.io/IPAllocated'
  const r = decodeClusterObjects([
    mkService(
      'a',
      {},
      { namespace: 'ns', annotations: { 'metallb.io/ip-allocated-from-pool': 'p' }, uid: 'u-1', resourceVersion: '42' },
      { loadBalancer: { ingress: [{ ip: '192.0.2.1', ipMode: 'VIP' }, { hostname: 'x' }] }, conditions: [{ type: CONDITION, status: 'True', reason: 'IPAllocated', message: 'm', lastTransitionTime: NOW }, { bogus: 1 }] },
    ),
  ])
  const s = r.shown.get(r.services[0]?.key ?? ('' as never))
  t.same(
    s === undefined ? undefined : { key: s.key, ingressIPs: s.ingressIPs, annotations: s.annotations, conditions: s.conditions },
    { key: 'ns/a', ingressIPs: ['192.0.2.1'], annotations: { 'metallb.io/ip-allocated-from-pool': 'p' }, conditions: [{ type: CONDITION, status: 'True', reason: 'IPAllocated', message: 'm', lastTransitionTime: NOW }] },
    'a malformed condition is left out, hostname-only ingress carries no IP',
  )
  t.same([s?.namespace, s?.name, s?.uid, s?.resourceVersion], ['ns', 'a', 'u-1', '42'])
  t.same(s?.ingressExtras, { '192.0.2.1': { ipMode: 'VIP' } }, "the entry's ipMode, which a status write keeps")

  const odd = decodeClusterObjects([mkService('b', {}, { uid: 7, resourceVersion: { v: 1 } }, { loadBalancer: { ingress: [{ ip: '2001:DB8::1' }] }, conditions: 'none' })])
  const b = odd.shown.get(odd.services[0]?.key ?? ('' as never))
  t.same([b?.uid, b?.resourceVersion, b?.conditions, b?.ingressIPs], [undefined, undefined, [], ['2001:DB8::1']], 'malformed versions and conditions read as absent; the IP as written')
  t.same(odd.problems, [], 'none of that costs the Service its place')

  fc.assert(
    fc.property(fc.jsonValue(), fc.jsonValue(), (metadata, status) => {
      const d = decodeClusterObjects([{ apiVersion: 'v1', kind: 'Service', metadata, status }])
      return d.services.every((svc) => typeof d.shown.get(svc.key)?.key === 'string') && d.shown.size === d.services.length
    }),
  )
})

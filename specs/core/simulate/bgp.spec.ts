// The BGP part of a simulation: one row per (IP, node, peer, prefix) with communities and localPref
// (iBGP only), a --down node's rows gone and no other row changed, the JSON row shape, and the BGP
// table; every row is what core/bgp/advertise.ts decides for that node.
import t from 'tap'
import { renderJson } from '../../../core/simulate/report.js'
import { simulate } from '../../../core/simulate/simulate.js'
import { renderTable } from '../../../core/simulate/table.js'

const NS = 'metallb-system'
const cfg = (kind: string, name: string, spec: Record<string, unknown>, apiVersion = 'metallb.io/v1beta1') => ({ apiVersion, kind, metadata: { name, namespace: NS }, spec })
const node = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels } })
const service = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { type: 'LoadBalancer', ports: [{ port: 80 }], ...spec },
})
const slice = (svc: string, ...nodes: string[]) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${svc}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
  endpoints: nodes.map((nodeName) => ({ addresses: ['10.244.0.1'], nodeName })),
})

const objects = [
  cfg('IPAddressPool', 'p', { addresses: ['198.51.100.0/28'] }),
  cfg('BGPPeer', 'ext', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1' }, 'metallb.io/v1beta2'),
  cfg('BGPPeer', 'int', { myASN: 64500, peerASN: 64500, peerAddress: '192.0.2.2', nodeSelectors: [{ matchLabels: { rack: 'b' } }] }, 'metallb.io/v1beta2'),
  cfg('BGPAdvertisement', 'agg', { aggregationLength: 28, localPref: 150, communities: ['64500:7', 'large:64500:1:2'] }),
  node('n1', { rack: 'a' }),
  node('n2', { rack: 'b' }),
  service('web'),
  slice('web', 'n1'),
  service('local', { externalTrafficPolicy: 'Local' }),
  slice('local', 'n2'),
]
const options = { namespace: NS, loadBalancerClass: undefined }

const rows = (r: ReturnType<typeof simulate>): string[] =>
  r.report.announcements.flatMap((a) =>
    a.protocol === 'bgp' ? [`${a.service} ${a.ip} ${a.node} -> ${a.peer}: ${a.prefix} [${a.communities.join(' ')}] lp=${a.localPref ?? '-'}`] : [],
  )

t.test('a row per IP, node, peer and prefix', async (t) => {
  const r = simulate(objects, options)
  t.equal(r.exitCode, 0)
  t.same(rows(r), [
    'default/local 198.51.100.0 n2 -> ext: 198.51.100.0/28 [64500:7 large:64500:1:2] lp=-',
    'default/local 198.51.100.0 n2 -> int: 198.51.100.0/28 [64500:7 large:64500:1:2] lp=150',
    'default/web 198.51.100.1 n1 -> ext: 198.51.100.0/28 [64500:7 large:64500:1:2] lp=-',
    'default/web 198.51.100.1 n2 -> ext: 198.51.100.0/28 [64500:7 large:64500:1:2] lp=-',
    'default/web 198.51.100.1 n2 -> int: 198.51.100.0/28 [64500:7 large:64500:1:2] lp=150',
  ])
  t.match(renderJson(r.report), '{"service": "default/web", "ip": "198.51.100.1", "protocol": "bgp", "node": "n1", "peer": "ext", "prefix": "198.51.100.0/28", "communities": ["64500:7", "large:64500:1:2"], "localPref": null}')
  const table = renderTable(r.report, r.layer2)
  t.match(table, /SERVICE\s+IP\s+BGP NODE\s+PEER\s+PREFIX\s+COMMUNITIES\s+LOCALPREF/)
  t.match(table, /default\/web\s+198\.51\.100\.1\s+n2\s+int\s+198\.51\.100\.0\/28\s+64500:7,large:64500:1:2\s+150/)
})

t.test('--down: the node\'s own rows go, no other row changes', async (t) => {
  const all = rows(simulate(objects, options))
  const down = rows(simulate(objects, { ...options, down: ['n2'] }))
  t.same(down, all.filter((l) => !/ n2 -> /.test(l)))
  t.ok(down.length < all.length)
})

t.test('no BGPPeer: no BGP rows and no BGP table', async (t) => {
  const r = simulate(objects.filter((o) => o.kind !== 'BGPPeer'), options)
  t.same(rows(r), [])
  t.notMatch(renderTable(r.report, r.layer2), /BGP NODE/)
})

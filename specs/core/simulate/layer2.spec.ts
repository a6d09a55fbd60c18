// The Layer 2 part of a simulation, on parsed objects: announcements with interface names or "*",
// the reasons shown for IPs nobody announces (only for IPs, and not those the services table
// already explains), and --down names checked against the Nodes.
import t from 'tap'
import { simulate } from '../../../core/simulate/simulate.js'
import { renderTable } from '../../../core/simulate/table.js'

const meta = (name: string, namespace = 'default', extra: Record<string, unknown> = {}) => ({ name, namespace, ...extra })
const pool = { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: meta('p', 'metallb-system'), spec: { addresses: ['192.0.2.0/28'] } }
const l2 = (spec: Record<string, unknown>) => ({ apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: meta('l2', 'metallb-system'), spec })
const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } })
const service = (name: string, created: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: meta(name, 'default', { creationTimestamp: created }),
  spec: { type: 'LoadBalancer', ports: [{ port: 80 }], ...spec },
})
const slice = (svc: string, nodeName: string) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: meta(`${svc}-x`, 'default', { labels: { 'kubernetes.io/service-name': svc } }),
  endpoints: [{ addresses: ['10.244.0.1'], nodeName }],
})

const objects = [
  pool,
  node('n1'),
  node('n2'),
  service('web', '2026-01-01T00:00:00Z'),
  slice('web', 'n1'),
  service('idle', '2026-01-02T00:00:00Z'),
  service('cip', '2026-01-03T00:00:00Z', { type: 'ClusterIP' }),
]

t.test('announcements and the reasons for the rest', async (t) => {
  const all = simulate([...objects, l2({})], { namespace: 'metallb-system', loadBalancerClass: undefined })
  t.same(all.layer2.announcements.map((a) => [a.service, a.ip, a.protocol, a.interfaces]), [['default/web', '192.0.2.0', 'layer2', ['*']]])
  t.ok(['n1', 'n2'].includes(all.report.announcements[0]?.node ?? ''))
  t.same(all.layer2.unannounced.map((u) => [u.service, u.ip, u.reason]), [['default/idle', '192.0.2.1', 'NoEndpoints']], 'the ClusterIP Service is the services table\'s business')
  const named = simulate([...objects, l2({ interfaces: ['eth1', 'eth0'] })], { namespace: 'metallb-system', loadBalancerClass: undefined })
  t.same(named.layer2.announcements[0]?.interfaces, ['eth0', 'eth1'])
  const table = renderTable(all.report, all.layer2)
  t.match(table, /SERVICE\s+IP\s+L2 NODE\s+INTERFACES\s+WHY NOT ANNOUNCED/)
  t.match(table, /default\/idle\s+192\.0\.2\.1\s+-\s+-\s+NoEndpoints: no endpoint/)
})

t.test('without an L2Advertisement nothing is announced, and the table says so', async (t) => {
  const r = simulate(objects, { namespace: 'metallb-system', loadBalancerClass: undefined })
  t.same(r.report.announcements, [])
  t.same(r.layer2.unannounced.map((u) => u.reason), ['NoMatchingAdvertisement', 'NoMatchingAdvertisement'])
})

t.test('--down', async (t) => {
  const up = simulate([...objects, l2({})], { namespace: 'metallb-system', loadBalancerClass: undefined })
  const owner = up.report.announcements[0]?.node ?? ''
  const other = owner === 'n1' ? 'n2' : 'n1'
  const r = simulate([...objects, l2({})], { namespace: 'metallb-system', loadBalancerClass: undefined, down: [owner, owner] })
  t.same(r.report.announcements.map((a) => a.node), [other], 'the other node takes over')
  t.same([r.layer2.down, r.layer2.unknownDown], [[owner], []])
  t.same(simulate([...objects, l2({})], { namespace: 'metallb-system', loadBalancerClass: undefined, down: ['zz', 'n1'] }).layer2.unknownDown, ['zz'])
  t.match(renderTable(r.report, r.layer2), new RegExp(`NODES DOWN: ${owner}\\n`))
})

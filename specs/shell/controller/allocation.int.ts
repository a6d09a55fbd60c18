// The allocation rules end to end: the real controller binary against a real API server. Each
// subtest makes Services as a user would and waits for what the controller writes.
import t from 'tap'
import { ensureOk } from '../../../shell/kube/rest.js'
import { eventually, list, remove } from '../../support/kube.js'
import { type Fixture, type LiveService, conditionOf, ingressOf, startFixture } from './fixture.js'

const POOL_ANNOTATION = 'metallb.io/ip-allocated-from-pool'

let f: Fixture
let ns: string
t.before(async () => {
  f = await startFixture('alloc')
  ns = await f.mkNamespace()
  await f.applyPool('a-general', { addresses: ['198.51.100.0-198.51.100.3'] })
  await f.applyPool('b-dual', { addresses: ['198.51.100.16/30', '2001:db8:16::/126'] })
  await f.applyPool('c-reserved', { addresses: ['203.0.113.0/30'], autoAssign: false })
  await f.applyPool('d-gold', { addresses: ['192.0.2.0/30'], serviceAllocation: { priority: 1, serviceSelectors: [{ matchLabels: { tier: 'gold' } }] } })
  await f.applyPool('e-team', { addresses: ['192.0.2.16/30'], serviceAllocation: { priority: 2, namespaceSelectors: [{ matchLabels: { team: 'blue' } }] } })
  await f.applyPool('f-single', { addresses: ['203.0.113.16/32'], autoAssign: false })
  await f.startController('alloc-0')
})
t.teardown(async () => {
  const logs = f.controllers[0]?.logs() ?? ''
  if (t.passing() === false) console.error(logs.split('\n').slice(-40).join('\n'))
  await f.stop()
})

const assignedIPs = (s: LiveService): boolean => ingressOf(s).length > 0
const pendingWith = (reason: string) => (s: LiveService) => conditionOf(s)?.status === 'False' && conditionOf(s)?.reason === reason

t.test('automatic: the lowest free address of the first general pool, with annotation, condition and one Event', async (t) => {
  await f.mkService(ns, 'web')
  const web = await f.waitService(ns, 'web', 'an IP', (s) => assignedIPs(s) && s.metadata.annotations?.[POOL_ANNOTATION] !== undefined)
  t.same(ingressOf(web), ['198.51.100.0'])
  t.equal(web.metadata.annotations?.[POOL_ANNOTATION], 'a-general')
  t.match(conditionOf(web), { status: 'True', reason: 'IPAllocated' })
  // The controller records Events after the status and annotation writes: wait for the first, then count.
  const allocatedEvents = async () =>
    (await list<{ involvedObject: { name: string }; reason: string }>(f.rest, 'v1', 'Event', ns)).filter((e) => e.involvedObject.name === 'web' && e.reason === 'IPAllocated')
  await eventually('an IPAllocated Event for web', 30_000, async () => ((await allocatedEvents()).length > 0 ? true : undefined))
  await new Promise((r) => setTimeout(r, 1_000))
  t.equal((await allocatedEvents()).length, 1, 'one IPAllocated Event')
})

t.test('requested IPs: the annotation and the deprecated spec field; both at once is refused', async (t) => {
  await f.mkService(ns, 'want-3', { annotations: { 'metallb.io/loadBalancerIPs': '198.51.100.3' } })
  await f.mkService(ns, 'want-2', { loadBalancerIP: '198.51.100.2' })
  await f.mkService(ns, 'want-both', { annotations: { 'metallb.io/loadBalancerIPs': '198.51.100.1' }, loadBalancerIP: '198.51.100.1' })
  t.same(ingressOf(await f.waitService(ns, 'want-3', 'its IP', assignedIPs)), ['198.51.100.3'])
  t.same(ingressOf(await f.waitService(ns, 'want-2', 'its IP', assignedIPs)), ['198.51.100.2'])
  const both = await f.waitService(ns, 'want-both', 'pending', pendingWith('InvalidIPRequest'))
  t.same(ingressOf(both), [])
  t.match(conditionOf(both)?.message ?? '', /loadBalancerIP/)
})

t.test('a pinned pool ignores autoAssign; an automatic Service never gets a reserved address', async (t) => {
  await f.mkService(ns, 'pinned', { annotations: { 'metallb.io/address-pool': 'c-reserved' } })
  // Status and annotation are two writes (as in MetalLB): wait for both.
  const pinned = await f.waitService(ns, 'pinned', 'an IP and the pool annotation', (s) => assignedIPs(s) && s.metadata.annotations?.[POOL_ANNOTATION] !== undefined)
  t.same(ingressOf(pinned), ['203.0.113.0'])
  t.equal(pinned.metadata.annotations?.[POOL_ANNOTATION], 'c-reserved')
})

t.test('serviceAllocation: service selectors and namespace selectors, by priority', async (t) => {
  await f.mkService(ns, 'gold', { labels: { tier: 'gold' } })
  t.same(ingressOf(await f.waitService(ns, 'gold', 'an IP', assignedIPs)), ['192.0.2.0'])
  const blue = await f.mkNamespace({ team: 'blue' })
  await f.mkService(blue, 'teamsvc')
  t.same(ingressOf(await f.waitService(blue, 'teamsvc', 'an IP', assignedIPs)), ['192.0.2.16'])
  await f.mkService(blue, 'gold-in-blue', { labels: { tier: 'gold' } })
  t.same(ingressOf(await f.waitService(blue, 'gold-in-blue', 'an IP', assignedIPs)), ['192.0.2.1'], 'priority 1 beats priority 2')
})

t.test('sharing: one key, different ports, one IP; a port clash gets another IP', async (t) => {
  const key = { 'metallb.io/allow-shared-ip': 'dns' }
  await f.mkService(ns, 'dns-tcp', { annotations: key, selector: { app: 'dns' }, ports: [{ port: 53, protocol: 'TCP' }], loadBalancerIP: '198.51.100.17' })
  await f.mkService(ns, 'dns-udp', { annotations: { ...key, 'metallb.io/loadBalancerIPs': '198.51.100.17' }, selector: { app: 'dns' }, ports: [{ port: 53, protocol: 'UDP' }] })
  const tcp = await f.waitService(ns, 'dns-tcp', 'an IP', assignedIPs)
  const udp = await f.waitService(ns, 'dns-udp', 'an IP', assignedIPs)
  t.same([ingressOf(tcp), ingressOf(udp)], [['198.51.100.17'], ['198.51.100.17']])
  await f.mkService(ns, 'dns-clash', { annotations: { ...key, 'metallb.io/loadBalancerIPs': '198.51.100.17' }, selector: { app: 'dns' }, ports: [{ port: 53, protocol: 'TCP' }] })
  const clash = await f.waitService(ns, 'dns-clash', 'pending', pendingWith('SharingConflict'))
  t.same(ingressOf(clash), [])
})

t.test('dual-stack: both families from one pool, IPv4 first', async (t) => {
  await f.mkService(ns, 'dual', { ipFamilyPolicy: 'RequireDualStack' })
  const dual = await f.waitService(ns, 'dual', 'two IPs and the pool annotation', (s) => ingressOf(s).length === 2 && s.metadata.annotations?.[POOL_ANNOTATION] !== undefined)
  const [v4, v6] = ingressOf(dual)
  t.ok(v4 !== undefined && v4.startsWith('198.51.100.'), `IPv4 first: ${v4}`)
  t.ok(v6 !== undefined && v6.startsWith('2001:db8:16::'), `IPv6 second: ${v6}`)
  t.equal(dual.metadata.annotations?.[POOL_ANNOTATION], 'b-dual')
})

t.test('a pool edited while in use moves only the Services it no longer allows', async (t) => {
  const before = new Map<string, string[]>()
  for (const name of ['want-3', 'want-2', 'pinned', 'gold']) before.set(name, ingressOf(await f.getService(ns, name)))
  await f.applyPool('a-general', { addresses: ['198.51.100.1-198.51.100.3'] })
  const web = await f.waitService(ns, 'web', 'a new IP', (s) => assignedIPs(s) && ingressOf(s)[0] !== '198.51.100.0')
  t.same(ingressOf(web), ['198.51.100.1'], 'web moves to the lowest free address left')
  for (const [name, ips] of before) t.same(ingressOf(await f.getService(ns, name)), ips, `${name} stays`)
})

t.test('a pool deleted while in use leaves its Services pending', async (t) => {
  await remove(f.rest, { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'c-reserved', namespace: f.configNamespace } })
  // Status and annotation are two writes (as in MetalLB): wait for both.
  const pinned = await f.waitService(ns, 'pinned', 'pending, without the pool annotation', (s) => pendingWith('PoolNotFound')(s) && s.metadata.annotations?.[POOL_ANNOTATION] === undefined)
  t.same(ingressOf(pinned), [])
})

t.test('a Service that stops being a LoadBalancer gives its IP back', async (t) => {
  const res = await f.rest.request('PATCH', `/api/v1/namespaces/${ns}/services/gold`, {
    contentType: 'application/merge-patch+json',
    body: { spec: { type: 'ClusterIP', loadBalancerClass: null, externalTrafficPolicy: null, allocateLoadBalancerNodePorts: null } },
  })
  ensureOk(res, 'make gold a ClusterIP Service')
  const gold = await f.waitService(ns, 'gold', 'no IP', (s) => ingressOf(s).length === 0 && s.metadata.annotations?.[POOL_ANNOTATION] === undefined)
  t.equal(gold.spec.type, 'ClusterIP')
})

t.test('deleting a Service frees its IP for a pending one', async (t) => {
  const pin = { 'metallb.io/address-pool': 'f-single' }
  await f.mkService(ns, 'first', { annotations: pin })
  t.same(ingressOf(await f.waitService(ns, 'first', 'an IP', assignedIPs)), ['203.0.113.16'])
  await f.mkService(ns, 'second', { annotations: pin })
  const second = await f.waitService(ns, 'second', 'pending', pendingWith('NoAvailableIPs'))
  t.match(conditionOf(second)?.message ?? '', /f-single/)
  await remove(f.rest, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'first', namespace: ns } })
  t.same(ingressOf(await f.waitService(ns, 'second', 'the freed IP', assignedIPs)), ['203.0.113.16'])
})

t.test('pool status counts what is in use', async (t) => {
  const pool = await f.rest.request('GET', `/apis/metallb.io/v1beta1/namespaces/${f.configNamespace}/ipaddresspools/b-dual`)
  const status = (ensureOk(pool, 'get pool').body as { status?: Record<string, number> }).status
  t.match(status, { assignedIPv4: 2, assignedIPv6: 1 }, 'dns-tcp/dns-udp share one IPv4, dual holds one of each')
})

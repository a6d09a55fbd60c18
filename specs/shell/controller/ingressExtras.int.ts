// What others set beside an ingress IP (ipMode, ports) survives the controller's status writes while
// the IP stays: the write is a merge patch, which replaces the ingress list whole, so the controller
// must carry them (core/controller/serviceStatus.ts ingressFor). An IP that moves gets a bare entry,
// which the API server fills with its default ipMode, VIP. Against a real API server and the real
// controller binary.
import t from 'tap'
import { ensureOk } from '../../../shell/kube/rest.js'
import { type Fixture, conditionOf, ingressOf, startFixture } from './fixture.js'

interface Entry {
  readonly ip?: string
  readonly ipMode?: string
  readonly ports?: readonly { readonly port: number; readonly protocol: string }[]
}

let f: Fixture
let ns: string
t.before(async () => {
  f = await startFixture('ingx')
  ns = await f.mkNamespace()
  await f.applyPool('dual', { addresses: ['198.51.100.40-198.51.100.43', '2001:db8:40::/126'] })
  await f.startController('ingx-0')
})
t.teardown(async () => {
  if (t.passing() === false) console.error((f.controllers[0]?.logs() ?? '').split('\n').slice(-40).join('\n'))
  await f.stop()
})

const entriesOf = async (name: string): Promise<readonly Entry[]> =>
  ((await f.getService(ns, name))?.status?.loadBalancer?.ingress ?? []) as readonly Entry[]

/** Another client's status write: the given entries, and our condition removed so that the controller writes again. */
const setByOthers = async (name: string, ingress: readonly Entry[]): Promise<void> => {
  const res = await f.rest.request('PATCH', `/api/v1/namespaces/${ns}/services/${name}/status`, {
    contentType: 'application/merge-patch+json',
    body: { status: { loadBalancer: { ingress }, conditions: null } },
  })
  ensureOk(res, `set ipMode and ports on ${name}`)
}

const PORTS = [{ port: 80, protocol: 'TCP' }]

t.test('a status write keeps ipMode and ports of the entry whose IP stays; a moved IP gets a bare entry', async (t) => {
  await f.mkService(ns, 'web', { annotations: { 'metallb.io/loadBalancerIPs': '198.51.100.40' } })
  await f.waitService(ns, 'web', 'its IP and condition', (s) => ingressOf(s)[0] === '198.51.100.40' && conditionOf(s)?.status === 'True')
  await setByOthers('web', [{ ip: '198.51.100.40', ipMode: 'Proxy', ports: PORTS }])
  // The controller puts its condition back with a status write that carries the whole ingress list.
  await f.waitService(ns, 'web', 'the condition written again', (s) => conditionOf(s)?.status === 'True')
  t.same(await entriesOf('web'), [{ ip: '198.51.100.40', ipMode: 'Proxy', ports: PORTS }], 'ipMode and ports kept')

  const moved = await f.rest.request('PATCH', `/api/v1/namespaces/${ns}/services/web`, {
    contentType: 'application/merge-patch+json',
    body: { metadata: { annotations: { 'metallb.io/loadBalancerIPs': '198.51.100.41' } } },
  })
  ensureOk(moved, 'ask web for another IP')
  await f.waitService(ns, 'web', 'the new IP', (s) => ingressOf(s)[0] === '198.51.100.41')
  t.same(await entriesOf('web'), [{ ip: '198.51.100.41', ipMode: 'VIP' }], "a new IP: what was said of the old one does not follow it (VIP: the API server's default)")
})

t.test('dual-stack: the family that moves loses them, the one that stays keeps them', async (t) => {
  await f.mkService(ns, 'two', { ipFamilyPolicy: 'RequireDualStack', annotations: { 'metallb.io/loadBalancerIPs': '198.51.100.42,2001:db8:40::1' } })
  await f.waitService(ns, 'two', 'two IPs', (s) => ingressOf(s).length === 2 && conditionOf(s)?.status === 'True')
  await setByOthers('two', [{ ip: '198.51.100.42', ipMode: 'Proxy' }, { ip: '2001:db8:40::1', ipMode: 'Proxy', ports: PORTS }])
  await f.waitService(ns, 'two', 'the condition written again', (s) => conditionOf(s)?.status === 'True')
  t.same(await entriesOf('two'), [{ ip: '198.51.100.42', ipMode: 'Proxy' }, { ip: '2001:db8:40::1', ipMode: 'Proxy', ports: PORTS }], 'both kept')

  const moved = await f.rest.request('PATCH', `/api/v1/namespaces/${ns}/services/two`, {
    contentType: 'application/merge-patch+json',
    body: { metadata: { annotations: { 'metallb.io/loadBalancerIPs': '198.51.100.43,2001:db8:40::1' } } },
  })
  ensureOk(moved, 'move the IPv4 address of two')
  await f.waitService(ns, 'two', 'the new IPv4 address', (s) => ingressOf(s).includes('198.51.100.43'))
  t.same(await entriesOf('two'), [{ ip: '198.51.100.43', ipMode: 'VIP' }, { ip: '2001:db8:40::1', ipMode: 'Proxy', ports: PORTS }])
})

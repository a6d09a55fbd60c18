// The speaker's BGP part: reconcileSpeaker fills plan.protocols.bgp from core/bgp/advertise.ts,
// keeps each (Service IP, peer) reason between passes and reports only changes, counts every
// reason (the bounded label set), and leaves BGP undecided (undefined) when the pass holds.
import t from 'tap'
import { formatIP } from '../../../core/net/address.js'
import { formatPrefix } from '../../../core/net/prefix.js'
import { BGP_NOT_ADVERTISED_REASONS } from '../../../core/speaker/bgpAdvertise.js'
import { NS, member, mkInput, rawNode, rawPool, rawService, rawSlice, run } from './mk.js'

const peer = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name, namespace: NS }, spec: { myASN: 64500, ...spec } })
const adv = (name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name, namespace: NS }, spec })

const base = [
  rawPool('p', ['198.51.100.0/28']),
  rawNode('n0'),
  rawNode('n1'),
  peer('tor-a', { peerASN: 64501, peerAddress: '192.0.2.254' }),
  peer('tor-b', { peerASN: 64500, peerAddress: '192.0.2.253', nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': 'n1' } }] }),
  adv('all', { aggregationLength: 28, localPref: 120, communities: ['64500:7'] }),
  rawService('web', { ips: ['198.51.100.1'] }),
  rawSlice('web', [{ node: 'n1' }]),
  rawService('idle', { ips: ['198.51.100.2'] }),
]

t.test('the bgp part: routes per peer with a session here, reasons per (IP, peer)', async (t) => {
  const [step] = run([mkInput(base, { membership: member('n0') })])
  const bgp = step?.plan.protocols.bgp
  t.ok(bgp !== undefined)
  t.same([...(bgp?.routes.keys() ?? [])], ['tor-a'], 'tor-b runs on n1 only')
  t.same((bgp?.routes.get('tor-a') ?? []).map((r) => `${formatPrefix(r.prefix)} ${r.localPref ?? '-'} ${r.communities.length}`), ['198.51.100.0/28 - 1'], 'eBGP: no localPref')
  t.same(
    bgp?.changed.map((n) => `${n.service} ${n.ip} ${n.peer}: ${n.reason}`),
    ['default/idle 198.51.100.2 tor-a: NoEndpoints', 'default/idle 198.51.100.2 tor-b: NoEndpoints', 'default/web 198.51.100.1 tor-b: PeerNotOnNode'],
  )
  t.same(Object.fromEntries([...(bgp?.counts ?? [])].filter(([, n]) => n > 0)), { NoEndpoints: 2, PeerNotOnNode: 1 })
  t.equal(bgp?.counts.size, BGP_NOT_ADVERTISED_REASONS.length, 'every reason has a count')
})

t.test('the same pass again reports nothing new; a change reports only what changed', async (t) => {
  const moved = base.map((o) => (o.kind === 'EndpointSlice' ? rawSlice('web', [{ node: 'n0' }]) : o))
  const steps = run([mkInput(base), mkInput(base), mkInput([...moved, rawSlice('idle', [{ node: 'n0' }], 'default', 'idle-x')])])
  t.same(steps[1]?.plan.protocols.bgp?.changed, [])
  t.same(
    steps[2]?.plan.protocols.bgp?.changed.map((n) => `${n.service} ${n.ip} ${n.peer}: ${n.reason}`),
    ['default/idle 198.51.100.2 tor-b: PeerNotOnNode'],
    'idle now advertised to tor-a (no reason) and kept from tor-b for another reason',
  )
})

t.test('a held pass leaves BGP undecided and keeps the reasons', async (t) => {
  const steps = run([mkInput(base), mkInput(base, { synced: false }), mkInput(base)])
  t.equal(steps[1]?.plan.protocols.bgp, undefined)
  t.same(steps[2]?.plan.protocols.bgp?.changed, [], 'nothing re-logged after the hold')
})

t.test('iBGP gets localPref', async (t) => {
  const [step] = run([mkInput(base, { membership: member('n1') })], undefined, { node: 'n1', namespace: NS, loadBalancerClass: undefined, now: 0 })
  t.same((step?.plan.protocols.bgp?.routes.get('tor-b') ?? []).map((r) => r.localPref), [120])
})

t.test('never advertised and given a reason at once', async (t) => {
  for (const node of ['n0', 'n1']) {
    const [step] = run([mkInput(base, { membership: member(node) })], undefined, { node, namespace: NS, loadBalancerClass: undefined, now: 0 })
    const advertised = (step?.plan.protocols.bgp?.advertised ?? []).map((a) => `${a.service} ${formatIP(a.ip)} ${a.peer}`)
    t.ok(advertised.length > 0, `${node} advertises something`)
    for (const key of advertised) t.notOk(step?.state.bgpReasons.has(key), `${node}: ${key}`)
  }
})

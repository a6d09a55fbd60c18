// The speaker's whole pass as one pure function: examples of each branch (withdraw, wait, join, keep
// the last valid config, announce), what changes between passes (taken, released, a member back,
// reasons logged once per change), and the ServiceL2Status writes. The properties are in
// reconcile.property.spec.ts.
import t from 'tap'
import { formatIP } from '../../../core/net/address.js'
import type { SpeakerPlan, SpeakerStep } from '../../../core/speaker/speakerPlan.js'
import { ENV, UNABLE, member, mkInput, rawL2, rawNode, rawPool, rawService, rawSlice, rawStatus, run, SELF } from './mk.js'

const pool = rawPool('p', ['198.51.100.0/28'])
const nodes = [rawNode('n0'), rawNode('n1')]
const web = rawService('web', { ips: ['198.51.100.1'] })
const webSlice = rawSlice('web', [{ node: 'n0' }])
const base = [pool, rawL2('all'), ...nodes, web, webSlice]

/** Names n0 or n1 as the winner for an IP among both, by trying: whichever wins when both are alive. */
const ownerOf = (objects: readonly { kind: string }[], ip: string): string => {
  const [step] = run([mkInput(objects, { membership: member('n0', 'n1') })])
  const r = step?.plan.protocols.layer2.responder
  return r?._tag === 'Announce' && r.announced.some((a) => a.ip === ip) ? SELF : 'n1'
}

const responder = (s: SpeakerStep | undefined) => s?.plan.protocols.layer2.responder
const ifaces = (p: SpeakerPlan | undefined): Record<string, string[]> => {
  const r = p?.protocols.layer2.responder
  return r?._tag === 'Announce' ? Object.fromEntries([...r.interfaces].map(([k, v]) => [k, v.map(formatIP)])) : {}
}

t.test('unable to answer ARP/NDP: leave, announce nothing, clear the status, count no reasons', async (t) => {
  const statuses = [rawStatus('l2-a', 'web', ['eth0'])]
  const [first, second] = run([mkInput([...base, ...statuses]), mkInput([...base, ...statuses], { readiness: UNABLE })])
  t.same(responder(first), { ...responder(first), _tag: 'Announce', taken: ['198.51.100.1'] }, 'announces while able')
  t.same(second?.plan.membership, { _tag: 'Leave', reason: 'L2Unable' })
  t.same(responder(second), { _tag: 'Withdraw', released: ['198.51.100.1'] })
  t.same(second?.plan.protocols.layer2.statuses, { _tag: 'Write', writes: [{ _tag: 'Delete', name: 'l2-a' }] })
  t.same([...(second?.plan.protocols.layer2.reasons?.counts.values() ?? [])].filter((n) => n > 0), [])
  t.same([...(second?.state.announced ?? [])], [])
  const [out] = run([mkInput(base, { readiness: UNABLE, membership: { _tag: 'Out' }, synced: false })])
  t.same(out?.plan.membership, { _tag: 'Keep' }, 'not a member: nothing to leave')
  t.same(out?.plan.protocols.layer2.statuses, { _tag: 'Keep' }, 'caches not filled: no status write from them')
})

t.test('waits for the caches, then joins, then announces', async (t) => {
  const [cold, joining, member1] = run([
    mkInput(base, { synced: false, membership: { _tag: 'Out' } }),
    mkInput(base, { membership: { _tag: 'Out' } }),
    mkInput(base),
  ])
  t.same([cold?.plan.membership, responder(cold)], [{ _tag: 'Keep' }, { _tag: 'Hold', why: 'NotSynced' }])
  t.same(joining?.plan.membership, { _tag: 'Join', members: [{ name: 'n0', host: '192.0.2.0' }, { name: 'n1', host: '192.0.2.1' }] })
  t.same(responder(joining), { _tag: 'Hold', why: 'Joining' })
  t.same(member1?.plan.membership, { _tag: 'Keep' }, 'the universe handed over at the join is kept')
  t.same(ifaces(member1?.plan), { eth0: ['198.51.100.1'] })
  const [, moved] = run([mkInput(base), mkInput([...base, rawNode('n2')])])
  t.equal(moved?.plan.membership._tag, 'SetMembers', 'a new Node: the universe is handed over again')
})

t.test('a typo keeps the last valid config; none yet: nothing announced', async (t) => {
  const broken = rawPool('p', ['198.51.100.0/33'])
  const [none] = run([mkInput([broken, rawL2('all'), ...nodes, web, webSlice])])
  t.same(responder(none), { _tag: 'Hold', why: 'NoValidConfig' })
  t.same([none?.plan.config?.loaded, none?.plan.config?.stale], [false, true])
  t.match(none?.plan.config?.errors[0], { kind: 'IPAddressPool', name: 'p' })
  const [, stale] = run([mkInput(base), mkInput([broken, rawL2('all'), ...nodes, web, webSlice])])
  t.same([stale?.plan.config?.loaded, stale?.plan.config?.stale], [true, true])
  t.same(ifaces(stale?.plan), { eth0: ['198.51.100.1'] }, 'still announced from the last valid config')
  t.same(responder(stale), { ...responder(stale), taken: [], released: [] })
})

t.test('the config is reported whatever Layer 2 can do (a BGP-only node has a ConfigurationState too)', async (t) => {
  const broken = rawPool('p', ['198.51.100.0/33'])
  const [unable, unableBroken] = run([mkInput(base, { readiness: UNABLE }), mkInput([broken, ...base.slice(1)], { readiness: UNABLE })])
  t.same(unable?.plan.config, { loaded: true, stale: false, errors: [] }, 'unable to answer: valid')
  t.match(unableBroken?.plan.config, { loaded: true, stale: true, errors: [{ kind: 'IPAddressPool', name: 'p' }] }, 'unable to answer: the typo reported')
  const [joining] = run([mkInput(base, { membership: { _tag: 'Out' } })])
  t.same(joining?.plan.config, { loaded: true, stale: false, errors: [] }, 'while joining the failure detector')
})

t.test('interfaces: the advertisement\'s list within the usable ones; none listed means all', async (t) => {
  const rows = [
    { desc: 'no list: every usable interface', ad: {}, usable: ['eth0', 'eth1'], want: { eth0: ['198.51.100.1'], eth1: ['198.51.100.1'] }, status: ['eth0', 'eth1'] },
    { desc: 'a list: only those usable', ad: { interfaces: ['eth1', 'eth9'] }, usable: ['eth0', 'eth1'], want: { eth1: ['198.51.100.1'] }, status: ['eth1'] },
    { desc: 'a list none of which is usable: announced nowhere', ad: { interfaces: ['eth9'] }, usable: ['eth0'], want: {}, status: [] },
  ]
  for (const r of rows) {
    const [s] = run([mkInput([pool, rawL2('l2', r.ad), ...nodes, web, webSlice], { interfaces: r.usable })])
    t.same(ifaces(s?.plan), r.want, r.desc)
    t.same(s?.plan.protocols.layer2.statuses, { _tag: 'Write', writes: [{ _tag: 'Create', serviceNamespace: 'default', serviceName: 'web', interfaces: r.status }] }, `${r.desc}: status`)
  }
})

t.test('taken and released between passes, and where a failover is measured from', async (t) => {
  const db = rawService('db', { ips: ['198.51.100.2'] })
  const gone = new Map([['n1', ENV.now - 400], ['n2', ENV.now - 60_000]])
  const [a, b, c] = run([
    mkInput(base),
    mkInput([...base, db, rawSlice('db', [{ node: 'n0' }])], { goneSince: gone }),
    mkInput([...base.filter((o) => o !== web), db, rawSlice('db', [{ node: 'n0' }])]),
  ])
  t.same(responder(a), { ...responder(a), taken: ['198.51.100.1'], released: [], failoverSince: undefined }, 'first pass: taken, nobody gone')
  t.same(responder(b), { ...responder(b), taken: ['198.51.100.2'], released: [], failoverSince: ENV.now - 400 }, 'the suspicion within the window')
  t.same(responder(c), { ...responder(c), taken: [], released: ['198.51.100.1'], failoverSince: undefined })
})

t.test('a member returning: every announced IP is shouted again, once', async (t) => {
  const [first, lost, back, again] = run([mkInput(base), mkInput(base, { membership: member('n0') }), mkInput(base, { membership: member('n0', 'n1') }), mkInput(base, { membership: member('n0', 'n1') })])
  t.same(responder(first), { ...responder(first), returned: [], reassert: [] }, 'the first pass as a member is no return')
  t.same(responder(lost), { ...responder(lost), returned: [], reassert: [] })
  const r = responder(back)
  t.same(r?._tag === 'Announce' ? [r.returned, r.reassert.map(formatIP)] : undefined, [['n1'], r?._tag === 'Announce' ? r.announced.map((x) => x.ip) : []])
  t.same(responder(again), { ...responder(again), returned: [], reassert: [] })
})

t.test('reasons: each IP\'s reason reported when it changes, counted every pass', async (t) => {
  const idle = rawService('idle', { ips: ['198.51.100.3'] })
  const pending = rawService('pending')
  const cip = rawService('cip', { type: 'ClusterIP' })
  const objects = [...base, idle, pending, cip]
  const [s1, s2, s3] = run([mkInput(objects), mkInput(objects), mkInput([...objects, rawSlice('idle', [{ node: 'n0' }])], { membership: member('n0', 'n1') })])
  t.same(s1?.plan.protocols.layer2.reasons?.changed, [
    { service: 'default/idle', ip: '198.51.100.3', reason: 'NoEndpoints' },
    { service: 'default/pending', ip: undefined, reason: 'NoIP' },
  ], 'a ClusterIP Service without an IP is not ours: no reason kept for it')
  t.same(Object.fromEntries([...(s1?.plan.protocols.layer2.reasons?.counts ?? [])].filter(([, n]) => n > 0)), { NoEndpoints: 1, NoIP: 1 })
  t.same(s2?.plan.protocols.layer2.reasons?.changed, [], 'the same reasons: nothing to log')
  const idleOwner = ownerOf([...objects, rawSlice('idle', [{ node: 'n0' }])], '198.51.100.3')
  const want = idleOwner === SELF ? [] : [{ service: 'default/idle', ip: '198.51.100.3', reason: 'NotOwner' }]
  const webOwner = ownerOf(objects, '198.51.100.1')
  const webChange = webOwner === SELF ? [] : [{ service: 'default/web', ip: '198.51.100.1', reason: 'NotOwner' }]
  t.same(s3?.plan.protocols.layer2.reasons?.changed, [...want, ...webChange].sort((a, b) => (a.service < b.service ? -1 : 1)), 'endpoints came: the new reason, or none when announced here')
  t.equal(s3?.plan.membersAlive, 2)
})

t.test('ServiceL2Status: create, update the interfaces, delete what is not announced here', async (t) => {
  const have = [rawStatus('l2-a', 'web', ['eth0']), rawStatus('l2-b', 'gone', ['eth0'])]
  const [s] = run([mkInput([...base, ...have], { interfaces: ['eth0', 'eth1'] })])
  t.same(s?.plan.protocols.layer2.statuses, {
    _tag: 'Write',
    writes: [
      { _tag: 'Update', name: 'l2-a', serviceNamespace: 'default', serviceName: 'web', interfaces: ['eth0', 'eth1'] },
      { _tag: 'Delete', name: 'l2-b' },
    ],
  })
})

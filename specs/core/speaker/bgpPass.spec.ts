// BGP leaves Layer 2's gates (core/speaker/bgpPass.ts through reconcile.ts): a node that cannot
// answer ARP, or is not in the failure detector yet, still decides its sessions and routes once the
// caches are synced and a config is valid; unsynced caches or no valid config leave BGP undecided.
// And the speaker's Secrets reach the config's checks and the session's password.
import t from 'tap'
import { formatPrefix } from '../../../core/net/prefix.js'
import { NS, UNABLE, mkInput, rawL2, rawNode, rawPool, rawService, rawSlice, run, snapshotOf } from './mk.js'

const peer = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name, namespace: NS }, spec: { myASN: 64500, peerASN: 64501, ...spec } })
const adv = { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'all', namespace: NS }, spec: {} }
const objects = [rawPool('p', ['198.51.100.0/28']), rawNode('n0'), peer('tor', { peerAddress: '192.0.2.254' }), adv, rawService('web', { ips: ['198.51.100.1'] }), rawSlice('web', [{ node: 'n0' }])]

const routesOf = (step: ReturnType<typeof run>[number] | undefined): string[] => (step?.plan.protocols.bgp?.routes.get('tor') ?? []).map((r) => formatPrefix(r.prefix))

t.test('unable to answer ARP, or joining: Layer 2 holds, BGP decides', async (t) => {
  const [unable] = run([mkInput(objects, { readiness: UNABLE })])
  t.equal(unable?.plan.protocols.layer2.responder._tag, 'Withdraw')
  t.same(routesOf(unable), ['198.51.100.1/32'])
  t.same(unable?.plan.protocols.bgp?.sessions.diff.start.map((s) => s.peer), ['tor'])
  const [joining] = run([mkInput(objects, { membership: { _tag: 'Out' } })])
  t.match(joining?.plan.protocols.layer2.responder, { _tag: 'Hold', why: 'Joining' })
  t.same(routesOf(joining), ['198.51.100.1/32'])
})

t.test('the sessions are remembered across held passes: no second start', async (t) => {
  const steps = run([mkInput(objects, { readiness: UNABLE }), mkInput(objects, { membership: { _tag: 'Out' } }), mkInput(objects)])
  t.same(steps.map((s) => s.plan.protocols.bgp?.sessions.diff.start.length), [1, 0, 0])
})

t.test('not synced or no valid config: BGP undecided', async (t) => {
  t.equal(run([mkInput(objects, { synced: false, readiness: UNABLE })])[0]?.plan.protocols.bgp, undefined)
  t.equal(run([mkInput(objects.filter((o) => o.kind !== 'IPAddressPool'), { readiness: UNABLE })])[0]?.plan.protocols.bgp?.routes.get('tor')?.length, 0, 'no pool: a valid config, nothing to send')
  t.equal(run([mkInput([...objects, { ...rawPool('p', ['nonsense']) }])])[0]?.plan.protocols.bgp, undefined, 'invalid and no earlier valid one')
})

t.test('Secrets: the config checks passwordSecret against them, the session gets the password', async (t) => {
  const withSecret = objects.map((o) => (o.kind === 'BGPPeer' ? peer('tor', { peerAddress: '192.0.2.254', passwordSecret: { name: 'tor-md5', namespace: NS } }) : o))
  const secret = { kind: 'Secret', type: 'kubernetes.io/basic-auth', metadata: { name: 'tor-md5', namespace: NS }, data: { password: Buffer.from('pw').toString('base64') } }
  const input = (secrets: readonly unknown[]) => ({ ...mkInput(withSecret), snapshot: { ...snapshotOf(withSecret), secrets } })
  const [missing] = run([input([])])
  t.match(missing?.plan.config?.errors, [{ field: 'spec.passwordSecret.name', message: /does not exist/ }], 'the speaker passes its Secrets to the config checks')
  const [ok] = run([input([secret])])
  t.equal(ok?.plan.protocols.bgp?.sessions.wanted.get('tor')?.socket.md5?.reveal(), 'pw')
  const steps = run([input([secret]), input([])])
  t.same(steps[1]?.plan.protocols.bgp?.sessions.refusedChanged, [{ peer: 'tor', reason: 'SecretMissing' }], 'deleted later: the last valid config runs, the session cannot')
  t.same(steps[1]?.plan.protocols.bgp?.sessions.diff.stop, ['tor'])
})

t.test('Secrets not listed yet (a Role without the grant): Layer 2 and the other peers go on, the passwordSecret peer waits', async (t) => {
  const objs = [...objects, rawL2('l2'), peer('md5', { peerAddress: '192.0.2.253', passwordSecret: { name: 'md5', namespace: NS } })]
  const secret = { kind: 'Secret', type: 'kubernetes.io/basic-auth', metadata: { name: 'md5', namespace: NS }, data: { password: Buffer.from('pw').toString('base64') } }
  const steps = run([mkInput(objs), { ...mkInput(objs), snapshot: { ...snapshotOf(objs), secrets: [secret] } }])
  const first = steps[0]?.plan
  t.match(first?.protocols.layer2.responder, { _tag: 'Announce', announced: [{ ip: '198.51.100.1' }] }, 'Layer 2 announces')
  t.same(first?.config?.errors, [], 'the config is valid: its passwordSecret check waits for the Secrets too')
  t.same(first?.protocols.bgp?.sessions.diff.start.map((s) => s.peer), ['tor'])
  t.same(first?.protocols.bgp?.sessions.refusedChanged, [{ peer: 'md5', reason: 'SecretsNotSynced' }])
  t.same(routesOf(steps[0]), ['198.51.100.1/32'], 'the peer without a password gets its routes')
  t.same(steps[1]?.plan.protocols.bgp?.sessions.diff.start.map((s) => s.peer), ['md5'], 'listed: the waiting peer starts, the other is untouched')
  t.equal(steps[1]?.plan.protocols.bgp?.sessions.wanted.get('md5')?.socket.md5?.reveal(), 'pw')
})

t.test('ServiceBGPStatus: written from what is advertised when watched, also while Layer 2 is Unable', async (t) => {
  const input = { ...mkInput(objects, { readiness: UNABLE }), snapshot: { ...snapshotOf(objects), bgpStatuses: [] } }
  t.same(run([input])[0]?.plan.protocols.bgp?.statuses, [{ _tag: 'Create', serviceNamespace: 'default', serviceName: 'web', peers: ['tor'] }])
  t.equal(run([mkInput(objects)])[0]?.plan.protocols.bgp?.statuses, undefined, 'not watched: none')
})

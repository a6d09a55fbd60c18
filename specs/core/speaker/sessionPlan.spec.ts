// Which BGP sessions a node runs (core/speaker/sessionPlan.ts) and the password each gets
// (peerPassword.ts): selected peers only, the node's IPv4 address as router ID, TTL 255 only with
// ebgpMultiHop, MD5 inline or from a basic-auth Secret (each refusal named), the VRF's device, the
// other family's next hop, the BFD profile; the password never prints.
import t from 'tap'
import { inspect } from 'node:util'
import { buildConfig } from '../../../core/config/buildConfig.js'
import { decodeClusterObjects } from '../../../core/cluster/decodeCluster.js'
import type { Config } from '../../../core/model/config.js'
import { nodeAddressesOf } from '../../../core/speaker/nodeAddresses.js'
import { wantedSessions } from '../../../core/speaker/sessionPlan.js'
import { NS, rawNode } from './mk.js'

const peer = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name, namespace: NS }, spec: { myASN: 64500, peerASN: 64501, ...spec } })
const bfd = { apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: { name: 'fast', namespace: NS }, spec: { receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3 } }
const secret = (name: string, type: string, data: Record<string, string>) => ({ kind: 'Secret', type, metadata: { name, namespace: NS }, data })
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')

const configOf = (objects: readonly unknown[]): Config => {
  const c = buildConfig(objects, { namespace: NS })
  if (c._tag !== 'Valid') throw new Error(JSON.stringify(c.errors))
  return c.config
}

const dualNode = { ...rawNode('n0'), status: { addresses: [{ type: 'InternalIP', address: '192.0.2.10' }, { type: 'InternalIP', address: '2001:db8::10' }] } }
const v6Node = { ...rawNode('n0'), status: { addresses: [{ type: 'InternalIP', address: '2001:db8::10' }] } }

const plan = (objects: readonly unknown[], node: unknown = dualNode, secrets: readonly unknown[] | null = []) =>
  wantedSessions(configOf(objects), {
    node: decodeClusterObjects([node]).nodes[0],
    addresses: nodeAddressesOf([node], 'n0'),
    secrets: secrets ?? undefined,
    namespace: NS,
  })

t.test('selected peers only; router ID, port, TTL, device, next hop of the other family, BFD', async (t) => {
  const w = plan([
    bfd,
    peer('a', { peerAddress: '192.0.2.254', peerPort: 1179, bfdProfile: 'fast', ebgpMultiHop: true, vrf: 'red', sourceAddress: '192.0.2.10' }),
    peer('b', { peerAddress: '2001:db8::fe' }),
    peer('elsewhere', { peerAddress: '192.0.2.253', nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': 'n1' } }] }),
  ])
  t.same([...w.sessions.keys()], ['a', 'b'])
  t.same(w.refused, [])
  const a = w.sessions.get('a')
  t.match(a, { peer: 'a', remote: '192.0.2.254', port: 1179, socket: { ttl: 255, device: 'red', localAddress: '192.0.2.10' }, bfd: { multiHop: true, profile: { name: 'fast', receiveInterval: 100 } } })
  t.equal(a?.config.routerId, 0xc000020a, 'router ID: the node IPv4 InternalIP')
  t.same(a?.otherNextHops.v6?.value, 0x20010db8000000000000000000000010n, 'IPv6 next hop: the node IPv6 InternalIP')
  const b = w.sessions.get('b')
  t.same(b?.socket, {}, 'no ebgpMultiHop: TTL left to the kernel; no password, no VRF')
  t.equal(b?.bfd, undefined)
  t.same(b?.otherNextHops.v4?.value, 0xc000020an)
})

t.test('named reasons: no IPv4 for a router ID, unnumbered, no address of the family', async (t) => {
  t.same(plan([peer('a', { peerAddress: '2001:db8::fe' })], v6Node).refused, [{ peer: 'a', reason: 'NoRouterId' }])
  const own = plan([peer('a', { peerAddress: '2001:db8::fe', routerID: '198.51.100.9' })], v6Node)
  t.same(own.refused, [], 'a routerID on the peer is enough')
  t.equal(own.sessions.get('a')?.config.routerId, 0xc6336409, 'routerID from the peer')
  t.same(plan([peer('a', { peerAddress: '192.0.2.254', routerID: '198.51.100.9' })], v6Node).refused, [{ peer: 'a', reason: 'NoNodeAddress' }])
  const unnumbered = plan([peer('a', { interface: 'eth0' })], v6Node)
  t.same(unnumbered.refused, [{ peer: 'a', reason: 'NoRouterId' }], 'unnumbered still needs an IPv4 router ID')
  const u = plan([peer('a', { interface: 'eth0' })]).sessions.get('a')
  t.match(u, { remote: 'eth0', discoverOn: 'eth0', otherNextHops: {}, config: { families: [4, 6], extendedNextHop: true } }, 'unnumbered: found on eth0, both families, extended next hop; the v6 next hop comes with the router')
  t.equal(u?.otherNextHops.v6, undefined, 'not the node InternalIP: our link-local address, found by the applier')
})

t.test('MD5: inline, or the basic-auth Secret; each way a Secret fails has its reason', async (t) => {
  const inline = plan([peer('a', { peerAddress: '192.0.2.254', password: 'hunter2' })]).sessions.get('a')
  t.equal(inline?.socket.md5?.reveal(), 'hunter2')
  const bySecret = (s: readonly unknown[]) => plan([peer('a', { peerAddress: '192.0.2.254', passwordSecret: { name: 'tor', namespace: NS } })], dualNode, s)
  t.equal(bySecret([secret('tor', 'kubernetes.io/basic-auth', { password: b64('s3cret') })]).sessions.get('a')?.socket.md5?.reveal(), 's3cret')
  t.same(bySecret([]).refused, [{ peer: 'a', reason: 'SecretMissing' }])
  t.same(bySecret([secret('tor', 'Opaque', { password: b64('x') })]).refused, [{ peer: 'a', reason: 'SecretWrongType' }])
  t.same(bySecret([secret('tor', 'kubernetes.io/basic-auth', { username: b64('x') })]).refused, [{ peer: 'a', reason: 'SecretNoPassword' }])
  t.same(bySecret([{ ...secret('tor', 'kubernetes.io/basic-auth', { password: b64('x') }), metadata: { name: 'tor', namespace: 'other' } }]).refused, [{ peer: 'a', reason: 'SecretMissing' }], 'only IronLB\'s namespace')
  t.same(plan([peer('a', { peerAddress: '192.0.2.254', password: 'x'.repeat(81) })]).refused, [{ peer: 'a', reason: 'PasswordTooLong' }], 'Linux keys at most 80 bytes')
  t.equal(plan([peer('a', { peerAddress: '192.0.2.254', password: 'é'.repeat(40) })]).refused.length, 0, '80 bytes of UTF-8 is fine')
  const unsynced = plan([peer('a', { peerAddress: '192.0.2.254', passwordSecret: { name: 'tor', namespace: NS } }), peer('b', { peerAddress: '192.0.2.253', password: 'x' }), peer('c', { peerAddress: '192.0.2.252' })], dualNode, null)
  t.same(unsynced.refused, [{ peer: 'a', reason: 'SecretsNotSynced' }], 'Secrets not listed yet: only the passwordSecret peer waits')
  t.same([...unsynced.sessions.keys()], ['b', 'c'], 'inline password and no password go on')
  const printed = [JSON.stringify(inline, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)), inspect(inline, { depth: 9 }), `${inline?.socket.md5}`].join('\n')
  t.notMatch(printed, /hunter2/, 'JSON, inspect and String never show it')
  t.match(printed, /\[redacted\]/)
})

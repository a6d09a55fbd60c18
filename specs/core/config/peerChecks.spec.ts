// The BGPPeer rules of MetalLB's FRR mode. The cases of MetalLB v0.16.2's TestValidateFRR
// (internal/config/validation_test.go) are ported as rows, each with MetalLB's mustFail as `fails`;
// where IronLB answers differently (it has no live Nodes to intersect) the row says so. Then the
// passwordSecret cases of passwordFromSecretForPeer, and v1beta1's keepaliveTime without holdTime.
import t from 'tap'
import { buildConfig } from '../../../core/config/buildConfig.js'
import { NS, build, lines, mkPeer, mkPeerV1beta1 } from './mk.js'

// MetalLB's cases leave myASN and peerASN at 0 where they do not matter; IronLB needs them set.
const p = (name: string, spec: Record<string, unknown>) => mkPeer(name, { myASN: 64500, peerASN: 64501, ...spec })
const onNodes = (name: string, ...hostnames: string[]) =>
  p(name, { peerAddress: '1.2.3.4', nodeSelectors: hostnames.map((h) => ({ matchLabels: { 'kubernetes.io/hostname': h } })) })

interface Row {
  readonly desc: string
  readonly in: readonly Record<string, unknown>[]
  readonly fails: boolean
}

const frrRows: readonly Row[] = [
  { desc: 'peer with routerid', in: [p('a', { peerAddress: '1.2.3.4', routerID: '1.2.3.4' })], fails: false },
  {
    desc: 'routerid set, one different',
    in: [p('a', { peerAddress: '1.2.3.4', routerID: '1.2.3.4' }), p('b', { peerAddress: '1.2.3.5', routerID: '1.2.3.4' }), p('c', { peerAddress: '1.2.3.6', routerID: '1.2.3.5' })],
    fails: true,
  },
  {
    desc: 'routerid set, one not set',
    in: [p('a', { peerAddress: '1.2.3.4', routerID: '1.2.3.4' }), p('b', { peerAddress: '1.2.3.5', routerID: '1.2.3.4' }), p('c', { peerAddress: '1.2.3.6' })],
    fails: true,
  },
  { desc: 'myAsn set, all equals', in: [p('a', { peerAddress: '1.2.3.4', myASN: 123 }), p('b', { peerAddress: '1.2.3.5', myASN: 123 }), p('c', { peerAddress: '1.2.3.6', myASN: 123 })], fails: false },
  { desc: 'myAsn set, one different', in: [p('a', { peerAddress: '1.2.3.4', myASN: 123 }), p('b', { peerAddress: '1.2.3.5', myASN: 123 }), p('c', { peerAddress: '1.2.3.6', myASN: 124 })], fails: true },
  {
    desc: 'myAsn set, one different but with different vrf',
    in: [p('a', { peerAddress: '1.2.3.4', myASN: 123 }), p('b', { peerAddress: '1.2.3.5', myASN: 123 }), p('c', { peerAddress: '1.2.3.6', myASN: 124, vrf: 'red' })],
    fails: false,
  },
  {
    desc: 'myAsn set, two different but with different vrf',
    in: [p('a', { peerAddress: '1.2.3.4', myASN: 123, vrf: 'red' }), p('b', { peerAddress: '1.2.3.5', myASN: 123, vrf: 'red' }), p('c', { peerAddress: '1.2.3.6', myASN: 124 })],
    fails: false,
  },
  { desc: 'duplicate bgp address', in: [p('a', { peerAddress: '1.2.3.4' }), p('b', { peerAddress: '1.2.3.4' })], fails: true },
  {
    desc: 'duplicate bgp address, different vrfs',
    in: [p('a', { peerAddress: '1.2.3.4' }), p('b', { peerAddress: '1.2.3.4', vrf: 'red' }), p('c', { peerAddress: '1.2.3.4', vrf: 'green' })],
    fails: false,
  },
  {
    desc: 'duplicate bgp address, same vrf',
    in: [p('a', { peerAddress: '1.2.3.4' }), p('b', { peerAddress: '1.2.3.4', vrf: 'red' }), p('c', { peerAddress: '1.2.3.4', vrf: 'red' })],
    fails: true,
  },
  { desc: 'two peers with interface set different', in: [p('a', { interface: 'eth0', myASN: 123 }), p('b', { interface: 'eth1', myASN: 123 })], fails: false },
  { desc: 'two peers with interface set same', in: [p('a', { interface: 'eth0', myASN: 123 }), p('b', { interface: 'eth0', myASN: 123 })], fails: true },
  { desc: 'duplicate address, disjoint hostname selectors', in: [onNodes('a', 'node1'), onNodes('b', 'node2')], fails: false },
  { desc: 'duplicate address, overlapping hostname selectors', in: [onNodes('a', 'node1'), onNodes('b', 'node1')], fails: true },
  { desc: 'duplicate address, one peer without nodeSelector matches all nodes', in: [p('a', { peerAddress: '1.2.3.4' }), onNodes('b', 'node1')], fails: true },
  // MetalLB refuses this one while no Node is known (conservative); IronLB decides from the
  // selectors alone, which are disjoint, as MetalLB itself decides once the Nodes exist.
  { desc: 'duplicate address, disjoint selectors (MetalLB without Nodes: fails)', in: [onNodes('a', 'node1'), onNodes('b', 'node2')], fails: false },
  { desc: 'three peers same address, all on distinct nodes', in: [onNodes('a', 'node1'), onNodes('b', 'node2'), onNodes('c', 'node3')], fails: false },
  { desc: 'three peers same address, third overlaps with first', in: [onNodes('a', 'node1'), onNodes('b', 'node2'), onNodes('c', 'node1')], fails: true },
  { desc: 'duplicate address, multiple nodeSelectors (OR), disjoint', in: [onNodes('a', 'node1', 'node2'), onNodes('b', 'node3', 'node4')], fails: false },
  { desc: 'duplicate address, multiple nodeSelectors (OR), overlap via second selector', in: [onNodes('a', 'node1', 'node2'), onNodes('b', 'node3', 'node2')], fails: true },
  // IronLB's own: an In expression against a label, and selectors on different labels, which may meet.
  {
    desc: 'In against matchLabels, disjoint',
    in: [onNodes('a', 'node1'), p('b', { peerAddress: '1.2.3.4', nodeSelectors: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node2', 'node3'] }] }] })],
    fails: false,
  },
  { desc: 'selectors on different labels may meet', in: [onNodes('a', 'node1'), p('b', { peerAddress: '1.2.3.4', nodeSelectors: [{ matchLabels: { rack: 'a' } }] })], fails: true },
]

t.test('MetalLB FRR-mode peer rules (TestValidateFRR)', async (t) => {
  for (const row of frrRows) t.equal(lines(build(row.in)).length > 0, row.fails, `${row.desc}: ${JSON.stringify(lines(build(row.in)))}`)
})

t.test('the messages name the peer, the field and the other peer', async (t) => {
  t.same(lines(build([p('a', { peerAddress: '1.2.3.4', routerID: '192.0.2.1' }), p('b', { peerAddress: '1.2.3.4', myASN: 64999 })])), [
    'BGPPeer/b spec.peerAddress: BGPPeer "a" already peers with 1.2.3.4 from the same nodes: one session per address and VRF on a node',
    'BGPPeer/b spec.routerID: (unset) differs from BGPPeer "a" (192.0.2.1): peers that can run on one node must share the routerID',
    'BGPPeer/b spec.myASN: 64999 differs from BGPPeer "a" (64500): peers that can run on one node must share myASN within a VRF',
  ])
  t.same(lines(build([p('b', { peerAddress: '1.2.3.4', vrf: 'red' }), p('a', { peerAddress: '1.2.3.4', vrf: 'red' })])), [
    'BGPPeer/b spec.peerAddress: BGPPeer "a" already peers with 1.2.3.4 in VRF red from the same nodes: one session per address and VRF on a node',
  ], 'reported once, on the later name, whatever the input order')
})

const secret = (name: string, type: string | undefined, data: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: NS },
  ...(type === undefined ? {} : { type }),
  data,
})
const withSecret = p('r', { peerAddress: '192.0.2.1', passwordSecret: { name: 'md5', namespace: NS } })
const secretRows: readonly { desc: string; secrets: readonly unknown[] | undefined; want: readonly string[] }[] = [
  { desc: 'a basic-auth Secret with a password', secrets: [secret('md5', 'kubernetes.io/basic-auth', { password: 'c2VjcmV0' })], want: [] },
  { desc: 'missing', secrets: [], want: [`BGPPeer/r spec.passwordSecret.name: Secret ${NS}/md5 does not exist`] },
  { desc: 'another namespace\'s Secret of that name does not count', secrets: [{ ...secret('md5', 'kubernetes.io/basic-auth', { password: 'eA==' }), metadata: { name: 'md5', namespace: 'other' } }], want: [`BGPPeer/r spec.passwordSecret.name: Secret ${NS}/md5 does not exist`] },
  { desc: 'of the wrong type', secrets: [secret('md5', 'Opaque', { password: 'eA==' })], want: [`BGPPeer/r spec.passwordSecret.name: Secret ${NS}/md5 is of type "Opaque", not "kubernetes.io/basic-auth"`] },
  { desc: 'no type is Opaque', secrets: [secret('md5', undefined, { password: 'eA==' })], want: [`BGPPeer/r spec.passwordSecret.name: Secret ${NS}/md5 is of type "Opaque", not "kubernetes.io/basic-auth"`] },
  { desc: 'without a password key', secrets: [secret('md5', 'kubernetes.io/basic-auth', { username: 'eA==' })], want: [`BGPPeer/r spec.passwordSecret.name: Secret ${NS}/md5 has no "password" key`] },
  { desc: 'Secrets not seen (controller, webhook): not checked', secrets: undefined, want: [] },
]

t.test('passwordSecret (passwordFromSecretForPeer)', async (t) => {
  for (const row of secretRows)
    t.same(lines(buildConfig([withSecret], { namespace: NS, ...(row.secrets === undefined ? {} : { secrets: row.secrets }) })), row.want, row.desc)
  const out = JSON.stringify(buildConfig([withSecret], { namespace: NS, secrets: [secret('md5', 'Opaque', { password: 'c3VwZXJzZWNyZXQ=' })] }))
  t.notMatch(out, /c3VwZXJzZWNyZXQ|supersecret/, 'no error quotes the password')
})

t.test('v1beta1: keepaliveTime without holdTime is refused (MetalLB converts the missing holdTime to 0)', async (t) => {
  const v1 = (spec: Record<string, unknown>) => lines(build([mkPeerV1beta1('old', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1', ...spec })]))
  t.same(v1({ keepaliveTime: '30s' }), [
    'BGPPeer/old spec.keepaliveTime: "30s" needs a holdTime in a v1beta1 BGPPeer (v1beta1 reads a missing holdTime as 0); set holdTime, or use metallb.io/v1beta2',
  ])
  t.same(v1({ keepaliveTime: '30s', holdTime: '90s' }), [])
  t.same(v1({ keepaliveTime: '0s' }), [], 'a zero keepalive fits a zero hold time')
  t.same(v1({ holdTime: '90s' }), [])
  t.same(lines(build([mkPeer('new', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1', keepaliveTime: '30s' })])), [], 'v1beta2 derives holdTime')
})

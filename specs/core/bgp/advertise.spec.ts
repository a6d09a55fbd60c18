// Example tables for every rule of whatShouldNodeAdvertise, one reason per row at least, seen from
// node n1 (rack a) unless a row says otherwise. Two peers: `ext` (eBGP, 64500 -> 64501) and `int`
// (iBGP, 64500 -> 64500), both IPv4 sessions.
import t from 'tap'
import { mkBgpAd, mkCommunity, mkNode, mkPeer, mkPool, mkService, mkSlice, planFor, showPlan, showRoute } from './mkAdvertise.js'

type Obj = ReturnType<typeof mkNode>

const nodes = [mkNode('n1', { rack: 'a' }), mkNode('n2', { rack: 'b' })]
const pools = [mkPool('p4', ['198.51.100.0/24']), mkPool('p6', ['2001:db8::/120'])]
const ext = mkPeer('ext', { peerASN: 64501, peerAddress: '192.0.2.1' })
const int = mkPeer('int', { peerASN: 64500, peerAddress: '192.0.2.2' })
const web = mkService('web', { ips: ['198.51.100.1'] })
const served = mkSlice('web', ['n1', 'n2'])
const base: readonly Obj[] = [...nodes, ...pools, ext, int, web, served]
const with_ = (...more: Obj[]): Obj[] => [...base, ...more]
const replace = (kind: string, name: string, by: Obj, objs: readonly Obj[] = base): Obj[] =>
  objs.map((o) => (o.kind === kind && (o['metadata'] as { name: string }).name === name ? by : o))

interface Row {
  readonly desc: string
  readonly in: readonly Obj[]
  readonly node?: string
  readonly want: readonly string[]
}

const both = (line: string): string[] => [line.replace('PEER', 'ext'), line.replace('PEER', 'int')]

const rows: readonly Row[] = [
  { desc: 'no BGPAdvertisement', in: base, want: both('default/web 198.51.100.1 -/-> PEER: NoMatchingAdvertisement') },
  {
    desc: 'one advertisement for every pool: a /32 to each peer',
    in: with_(mkBgpAd('all')),
    want: ['default/web 198.51.100.1 -> ext: 198.51.100.1/32', 'default/web 198.51.100.1 -> int: 198.51.100.1/32'],
  },
  {
    desc: 'aggregationLength masks the IP',
    in: with_(mkBgpAd('agg', { aggregationLength: 24 })),
    want: ['default/web 198.51.100.1 -> ext: 198.51.100.0/24', 'default/web 198.51.100.1 -> int: 198.51.100.0/24'],
  },
  {
    desc: 'two lengths: both prefixes go out',
    in: with_(mkBgpAd('a', { aggregationLength: 32 }), mkBgpAd('b', { aggregationLength: 28, peers: ['ext'] })),
    want: ['default/web 198.51.100.1 -> ext: 198.51.100.0/28', 'default/web 198.51.100.1 -> ext: 198.51.100.1/32', 'default/web 198.51.100.1 -> int: 198.51.100.1/32'],
  },
  {
    desc: 'communities of every matching advertisement are unioned, aliases resolved',
    in: with_(
      mkCommunity('c', { 'no-adv': '65535:65282' }),
      mkBgpAd('a', { communities: ['64500:1', 'large:64500:1:2'] }),
      mkBgpAd('b', { communities: ['no-adv', '64500:1'] }),
    ),
    want: [
      'default/web 198.51.100.1 -> ext: 198.51.100.1/32 [64500:1 65535:65282 large:64500:1:2]',
      'default/web 198.51.100.1 -> int: 198.51.100.1/32 [64500:1 65535:65282 large:64500:1:2]',
    ],
  },
  {
    desc: 'localPref goes to the iBGP peer only',
    in: with_(mkBgpAd('a', { localPref: 150 })),
    want: ['default/web 198.51.100.1 -> ext: 198.51.100.1/32', 'default/web 198.51.100.1 -> int: 198.51.100.1/32 [lp=150]'],
  },
  {
    desc: 'localASN makes a peer iBGP when it equals peerASN',
    in: replace('BGPPeer', 'ext', mkPeer('ext', { peerASN: 64501, localASN: 64501, peerAddress: '192.0.2.1' }), with_(mkBgpAd('a', { localPref: 150 }))),
    want: ['default/web 198.51.100.1 -> ext: 198.51.100.1/32 [lp=150]', 'default/web 198.51.100.1 -> int: 198.51.100.1/32 [lp=150]'],
  },
  {
    desc: 'asPathPrepend repeats the AS the peer sees',
    in: replace('BGPPeer', 'ext', mkPeer('ext', { peerASN: 64501, localASN: 64999, peerAddress: '192.0.2.1' }), with_(mkBgpAd('a', { asPathPrepend: 3 }))),
    want: ['default/web 198.51.100.1 -> ext: 198.51.100.1/32 [prepend=3x64999]', 'default/web 198.51.100.1 -> int: 198.51.100.1/32 [prepend=3x64500]'],
  },
  {
    desc: 'spec.peers leaves the other peer out',
    in: with_(mkBgpAd('a', { peers: ['int'] })),
    want: ['default/web 198.51.100.1 -> int: 198.51.100.1/32', 'default/web 198.51.100.1 -/-> ext: PeerNotSelected'],
  },
  {
    desc: 'the peer\'s nodeSelectors leave this node out',
    in: replace('BGPPeer', 'int', mkPeer('int', { peerASN: 64500, peerAddress: '192.0.2.2', nodeSelectors: [{ matchLabels: { rack: 'b' } }] }), with_(mkBgpAd('a'))),
    want: ['default/web 198.51.100.1 -> ext: 198.51.100.1/32', 'default/web 198.51.100.1 -/-> int: PeerNotOnNode'],
  },
  {
    desc: 'a peer not on this node outranks the node reasons',
    in: replace('BGPPeer', 'int', mkPeer('int', { peerASN: 64500, peerAddress: '192.0.2.2', nodeSelectors: [{ matchLabels: { rack: 'b' } }] }), with_(mkBgpAd('a', { nodeSelectors: [{ matchLabels: { rack: 'b' } }] }))),
    want: ['default/web 198.51.100.1 -/-> ext: NodeNotSelected', 'default/web 198.51.100.1 -/-> int: PeerNotOnNode'],
  },
  { desc: 'the advertisement\'s nodeSelectors leave this node out', in: with_(mkBgpAd('a', { nodeSelectors: [{ matchLabels: { rack: 'b' } }] })), want: both('default/web 198.51.100.1 -/-> PEER: NodeNotSelected') },
  {
    desc: 'the same advertisement from the selected node',
    node: 'n2',
    in: with_(mkBgpAd('a', { nodeSelectors: [{ matchLabels: { rack: 'b' } }] })),
    want: ['default/web 198.51.100.1 -> ext: 198.51.100.1/32', 'default/web 198.51.100.1 -> int: 198.51.100.1/32'],
  },
  {
    desc: 'NetworkUnavailable',
    in: replace('Node', 'n1', mkNode('n1', { rack: 'a' }, true), with_(mkBgpAd('a'))),
    want: both('default/web 198.51.100.1 -/-> PEER: NetworkUnavailable'),
  },
  {
    desc: 'exclude-from-external-load-balancers',
    in: replace('Node', 'n1', mkNode('n1', { rack: 'a', 'node.kubernetes.io/exclude-from-external-load-balancers': '' }), with_(mkBgpAd('a'))),
    want: both('default/web 198.51.100.1 -/-> PEER: ExcludedNode'),
  },
  {
    desc: 'Local policy without a local endpoint',
    in: replace('EndpointSlice', 'web-x', mkSlice('web', ['n2']), replace('Service', 'web', mkService('web', { ips: ['198.51.100.1'], local: true }), with_(mkBgpAd('a')))),
    want: both('default/web 198.51.100.1 -/-> PEER: NoLocalEndpoints'),
  },
  {
    desc: 'Local policy from the node with the endpoint',
    node: 'n2',
    in: replace('EndpointSlice', 'web-x', mkSlice('web', ['n2']), replace('Service', 'web', mkService('web', { ips: ['198.51.100.1'], local: true }), with_(mkBgpAd('a')))),
    want: ['default/web 198.51.100.1 -> ext: 198.51.100.1/32', 'default/web 198.51.100.1 -> int: 198.51.100.1/32'],
  },
  {
    desc: 'Cluster policy: an endpoint elsewhere is enough',
    in: replace('EndpointSlice', 'web-x', mkSlice('web', ['n2']), with_(mkBgpAd('a'))),
    want: ['default/web 198.51.100.1 -> ext: 198.51.100.1/32', 'default/web 198.51.100.1 -> int: 198.51.100.1/32'],
  },
  { desc: 'no serving endpoint anywhere', in: replace('EndpointSlice', 'web-x', mkSlice('web', ['n1'], false), with_(mkBgpAd('a'))), want: both('default/web 198.51.100.1 -/-> PEER: NoEndpoints') },
  { desc: 'not a LoadBalancer', in: replace('Service', 'web', mkService('web', { ips: ['198.51.100.1'], type: 'ClusterIP' }), with_(mkBgpAd('a'))), want: both('default/web 198.51.100.1 -/-> PEER: NotLoadBalancer') },
  { desc: 'another class', in: replace('Service', 'web', mkService('web', { ips: ['198.51.100.1'], lbClass: 'x' }), with_(mkBgpAd('a'))), want: both('default/web 198.51.100.1 -/-> PEER: OtherLoadBalancerClass') },
  { desc: 'no IP yet', in: replace('Service', 'web', mkService('web'), with_(mkBgpAd('a'))), want: both('default/web - -/-> PEER: NoIP') },
  { desc: 'an IP outside every pool', in: replace('Service', 'web', mkService('web', { ips: ['203.0.113.9'] }), with_(mkBgpAd('a'))), want: both('default/web 203.0.113.9 -/-> PEER: IPNotInPool') },
  {
    desc: 'serviceSelectors that do not match',
    in: with_(mkBgpAd('a', { serviceSelectors: [{ matchLabels: { app: 'other' } }] })),
    want: both('default/web 198.51.100.1 -/-> PEER: NoMatchingAdvertisement'),
  },
  {
    desc: 'an advertisement for another pool',
    in: with_(mkBgpAd('a', { ipAddressPools: ['p6'] })),
    want: both('default/web 198.51.100.1 -/-> PEER: NoMatchingAdvertisement'),
  },
  {
    desc: 'conflicting localPref through serviceSelectors (the config cannot tell)',
    in: replace(
      'Service',
      'web',
      mkService('web', { ips: ['198.51.100.1'], labels: { app: 'web' } }),
      with_(mkBgpAd('a', { localPref: 100 }), mkBgpAd('b', { localPref: 200, serviceSelectors: [{ matchLabels: { app: 'web' } }] })),
    ),
    want: both('default/web 198.51.100.1 -/-> PEER: ConflictingAdvertisements'),
  },
  {
    desc: 'different localPref to disjoint peers is no conflict',
    in: replace(
      'Service',
      'web',
      mkService('web', { ips: ['198.51.100.1'], labels: { app: 'web' } }),
      with_(mkBgpAd('a', { localPref: 100, peers: ['ext'] }), mkBgpAd('b', { localPref: 200, peers: ['int'], serviceSelectors: [{ matchLabels: { app: 'web' } }] })),
    ),
    want: ['default/web 198.51.100.1 -> ext: 198.51.100.1/32', 'default/web 198.51.100.1 -> int: 198.51.100.1/32 [lp=200]'],
  },
  {
    desc: 'an IPv6 IP on IPv4 sessions',
    in: replace('Service', 'web', mkService('web', { ips: ['2001:db8::5'] }), with_(mkBgpAd('a', { aggregationLengthV6: 124 }))),
    want: both('default/web 2001:db8::5 -/-> PEER: FamilyNotCarried'),
  },
  {
    desc: 'dualStackAddressFamily carries IPv6 over an IPv4 session',
    in: replace(
      'BGPPeer',
      'ext',
      mkPeer('ext', { peerASN: 64501, peerAddress: '192.0.2.1', dualStackAddressFamily: true }),
      replace('Service', 'web', mkService('web', { ips: ['2001:db8::5'] }), with_(mkBgpAd('a', { aggregationLengthV6: 124 }))),
    ),
    want: ['default/web 2001:db8::5 -> ext: 2001:db8::/124', 'default/web 2001:db8::5 -/-> int: FamilyNotCarried'],
  },
  {
    desc: 'no Node object for this node',
    node: 'n9',
    in: with_(mkBgpAd('a')),
    want: both('default/web 198.51.100.1 -/-> PEER: UnknownNode'),
  },
]

for (const row of rows)
  t.test(row.desc, async (t) => {
    t.same(showPlan(planFor(row.node ?? 'n1', row.in)).sort(), [...row.want].sort())
  })

t.test('two Services in one aggregate give the peer one route with their communities unioned', async (t) => {
  const objs = [
    ...nodes,
    ...pools,
    ext,
    mkService('a', { ips: ['198.51.100.1'], labels: { app: 'a' } }),
    mkService('b', { ips: ['198.51.100.2'], labels: { app: 'b' } }),
    mkSlice('a', ['n1']),
    mkSlice('b', ['n1']),
    mkBgpAd('agg', { aggregationLength: 24, communities: ['64500:1'] }),
    mkBgpAd('extra', { ipAddressPools: ['p4'], aggregationLength: 24, communities: ['64500:2'], nodeSelectors: [{ matchLabels: { rack: 'a' } }] }),
  ]
  const plan = planFor('n1', objs)
  t.same((plan.peers.get('ext') ?? []).map(showRoute), ['198.51.100.0/24 [64500:1 64500:2]'])
  // Each Service's own rows still show what it contributes.
  t.equal(plan.advertised.length, 2)
})

t.test('the peers map lists every peer with a session here, and only those', async (t) => {
  const objs = replace('BGPPeer', 'int', mkPeer('int', { peerASN: 64500, peerAddress: '192.0.2.2', nodeSelectors: [{ matchLabels: { rack: 'b' } }] }), with_(mkBgpAd('a')))
  t.same([...planFor('n1', objs).peers.keys()], ['ext'])
  t.same([...planFor('n2', objs).peers.keys()], ['ext', 'int'])
})

import t from 'tap'
import { formatCommunity } from '../../../core/model/community.js'
import { build, configOf, lines, mkBgpAdv, mkCommunity, mkL2, mkPool } from './mk.js'

const pools = [
  mkPool('east', ['10.0.0.0/24'], {}, { labels: { zone: 'east' } }),
  mkPool('west', ['10.0.1.0/24'], {}, { labels: { zone: 'west' } }),
  mkPool('v6', ['fc00::/120'], {}, { labels: { zone: 'east' } }),
]

const poolRows: ReadonlyArray<{ desc: string; in: Record<string, unknown> | undefined; want: string[] }> = [
  { desc: 'no pools and no selectors: every pool', in: undefined, want: ['east', 'v6', 'west'] },
  { desc: 'by name', in: { ipAddressPools: ['west'] }, want: ['west'] },
  { desc: 'a name that does not exist is skipped', in: { ipAddressPools: ['west', 'north'] }, want: ['west'] },
  { desc: 'only unknown names: no pool at all', in: { ipAddressPools: ['north'] }, want: [] },
  { desc: 'by selector', in: { ipAddressPoolSelectors: [{ matchLabels: { zone: 'east' } }] }, want: ['east', 'v6'] },
  {
    desc: 'names and selectors add up',
    in: { ipAddressPools: ['west'], ipAddressPoolSelectors: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['east'] }] }] },
    want: ['east', 'v6', 'west'],
  },
  { desc: 'a selector matching nothing', in: { ipAddressPoolSelectors: [{ matchLabels: { zone: 'south' } }] }, want: [] },
]

t.test('pool selection of L2 and BGP advertisements', async (t) => {
  for (const row of poolRows) {
    const config = configOf(build([...pools, mkL2('l2', row.in), mkBgpAdv('bgp', row.in)]))
    t.same(config?.l2Advertisements[0]?.pools, row.want, `L2: ${row.desc}`)
    t.same(config?.bgpAdvertisements[0]?.pools, row.want, `BGP: ${row.desc}`)
  }
})

const l2Rows: ReadonlyArray<{ desc: string; in: Record<string, unknown>; want: string[] }> = [
  { desc: 'interfaces and node selectors', in: { interfaces: ['eth0'], nodeSelectors: [{ matchLabels: { a: 'b' } }] }, want: [] },
  { desc: 'pool named twice', in: { ipAddressPools: ['east', 'east'] }, want: ['L2Advertisement/l2 spec.ipAddressPools[1]: pool "east" is listed twice'] },
  {
    desc: 'duplicate node selectors',
    in: { nodeSelectors: [{ matchLabels: { a: 'b' } }, { matchLabels: { a: 'b' } }] },
    want: ['L2Advertisement/l2 spec.nodeSelectors[1]: the same selector is given twice in this list'],
  },
  {
    desc: 'bad pool selector',
    in: { ipAddressPoolSelectors: [{ matchExpressions: [{ key: 'zone', operator: 'In' }] }] },
    want: ['L2Advertisement/l2 spec.ipAddressPoolSelectors[0].matchExpressions[0].values: operator In needs at least one value'],
  },
  {
    desc: 'bad service selector',
    in: { serviceSelectors: [{ matchExpressions: [{ key: 'app', operator: 'Maybe' }] }] },
    want: ['L2Advertisement/l2 spec.serviceSelectors[0].matchExpressions[0].operator: "Maybe" is not an operator: use In, NotIn, Exists or DoesNotExist'],
  },
  { desc: 'interfaces of the wrong type', in: { interfaces: 'eth0' }, want: ['L2Advertisement/l2 spec.interfaces: expected a list, got "eth0"'] },
  {
    desc: 'preferences at both ends of the weight range, one given twice',
    in: { preferredNodeSelectors: [{ weight: 1, preference: {} }, { weight: 100, preference: { matchLabels: { a: 'b' } } }, { weight: 100, preference: { matchLabels: { a: 'b' } } }] },
    want: [],
  },
  {
    desc: 'weights outside 1..100',
    in: { preferredNodeSelectors: [{ weight: 0, preference: {} }, { weight: 101, preference: {} }] },
    want: ['L2Advertisement/l2 spec.preferredNodeSelectors[0].weight: 0 is outside 1..100', 'L2Advertisement/l2 spec.preferredNodeSelectors[1].weight: 101 is outside 1..100'],
  },
  {
    desc: 'a bad preference selector',
    in: { preferredNodeSelectors: [{ weight: 5, preference: { matchExpressions: [{ key: 'zone', operator: 'Exists', values: ['a'] }] } }] },
    want: ['L2Advertisement/l2 spec.preferredNodeSelectors[0].preference.matchExpressions[0].values: operator Exists takes no values'],
  },
  {
    desc: 'a preference without its weight',
    in: { preferredNodeSelectors: [{ preference: {} }] },
    want: ['L2Advertisement/l2 spec.preferredNodeSelectors[0].weight: is missing (expected a whole number)'],
  },
  {
    desc: 'a fractional weight',
    in: { preferredNodeSelectors: [{ weight: 1.5, preference: {} }] },
    want: ['L2Advertisement/l2 spec.preferredNodeSelectors[0].weight: expected a whole number, got 1.5'],
  },
]

t.test('L2Advertisement rules', async (t) => {
  for (const row of l2Rows) t.same(lines(build([...pools, mkL2('l2', row.in)])), row.want, row.desc)
})

t.test('the domain L2 advertisement', async (t) => {
  const l2 = configOf(build([...pools, mkL2('l2', { ipAddressPools: ['east'], interfaces: ['eth0', 'eth1'] })]))?.l2Advertisements[0]
  t.same(l2, { name: 'l2', pools: ['east'], nodeSelectors: [], interfaces: ['eth0', 'eth1'], serviceSelectors: [], preferredNodeSelectors: [] })
  const preferring = configOf(
    build([...pools, mkL2('l2', { preferredNodeSelectors: [{ weight: 60, preference: { matchLabels: { zone: 'primary' } } }, { weight: 50, preference: {} }] })]),
  )?.l2Advertisements[0]
  t.same(preferring?.preferredNodeSelectors, [
    { weight: 60, preference: { matchLabels: { zone: 'primary' }, matchExpressions: [] } },
    { weight: 50, preference: { matchLabels: {}, matchExpressions: [] } },
  ], 'preferences in the order written')
})

const aliases = mkCommunity('aliases', { communities: [{ name: 'no-export', value: '65535:65281' }] })

const bgpRows: ReadonlyArray<{ desc: string; in: Record<string, unknown>; want: string[] }> = [
  { desc: 'communities, values and an alias', in: { communities: ['65000:1', 'large:1:2:3', 'no-export'] }, want: [] },
  {
    desc: 'an unknown alias',
    in: { communities: ['no-advertise'] },
    want: ['BGPAdvertisement/a spec.communities[0]: "no-advertise" is neither a community ("65000:100", "large:65000:1:2") nor an alias defined by a Community object'],
  },
  {
    desc: 'a bad community value',
    in: { communities: ['65000:70000'] },
    want: ['BGPAdvertisement/a spec.communities[0]: "65000:70000" is not a community: both fields must be numbers from 0 to 65535'],
  },
  {
    desc: 'a community listed twice',
    in: { communities: ['65000:1', '65000:1'] },
    want: ['BGPAdvertisement/a spec.communities[1]: community "65000:1" is listed twice'],
  },
  { desc: 'a peer listed twice', in: { peers: ['r1', 'r1'] }, want: ['BGPAdvertisement/a spec.peers[1]: peer "r1" is listed twice'] },
  { desc: 'peers that do not exist are allowed', in: { peers: ['nobody'] }, want: [] },
  { desc: 'aggregationLength 0', in: { aggregationLength: 0 }, want: ['BGPAdvertisement/a spec.aggregationLength: 0 is outside 1..32'] },
  { desc: 'aggregationLength 33', in: { aggregationLength: 33 }, want: ['BGPAdvertisement/a spec.aggregationLength: 33 is outside 1..32'] },
  { desc: 'aggregationLengthV6 129', in: { aggregationLengthV6: 129 }, want: ['BGPAdvertisement/a spec.aggregationLengthV6: 129 is outside 0..128'] },
  // asPathPrepend, MetalLB v0.16.2's CRD: minimum 1, maximum 10.
  { desc: 'asPathPrepend 0', in: { asPathPrepend: 0 }, want: ['BGPAdvertisement/a spec.asPathPrepend: 0 is outside 1..10'] },
  { desc: 'asPathPrepend 11', in: { asPathPrepend: 11 }, want: ['BGPAdvertisement/a spec.asPathPrepend: 11 is outside 1..10'] },
  { desc: 'asPathPrepend -1', in: { asPathPrepend: -1 }, want: ['BGPAdvertisement/a spec.asPathPrepend: -1 is outside 1..10'] },
  { desc: 'asPathPrepend 1 and 10', in: { asPathPrepend: 10 }, want: [] },
  { desc: 'asPathPrepend a string', in: { asPathPrepend: '3' }, want: ['BGPAdvertisement/a spec.asPathPrepend: expected a whole number, got "3"'] },
  { desc: 'localPref beyond 32 bits', in: { localPref: 4294967296 }, want: ['BGPAdvertisement/a spec.localPref: 4294967296 is outside 0..4294967295'] },
  { desc: 'serviceSelectors with default lengths', in: { serviceSelectors: [{ matchLabels: { app: 'x' } }], aggregationLength: 32 }, want: [] },
  {
    desc: 'serviceSelectors with aggregation',
    in: { serviceSelectors: [{ matchLabels: { app: 'x' } }], ipAddressPools: ['east'], aggregationLength: 24 },
    want: ['BGPAdvertisement/a spec.aggregationLength: cannot aggregate (24) when serviceSelectors are set: leave it at 32'],
  },
  {
    desc: 'serviceSelectors with IPv6 aggregation',
    in: { serviceSelectors: [{ matchLabels: { app: 'x' } }], ipAddressPools: ['v6'], aggregationLengthV6: 120 },
    want: ['BGPAdvertisement/a spec.aggregationLengthV6: cannot aggregate (120) when serviceSelectors are set: leave it at 128'],
  },
]

t.test('BGPAdvertisement rules', async (t) => {
  for (const row of bgpRows) t.same(lines(build([...pools, aliases, mkBgpAdv('a', row.in)])), row.want, row.desc)
})

t.test('a reference to an alias with a broken value is reported once, on the Community', async (t) => {
  t.same(lines(build([...pools, mkCommunity('c', { communities: [{ name: 'edge', value: '1:70000' }] }), mkBgpAdv('a', { communities: ['edge'] })])), [
    'Community/c spec.communities[0].value: "1:70000" is not a community: both fields must be numbers from 0 to 65535',
  ])
})

t.test('the domain BGP advertisement', async (t) => {
  const adv = configOf(
    build([...pools, aliases, mkBgpAdv('a', { ipAddressPools: ['east'], communities: ['large:1:2:3', 'no-export', '65535:65281', '1:1'], localPref: 100, peers: ['r1'] })]),
  )?.bgpAdvertisements[0]
  t.equal(adv?.aggregationLength, 32, 'default IPv4 length')
  t.equal(adv?.aggregationLengthV6, 128, 'default IPv6 length')
  t.equal(adv?.localPref, 100)
  t.same(adv?.peers, ['r1'])
  t.same(
    adv?.communities.map(formatCommunity),
    ['large:1:2:3', '1:1', '65535:65281'],
    'resolved, sorted as MetalLB sorts (a standard community as the large one <value>:0:0), the alias and its value counted once',
  )
})

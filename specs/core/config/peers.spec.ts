import t from 'tap'
import { formatIP } from '../../../core/net/address.js'
import { build, configOf, lines, mkBfd, mkGoodPeer, mkPeer, mkPeerV1beta1 } from './mk.js'

const P = 'BGPPeer/p'

const rows: ReadonlyArray<{ desc: string; in: Record<string, unknown>; want: string[] }> = [
  { desc: 'a plain eBGP peer', in: {}, want: [] },
  { desc: 'myASN 0 is missing', in: { myASN: 0 }, want: [`${P} spec.myASN: myASN is required: 0 is not an AS number`] },
  { desc: 'myASN above 32 bits', in: { myASN: 4294967296 }, want: [`${P} spec.myASN: 4294967296 is not an AS number (1..4294967295)`] },
  { desc: 'a 4-octet ASN', in: { myASN: 4200000000 }, want: [] },
  { desc: 'localASN', in: { localASN: 65010 }, want: [] },
  { desc: 'localASN out of range', in: { localASN: -1 }, want: [`${P} spec.localASN: -1 is not an AS number (1..4294967295)`] },
  {
    desc: 'neither peerASN nor dynamicASN',
    in: { peerASN: undefined },
    want: [`${P} spec.peerASN: give the peer's AS number (peerASN) or set dynamicASN to "internal" or "external"`],
  },
  {
    desc: 'peerASN 0 counts as unset',
    in: { peerASN: 0 },
    want: [`${P} spec.peerASN: give the peer's AS number (peerASN) or set dynamicASN to "internal" or "external"`],
  },
  { desc: 'dynamicASN alone', in: { peerASN: undefined, dynamicASN: 'external' }, want: [] },
  { desc: 'dynamicASN with peerASN 0', in: { peerASN: 0, dynamicASN: 'internal' }, want: [] },
  {
    desc: 'both peerASN and dynamicASN',
    in: { dynamicASN: 'internal' },
    want: [`${P} spec.dynamicASN: peerASN and dynamicASN cannot both be set: give exactly one`],
  },
  {
    desc: 'dynamicASN must be internal or external',
    in: { peerASN: undefined, dynamicASN: 'both' },
    want: [`${P} spec.dynamicASN: expected one of "internal", "external", got "both"`],
  },
  {
    desc: 'ebgpMultiHop on an iBGP peer',
    in: { peerASN: 64500, ebgpMultiHop: true },
    want: [`${P} spec.ebgpMultiHop: ebgpMultiHop is for eBGP peers, but peerASN equals myASN (an iBGP session)`],
  },
  { desc: 'ebgpMultiHop on an eBGP peer', in: { ebgpMultiHop: true }, want: [] },
  { desc: 'IPv6 peer address', in: { peerAddress: '2001:db8::1' }, want: [] },
  { desc: 'bad peer address', in: { peerAddress: '192.0.2.300' }, want: [`${P} spec.peerAddress: "192.0.2.300" is not a valid IP address`] },
  {
    desc: 'neither address nor interface',
    in: { peerAddress: undefined },
    want: [`${P} spec.peerAddress: give the address to connect to (peerAddress) or an interface for BGP unnumbered`],
  },
  { desc: 'interface instead of an address', in: { peerAddress: undefined, interface: 'eth1' }, want: [] },
  {
    desc: 'both address and interface',
    in: { interface: 'eth1' },
    want: [`${P} spec.interface: peerAddress and interface cannot both be set: give exactly one`],
  },
  {
    desc: 'interface with a line break',
    in: { peerAddress: undefined, interface: 'eth1\nneighbor x' },
    want: [`${P} spec.interface: an interface name cannot contain line breaks`],
  },
  { desc: 'bad source address', in: { sourceAddress: 'x' }, want: [`${P} spec.sourceAddress: "x" is not a valid IP address`] },
  { desc: 'router ID must be IPv4', in: { routerID: '2001:db8::1' }, want: [`${P} spec.routerID: "2001:db8::1" is not an IPv4 address`] },
  { desc: 'router ID IPv4', in: { routerID: '10.0.0.1' }, want: [] },
  { desc: 'port above the CRD maximum', in: { peerPort: 20000 }, want: [`${P} spec.peerPort: 20000 is outside 0..16384`] },
  { desc: 'hold time 90s', in: { holdTime: '90s' }, want: [] },
  { desc: 'hold time 0 disables keepalives', in: { holdTime: '0s' }, want: [] },
  { desc: 'hold time 3s', in: { holdTime: '3s' }, want: [] },
  { desc: 'hold time 3.9s rounds down to 3s', in: { holdTime: '3.9s' }, want: [] },
  {
    desc: 'hold time 2.9s',
    in: { holdTime: '2.9s' },
    want: [`${P} spec.holdTime: "2.9s" is too short: the hold time must be 0 or at least 3s`],
  },
  {
    desc: 'hold time that is not a duration',
    in: { holdTime: '90' },
    want: [`${P} spec.holdTime: "90" is not a duration: missing unit (one of ns, us, ms, s, m, h)`],
  },
  {
    desc: 'keepalive longer than hold',
    in: { holdTime: '30s', keepaliveTime: '40s' },
    want: [`${P} spec.keepaliveTime: "40s" is longer than holdTime "30s"`],
  },
  { desc: 'keepalive equal to hold is allowed', in: { holdTime: '30s', keepaliveTime: '30s' }, want: [] },
  {
    desc: 'keepalive alone whose tripled hold is too short',
    in: { keepaliveTime: '500ms' },
    want: [`${P} spec.keepaliveTime: "500ms" makes the hold time (3 × keepalive) shorter than 3s; set holdTime, or a keepalive of at least 1s`],
  },
  { desc: 'negative keepalive', in: { holdTime: '90s', keepaliveTime: '-1s' }, want: [`${P} spec.keepaliveTime: "-1s" is negative`] },
  { desc: 'connect time', in: { connectTime: '10s' }, want: [] },
  { desc: 'connect time not whole seconds', in: { connectTime: '1500ms' }, want: [`${P} spec.connectTime: "1500ms" is not a whole number of seconds`] },
  { desc: 'connect time too long', in: { connectTime: '65536s' }, want: [`${P} spec.connectTime: "65536s" is outside 1s..65535s`] },
  {
    desc: 'password and passwordSecret',
    in: { password: 'x', passwordSecret: { name: 's' } },
    want: [`${P} spec.passwordSecret: password and passwordSecret cannot both be set: give at most one`],
  },
  { desc: 'password with a line break', in: { password: 'a\rb' }, want: [`${P} spec.password: the password cannot contain line breaks`] },
  { desc: 'vrf with a line break', in: { vrf: 'red\n' }, want: [`${P} spec.vrf: a VRF name cannot contain line breaks`] },
  { desc: 'unknown BFD profile', in: { bfdProfile: 'fast' }, want: [`${P} spec.bfdProfile: BFDProfile "fast" does not exist in this namespace`] },
  {
    desc: 'node selectors are checked',
    in: { nodeSelectors: [{ matchExpressions: [{ key: 'zone', operator: 'Exists', values: ['a'] }] }] },
    want: [`${P} spec.nodeSelectors[0].matchExpressions[0].values: operator Exists takes no values`],
  },
  {
    desc: 'myASN is required by the schema',
    in: { myASN: undefined },
    want: [`${P} spec.myASN: is missing (expected a whole number)`],
  },
]

t.test('BGPPeer rules', async (t) => {
  for (const row of rows) t.same(lines(build([mkGoodPeer('p', row.in)])), row.want, row.desc)
})

t.test('the BFD profile reference resolves, even to a broken profile', async (t) => {
  t.same(lines(build([mkGoodPeer('p', { bfdProfile: 'fast' }), mkBfd('fast', {})])), [])
  t.same(
    lines(build([mkGoodPeer('p', { bfdProfile: 'fast' }), mkBfd('fast', { detectMultiplier: 'x' })])),
    ['BFDProfile/fast spec.detectMultiplier: expected a whole number, got "x"'],
    'only the profile is blamed',
  )
})

t.test('the domain peer', async (t) => {
  const config = configOf(
    build([
      mkGoodPeer('p', { holdTime: '90s', passwordSecret: { name: 'bgp-auth' }, nodeSelectors: [{ matchLabels: { rack: '1' } }] }),
      mkGoodPeer('q', { peerAddress: undefined, interface: 'eth1', peerASN: undefined, dynamicASN: 'internal', keepaliveTime: '10s' }),
    ]),
  )
  const [p, q] = config?.bgpPeers ?? []
  t.equal(p?.name, 'p')
  t.equal(p?.myAsn, 64500)
  t.same(p?.peerAsn, { _tag: 'Fixed', asn: 64501 })
  t.equal(p?.target._tag === 'Address' ? formatIP(p.target.ip) : undefined, '192.0.2.1')
  t.equal(p?.port, 179, 'port defaults to 179')
  t.same(p?.timers, { holdTime: 90_000, keepaliveTime: 30_000 }, 'keepalive is a third of the hold time')
  t.same(p?.password, { _tag: 'Secret', name: 'bgp-auth', namespace: undefined })
  t.equal(p?.localAsn, undefined)
  t.same(p?.nodeSelectors, [{ matchLabels: { rack: '1' }, matchExpressions: [] }])
  t.same(q?.peerAsn, { _tag: 'Dynamic', mode: 'internal' })
  t.same(q?.target, { _tag: 'Interface', name: 'eth1' })
  t.same(q?.timers, { holdTime: 30_000, keepaliveTime: 10_000 }, 'hold time is three keepalives')
  t.same(q?.password, { _tag: 'None' })
})

t.test('v1beta1 peers decode to the same model', async (t) => {
  const spec = {
    myASN: 64500,
    peerASN: 64501,
    peerAddress: '192.0.2.1',
    holdTime: '90s',
    nodeSelectors: [{ matchLabels: { rack: '1' }, matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
  }
  const v1 = configOf(build([mkPeerV1beta1('p', spec)]))?.bgpPeers
  const v2 = configOf(build([mkPeer('p', spec)]))?.bgpPeers
  t.ok(v1 !== undefined && v1.length === 1)
  t.same(v1, v2)
})

t.test('v1beta1 requires peerASN and values in expressions, as its schema does', async (t) => {
  t.same(lines(build([mkPeerV1beta1('p', { myASN: 1, peerAddress: '192.0.2.1' })])), [
    'BGPPeer/p spec.peerASN: is missing (expected a whole number)',
  ])
  t.same(
    lines(
      build([mkPeerV1beta1('p', { myASN: 1, peerASN: 2, peerAddress: '192.0.2.1', nodeSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }] })]),
    ),
    ['BGPPeer/p spec.nodeSelectors[0].matchExpressions[0].values: is missing (expected a list)'],
  )
})

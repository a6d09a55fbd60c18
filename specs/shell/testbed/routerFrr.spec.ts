// shell/testbed/routerFrr.ts without a router: the bgpd and bfdd config it renders, and its readers of
// FRR 8.4's `show bgp ... json detail` and `show bgp neighbors json` (captured, trimmed).
import t from 'tap'
import { frrBfddConf, frrBgpdConf, frrNeighborsOf, frrPathsOf } from '../../../shell/testbed/routerFrr.js'
import type { RouterConfig } from '../../../shell/testbed/router.js'

const DETAIL = JSON.stringify({
  routerId: '198.51.100.1',
  routes: {
    '203.0.113.10/32': [
      { prefix: '203.0.113.10/32', version: 3, advertisedTo: { '198.51.100.11': {} } },
      {
        aspath: { string: '64512', segments: [{ type: 'as-sequence', list: [64512] }], length: 1 },
        valid: true,
        multipath: true,
        community: { string: '65000:100', list: ['65000:100'] },
        largeCommunity: { string: '64512:7:9', list: ['64512:7:9'] },
        nexthops: [{ ip: '198.51.100.12', afi: 'ipv4', used: true }],
        peer: { peerId: '198.51.100.12', routerId: '198.51.100.12', type: 'external' },
      },
      { aspath: { segments: [] }, valid: false, nexthops: [{ ip: '198.51.100.99' }], peer: { peerId: '198.51.100.99' } },
    ],
    '2001:db8:300::10/128': [
      {
        aspath: { segments: [{ type: 'as-sequence', list: [64512] }] },
        valid: true,
        locPrf: 150,
        metric: 7,
        nexthops: [{ ip: '2001:db8:100::11', afi: 'ipv6', scope: 'global' }, { ip: 'fe80::1', afi: 'ipv6', scope: 'link-local' }],
        peer: { peerId: '198.51.100.11' },
      },
    ],
  },
})

t.test('paths: valid ones only, the summary entry skipped, the global IPv6 next hop', async (t) => {
  t.same(frrPathsOf(DETAIL), [
    { prefix: '203.0.113.10/32', nexthop: '198.51.100.12', asPath: [64512], communities: ['65000:100'], largeCommunities: ['64512:7:9'], from: '198.51.100.12' },
    { prefix: '2001:db8:300::10/128', nexthop: '2001:db8:100::11', asPath: [64512], communities: [], largeCommunities: [], localPref: 150, med: 7, from: '198.51.100.11' },
  ])
  t.same(frrPathsOf('{"routes":{}}'), [])
})

t.test('neighbours: addresses only, in RFC 4271 words', async (t) => {
  const json = JSON.stringify({ '198.51.100.12': { remoteAs: 64512, bgpState: 'Established' }, '198.51.100.11': { remoteAs: 64512, bgpState: 'Active' }, N0: { bgpState: 'Idle' } })
  t.same(frrNeighborsOf(json), [
    { address: '198.51.100.11', remoteAs: 64512, state: 'Active', raw: 'Active' },
    { address: '198.51.100.12', remoteAs: 64512, state: 'Established', raw: 'Established' },
  ])
})

t.test('config: a peer group per neighbour, listen ranges, BFD profiles, ECMP', async (t) => {
  const c: RouterConfig = {
    kind: 'frr',
    ns: 'x',
    asn: 64500,
    routerId: '198.51.100.1',
    neighbors: [
      { peer: { range: '198.51.100.0/24' }, peerAs: 'external', password: 'pw', bfd: { receiveMs: 100, transmitMs: 150, multiplier: 3 } },
      { peer: { address: '203.0.113.2' }, peerAs: 'internal', passive: true, multihop: 3 },
    ],
  }
  const bgpd = frrBgpdConf(c)
  for (const line of [
    ' no bgp ebgp-requires-policy',
    ' neighbor N0 remote-as external',
    ' neighbor N0 password pw',
    ' neighbor N0 bfd profile P0',
    ' bgp listen range 198.51.100.0/24 peer-group N0',
    ' neighbor N1 remote-as internal',
    ' neighbor N1 passive',
    ' neighbor N1 ebgp-multihop 3',
    ' neighbor 203.0.113.2 peer-group N1',
    '  maximum-paths 64',
  ])
    t.ok(bgpd.split('\n').includes(line), line)
  t.ok(frrBgpdConf({ ...c, ecmp: false }).split('\n').includes('  maximum-paths 1'), 'ECMP off')
  t.same(frrBfddConf(c).split('\n'), ['bfd', ' profile P0', '  receive-interval 100', '  transmit-interval 150', '  detect-multiplier 3', ' exit', 'exit', ''])
  t.equal(frrBfddConf({ ...c, neighbors: [] }), '', 'no BFD: an empty bfdd.conf')
  const unnumbered = frrBgpdConf({ ...c, neighbors: [{ peer: { address: '2001:db8::2' }, peerAs: 'external', unnumbered: 'eth0' }] }).split('\n')
  t.ok(unnumbered.includes(' neighbor eth0 interface peer-group N0'), 'unnumbered: the interface is the neighbour')
  t.notOk(unnumbered.some((l) => l.includes('2001:db8::2')), 'unnumbered: the address is not rendered')
})

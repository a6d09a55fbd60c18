// shell/testbed/routerBird.ts without a router: the config it renders, and its readers of BIRD 2.0.12's
// `show protocols all` and `show route all` text (captured from a BIRD with two dynamic eBGP peers).
import t from 'tap'
import { birdConf, birdDraftsOf, birdNeighborsOf, birdPathsFrom, birdProtocolsOf } from '../../../shell/testbed/routerBird.js'
import type { RouterConfig } from '../../../shell/testbed/router.js'

const PROTOCOLS = `BIRD 2.0.12 ready.
Name       Proto      Table      State  Since         Info
device1    Device     ---        up     22:59:32.873  

kernel4    Kernel     master4    up     22:59:32.873  
  Channel ipv4
    State:          UP
    Table:          master4

n0         BGP        ---        start  22:59:32.873  Passive       
  BGP state:          Passive
    Neighbor range:   198.51.100.0/24
    Neighbor AS:      0
    Local AS:         64500

dynbgp1    BGP        ---        up     22:59:36.641  Established   
  BGP state:          Established
    Neighbor address: 198.51.100.12
    Neighbor AS:      64512
    Local AS:         64500
    Neighbor ID:      198.51.100.12
  Channel ipv4
    State:          UP
    BGP Next hop:   198.51.100.1

dynbgp2    BGP        ---        up     22:59:36.658  Established   
  BGP state:          Established
    Neighbor address: 198.51.100.11
    Neighbor AS:      64512
    Local AS:         64500
`

const ROUTES = `BIRD 2.0.12 ready.
Table master4:
203.0.113.10/32      unicast [dynbgp2 22:59:39.476] * (100) [AS64512i]
\tvia 198.51.100.11 on eth0
\tType: BGP univ
\tBGP.origin: IGP
\tBGP.as_path: 64512
\tBGP.next_hop: 198.51.100.11
\tBGP.local_pref: 100
\tBGP.community: (65000,100)
\tBGP.large_community: (64512, 7, 9)
                     unicast [dynbgp1 22:59:39.477] (100) [AS64512i]
\tvia 198.51.100.12 on eth0
\tType: BGP univ
\tBGP.origin: IGP
\tBGP.as_path: 64512
\tBGP.next_hop: 198.51.100.12
\tBGP.med: 5
\tBGP.local_pref: 100
\tBGP.community: (65000,100) (65000,200)
\tBGP.large_community: (64512, 7, 9)

Table master6:
2001:db8:300::10/128 unicast [dynbgp2 22:59:39.476 from 198.51.100.11] * (100) [AS64512i]
\tvia 2001:db8:100::11 on eth0
\tType: BGP univ
\tBGP.origin: IGP
\tBGP.as_path: 
\tBGP.next_hop: 2001:db8:100::11 fe80::3419:c3ff:fe04:1f7d
\tBGP.local_pref: 100
`

t.test('protocols: the spawned BGP neighbours with address, AS and state; the range template is not one', async (t) => {
  const protos = birdProtocolsOf(PROTOCOLS)
  t.same(protos.map((p) => [p.name, p.address, p.remoteAs, p.state]), [
    ['dynbgp1', '198.51.100.12', 64512, 'Established'],
    ['dynbgp2', '198.51.100.11', 64512, 'Established'],
  ])
  t.same(birdNeighborsOf(protos).map((n) => [n.address, n.state]), [['198.51.100.11', 'Established'], ['198.51.100.12', 'Established']])
})

t.test('routes: every path with its attributes, named by the neighbour it came from', async (t) => {
  const paths = birdPathsFrom(birdDraftsOf(ROUTES), birdProtocolsOf(PROTOCOLS))
  t.same(paths, [
    { prefix: '203.0.113.10/32', nexthop: '198.51.100.11', asPath: [64512], communities: ['65000:100'], largeCommunities: ['64512:7:9'], localPref: 100, from: '198.51.100.11' },
    { prefix: '203.0.113.10/32', nexthop: '198.51.100.12', asPath: [64512], communities: ['65000:100', '65000:200'], largeCommunities: ['64512:7:9'], localPref: 100, med: 5, from: '198.51.100.12' },
    // An empty AS path (iBGP) and the global next hop of a global + link-local pair.
    { prefix: '2001:db8:300::10/128', nexthop: '2001:db8:100::11', asPath: [], communities: [], largeCommunities: [], localPref: 100, from: '198.51.100.11' },
  ])
})

const base: RouterConfig = { kind: 'bird', ns: 'x', asn: 64500, routerId: '198.51.100.1', neighbors: [] }

t.test('config: ranges, passwords, BFD, multihop, passive and ECMP as BIRD 2 spells them', async (t) => {
  const conf = birdConf({
    ...base,
    neighbors: [
      { peer: { range: '198.51.100.0/24' }, peerAs: 'external', password: 'pw1', bfd: { receiveMs: 100, transmitMs: 100, multiplier: 3 } },
      { peer: { address: '203.0.113.2' }, peerAs: 64500, passive: true },
      { peer: { address: '203.0.113.3' }, peerAs: 64513, multihop: 4 },
    ],
  })
  for (const line of [
    'neighbor range 198.51.100.0/24 external;',
    'password "pw1";',
    'bfd on;',
    'min rx interval 100 ms; min tx interval 100 ms; multiplier 3;',
    'neighbor 203.0.113.2 as 64500;',
    'passive on;',
    // An iBGP neighbour is multihop to BIRD unless told `direct` (`gateway direct` alone is refused then).
    '\n  direct;\n',
    'ipv4 { import all; export none; gateway direct; };',
    'neighbor 203.0.113.3 as 64513;',
    'multihop 4;',
    'merge paths on;',
  ])
    t.ok(conf.includes(line), line)
  t.ok(birdConf({ ...base, ecmp: false }).includes('merge paths off;'), 'ECMP off')
})

t.test('config: two BFD settings are refused, naming the field', async (t) => {
  const bfd = (ms: number): RouterConfig['neighbors'][number] => ({ peer: { address: '198.51.100.11' }, peerAs: 1, bfd: { receiveMs: ms, transmitMs: ms, multiplier: 3 } })
  t.throws(() => birdConf({ ...base, neighbors: [bfd(100), bfd(300)] }), /neighbors\[\]\.bfd: BIRD takes one BFD timer setting/)
})

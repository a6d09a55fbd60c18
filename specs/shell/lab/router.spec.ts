// shell/lab/router.ts without a lab: the router config the lab asks for (listen ranges for the LAN's node
// addresses, the AS GoBGP must be told) and the router part of `ironlb-lab status`.
import t from 'tap'
import { labRouterConfig, labRouterText } from '../../../shell/lab/router.js'
import { topology } from '../../../shell/lab/topology.js'

t.test('the router listens for the nodes on the LAN, IPv4 and IPv6', async (t) => {
  const topo = topology('abc123', 3, true)
  t.same(labRouterConfig(topo, 'frr'), {
    kind: 'frr',
    ns: 'ilab-abc123-router',
    asn: 64500,
    routerId: '198.51.100.1',
    neighbors: [
      { peer: { range: '198.51.100.0/24' }, peerAs: 'external', bfd: { receiveMs: 100, transmitMs: 100, multiplier: 3 } },
      { peer: { range: '2001:db8:100::/64' }, peerAs: 'external', bfd: { receiveMs: 100, transmitMs: 100, multiplier: 3 } },
    ],
  })
  t.same(labRouterConfig(topo, 'gobgp').neighbors.map((n) => n.bfd), [undefined, undefined], 'GoBGP has no BFD')
  t.same(labRouterConfig(topo, 'gobgp').neighbors.map((n) => n.peerAs), [64512, 64512], 'GoBGP is told the nodes\' AS')
  t.throws(() => labRouterConfig(topology('abc123', 3), 'bird'), /no host router/, 'a lab without a router host')
})

t.test('status text: neighbours and routes, or why they could not be read', async (t) => {
  const text = labRouterText({
    kind: 'bird',
    neighbors: [{ address: '198.51.100.11', remoteAs: 64512, state: 'Active', raw: 'Passive' }],
    rib: [{ prefix: '203.0.113.10/32', nexthops: ['198.51.100.11', '198.51.100.12'], asPath: [64512], communities: ['65000:100'], largeCommunities: ['64512:7:9'] }],
  })
  t.match(text, /router \(bird, AS 64500\):/)
  t.match(text, /198\.51\.100\.11 +AS 64512 +Active \(Passive\)/)
  t.match(text, /203\.0\.113\.10\/32 +via 198\.51\.100\.11, 198\.51\.100\.12 +AS path 64512 +65000:100 +64512:7:9/)
  t.match(labRouterText({ kind: 'frr', neighbors: [], rib: [] }), /none yet[\s\S]*\(empty\)/)
  t.match(labRouterText({ kind: 'gobgp', error: 'gobgp neighbor failed' }), /\(unavailable: gobgp neighbor failed\)/)
})

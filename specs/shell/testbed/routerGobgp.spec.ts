// shell/testbed/routerGobgp.ts without a router: the TOML it renders (and what GoBGP cannot do, refused
// naming the field), and its readers of `gobgp -j` output (captured from gobgpd 3.10).
import t from 'tap'
import { gobgpNeighborsOf, gobgpPathsOf, gobgpToml } from '../../../shell/testbed/routerGobgp.js'
import type { RouterConfig } from '../../../shell/testbed/router.js'

const V4 = `{"203.0.113.10/32":[{"nlri":{"prefix":"203.0.113.10/32"},"age":1796252406,"best":true,"attrs":[{"type":1,"value":0},{"type":2,"as_paths":[{"segment_type":2,"num":1,"asns":[64512]}]},{"type":3,"nexthop":"198.51.100.11"},{"type":4,"metric":5},{"type":5,"value":120},{"type":8,"communities":[4259840100]},{"type":32,"value":[{"ASN":64512,"LocalData1":7,"LocalData2":9}]}],"stale":false,"source-id":"198.51.100.11","neighbor-ip":"198.51.100.11"}]}`
const V6 = `{"2001:db8:300::10/128":[{"nlri":{"prefix":"2001:db8:300::10/128"},"age":1796252406,"best":true,"attrs":[{"type":1,"value":0},{"type":2,"as_paths":[{"segment_type":2,"num":1,"asns":[64512]}]},{"type":8,"communities":[4259840100]},{"type":14,"nexthop":"2001:db8:100::11","afi":2,"safi":1,"value":[{"prefix":"2001:db8:300::10/128"}]}],"stale":false,"source-id":"198.51.100.11","neighbor-ip":"198.51.100.11"}]}`

t.test('paths: next hop from NEXT_HOP or MP_REACH_NLRI, communities as text', async (t) => {
  t.same(gobgpPathsOf(V4), [
    { prefix: '203.0.113.10/32', nexthop: '198.51.100.11', asPath: [64512], communities: ['65000:100'], largeCommunities: ['64512:7:9'], localPref: 120, med: 5, from: '198.51.100.11' },
  ])
  t.same(gobgpPathsOf(V6), [
    { prefix: '2001:db8:300::10/128', nexthop: '2001:db8:100::11', asPath: [64512], communities: ['65000:100'], largeCommunities: [], from: '198.51.100.11' },
  ])
  t.same(gobgpPathsOf(''), [])
})

t.test('neighbours: the API state number in RFC 4271 words', async (t) => {
  const json = JSON.stringify([
    { state: { neighbor_address: '198.51.100.12', peer_asn: 64512, session_state: 6 } },
    { state: { neighbor_address: '198.51.100.11', peer_asn: 64512, session_state: 3 } },
  ])
  t.same(gobgpNeighborsOf(json), [
    { address: '198.51.100.11', remoteAs: 64512, state: 'Active', raw: 'Active' },
    { address: '198.51.100.12', remoteAs: 64512, state: 'Established', raw: 'Established' },
  ])
})

const base: RouterConfig = { kind: 'gobgp', ns: 'x', asn: 64500, routerId: '198.51.100.1', neighbors: [] }

t.test('config: dynamic neighbours through a peer group; BFD and an unnamed external AS refused', async (t) => {
  const toml = gobgpToml({ ...base, neighbors: [{ peer: { range: '198.51.100.0/24' }, peerAs: 64512, password: 'pw' }, { peer: { address: '203.0.113.2' }, peerAs: 'internal', multihop: 2 }] })
  for (const line of ['    peer-group-name = "g0"', '    prefix = "198.51.100.0/24"', '    auth-password = "pw"', '    passive-mode = true', '    neighbor-address = "203.0.113.2"', '    peer-as = 64500', '    multihop-ttl = 2', '  enabled = true'])
    t.ok(toml.split('\n').includes(line), line)
  t.throws(() => gobgpToml({ ...base, neighbors: [{ peer: { range: '198.51.100.0/24' }, peerAs: 'external' }] }), /^neighbors\[0\]\.peerAs: GoBGP needs the peer's AS number/)
  t.throws(() => gobgpToml({ ...base, neighbors: [{ peer: { range: '198.51.100.0/24' }, peerAs: 1, bfd: { receiveMs: 100, transmitMs: 100, multiplier: 3 } }] }), /^neighbors\[0\]\.bfd: GoBGP has no BFD/)
})

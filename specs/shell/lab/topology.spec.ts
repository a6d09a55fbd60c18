// The lab's addressing plan: documentation ranges only, names that fit, and namespace names that lead
// back to the lab (down finds a lab's namespaces from its folder alone).
import t from 'tap'
import fc from 'fast-check'
import { isDocumentationAddress } from '../../../shell/testbed/netns.js'
import { apiServerUrl, BGP_SERVICE_RANGES, hostOfNamespace, labIdFor, lanOf, namespaceOf, topology, MAX_NODES } from '../../../shell/lab/topology.js'

t.test('the brief\'s addresses, interface names and MACs', async (t) => {
  const topo = topology('abc123', 3)
  const rows = topo.hosts.map((h) => ({ name: h.name, kind: h.kind, ifname: lanOf(h).ifname, v4: lanOf(h).v4, v6: lanOf(h).v6, mac: lanOf(h).mac }))
  t.same(rows, [
    { name: 'infra', kind: 'infra', ifname: 'eth0', v4: '198.51.100.2', v6: '2001:db8:100::2', mac: '02:00:c6:33:64:02' },
    { name: 'node1', kind: 'node', ifname: 'eth0', v4: '198.51.100.11', v6: '2001:db8:100::11', mac: '02:00:c6:33:64:0b' },
    { name: 'node2', kind: 'node', ifname: 'eth0', v4: '198.51.100.12', v6: '2001:db8:100::12', mac: '02:00:c6:33:64:0c' },
    { name: 'node3', kind: 'node', ifname: 'eth0', v4: '198.51.100.13', v6: '2001:db8:100::13', mac: '02:00:c6:33:64:0d' },
    { name: 'client', kind: 'client', ifname: 'eth0', v4: '198.51.100.100', v6: '2001:db8:100::100', mac: '02:00:c6:33:64:64' },
  ])
  t.equal(apiServerUrl(topo), 'https://198.51.100.2:6443')
  t.same(topo.nodes, ['node1', 'node2', 'node3'])
})

t.test('every host and service address is a documentation address; names fit the kernel', async (t) => {
  for (let n = 1; n <= MAX_NODES; n++) {
    const topo = topology('0a0b0c', n)
    for (const h of topo.hosts)
      for (const l of h.links) {
        t.ok(isDocumentationAddress(l.v4) && isDocumentationAddress(l.v6), `${h.name} ${l.v4} ${l.v6}`)
        t.ok(l.port.length <= 15 && l.ifname.length <= 15, `${h.name} interface names fit IFNAMSIZ`)
      }
    t.equal(new Set(topo.hosts.map((h) => lanOf(h).v4)).size, topo.hosts.length, 'addresses are distinct')
    for (const range of topo.serviceClusterIPRange.split(',')) t.ok(isDocumentationAddress(range.split('/')[0] ?? ''), range)
  }
  t.throws(() => topology('0a0b0c', 0))
  t.throws(() => topology('0a0b0c', MAX_NODES + 1))
  t.throws(() => topology('not-hex', 3))
})

t.test('a folder names its namespaces, and a namespace names its host', async (t) => {
  fc.assert(
    fc.property(fc.string({ minLength: 1 }), fc.constantFrom('lan', 'infra', 'node1', 'client'), (dir, host) => {
      const id = labIdFor(dir)
      return /^[0-9a-f]{6}$/.test(id) && id === labIdFor(dir) && hostOfNamespace(id, namespaceOf(id, host)) === host
    }),
  )
  t.equal(hostOfNamespace('abc123', 'ilab-abc124-node1'), undefined, 'another lab\'s namespace')
  t.equal(hostOfNamespace('abc123', 'ilb-123-abc123-node1'), undefined, 'a netns.ts lab')
})

t.test('with a router: the router at .1 on the LAN and the edge, the client on both, the edge a documentation range', async (t) => {
  const topo = topology('abc123', 2, true)
  t.same(topo.segments.map((s) => [s.name, s.bridge, s.v4Prefix, s.v6Prefix]), [
    ['lan', 'br-lan', '198.51.100.0/24', '2001:db8:100::/64'],
    ['edge', 'br-edge', '203.0.113.0/25', '2001:db8:203::/64'],
  ])
  // The BGP pools' ranges lie on no segment: the client reaches them through the router only.
  const onSegment = (ip: string): boolean => topo.hosts.some((h) => h.links.some((l) => l.v4.split('.').slice(0, 3).join('.') === ip.split('.').slice(0, 3).join('.') && Number(l.v4.split('.')[3]) >> (32 - l.v4Len) === Number(ip.split('.')[3]) >> (32 - l.v4Len)))
  t.notOk(onSegment(BGP_SERVICE_RANGES.v4.split('/')[0] ?? ''), `${BGP_SERVICE_RANGES.v4} is on no segment`)
  t.notOk(topo.segments.some((s) => s.v6Prefix.startsWith(BGP_SERVICE_RANGES.v6.split('::')[0] ?? '?')), `${BGP_SERVICE_RANGES.v6} is on no segment`)
  const links = (name: string): string[][] => topo.hosts.find((h) => h.name === name)?.links.map((l) => [l.segment, l.ifname, l.port, l.v4, l.v6]) ?? []
  t.same(links('router'), [['lan', 'eth0', 'router', '198.51.100.1', '2001:db8:100::1'], ['edge', 'eth1', 'router-e', '203.0.113.1', '2001:db8:203::1']])
  t.same(links('client'), [['lan', 'eth0', 'client', '198.51.100.100', '2001:db8:100::100'], ['edge', 'eth1', 'client-e', '203.0.113.100', '2001:db8:203::100']])
  for (const h of topo.hosts) for (const l of h.links) t.ok(isDocumentationAddress(l.v4) && isDocumentationAddress(l.v6) && l.port.length <= 15, `${h.name} ${l.segment}`)
  t.same(topology('abc123', 2), { ...topology('abc123', 2, false) }, 'without a router the Layer 2 lab is as it was')
  t.same(topology('abc123', 2).hosts.map((h) => h.name), ['infra', 'node1', 'node2', 'client'])
})

// shell/testbed/router.ts without a router: the config check that names the field, the merge of paths into
// the one shape every router kind answers in, session states, and the kernel FIB reader.
import t from 'tap'
import { checkRouterConfig, communityText, fibNexthopsOf, mergePaths, sessionState, type RibPath, type RouterConfig } from '../../../shell/testbed/router.js'

const base: RouterConfig = { kind: 'frr', ns: 'x', asn: 64500, routerId: '198.51.100.1', neighbors: [{ peer: { range: '198.51.100.0/24' }, peerAs: 'external' }] }

t.test('a bad config is refused with the field named', async (t) => {
  const rows: { desc: string; in: Partial<RouterConfig>; want: RegExp }[] = [
    { desc: 'kind', in: { kind: 'quagga' as RouterConfig['kind'] }, want: /^router kind: quagga/ },
    { desc: 'asn 0', in: { asn: 0 }, want: /^asn: 0 is not/ },
    { desc: 'router id', in: { routerId: '2001:db8::1' }, want: /^routerId: 2001:db8::1 is not an IPv4 address/ },
    { desc: 'a machine address', in: { neighbors: [{ peer: { address: '10.0.0.1' }, peerAs: 1 }] }, want: /^neighbors\[0\]\.peer\.address: 10\.0\.0\.1 is not a documentation address/ },
    { desc: 'a range that is no prefix', in: { neighbors: [{ peer: { range: '198.51.100.0' }, peerAs: 1 }] }, want: /^neighbors\[0\]\.peer\.range/ },
    { desc: 'a quote in a password', in: { neighbors: [{ peer: { range: '198.51.100.0/24' }, peerAs: 1, password: 'a"b' }] }, want: /^neighbors\[0\]\.password/ },
    { desc: 'BFD too fast', in: { neighbors: [{ peer: { range: '198.51.100.0/24' }, peerAs: 1, bfd: { receiveMs: 1, transmitMs: 100, multiplier: 3 } }] }, want: /^neighbors\[0\]\.bfd\.receiveMs: 1/ },
    { desc: 'unnumbered on BIRD', in: { kind: 'bird', neighbors: [{ peer: { range: '198.51.100.0/24' }, peerAs: 1, unnumbered: 'eth0' }] }, want: /^neighbors\[0\]\.unnumbered: an interface name, and FRR only/ },
    { desc: 'unnumbered on a name with a space', in: { neighbors: [{ peer: { range: '198.51.100.0/24' }, peerAs: 1, unnumbered: 'eth0 x' }] }, want: /^neighbors\[0\]\.unnumbered/ },
    { desc: 'multihop 0', in: { neighbors: [{ peer: { range: '198.51.100.0/24' }, peerAs: 1, multihop: 0 }] }, want: /^neighbors\[0\]\.multihop: 0/ },
  ]
  for (const r of rows) t.throws(() => checkRouterConfig({ ...base, ...r.in }), r.want, r.desc)
  t.doesNotThrow(() => checkRouterConfig(base), 'a good one passes')
})

const path = (p: Partial<RibPath>): RibPath => ({ prefix: '203.0.113.10/32', nexthop: '198.51.100.11', asPath: [64512], communities: ['65000:100'], largeCommunities: [], from: '198.51.100.11', ...p })

t.test('equal paths merge into one route with sorted next hops; different attributes stay apart', async (t) => {
  const neighbors = [
    { address: '198.51.100.11', remoteAs: 64512, state: 'Established' as const, raw: '' },
    { address: '198.51.100.12', remoteAs: 64512, state: 'Established' as const, raw: '' },
    { address: '198.51.100.13', remoteAs: 64500, state: 'Established' as const, raw: '' },
  ]
  const merged = mergePaths(
    [
      path({ nexthop: '198.51.100.12', from: '198.51.100.12', localPref: 100 }),
      path({ localPref: 100 }),
      path({ nexthop: '198.51.100.13', from: '198.51.100.13', asPath: [], localPref: 200 }),
      path({ prefix: '2001:db8:300::10/128', nexthop: '2001:db8:100::11', communities: ['65000:200', '65000:100'] }),
    ],
    neighbors,
    64500,
  )
  t.same(merged, [
    { prefix: '2001:db8:300::10/128', asPath: [64512], communities: ['65000:100', '65000:200'], largeCommunities: [], nexthops: ['2001:db8:100::11'] },
    // eBGP: BIRD's default local preference is dropped, so both paths are equal.
    { prefix: '203.0.113.10/32', asPath: [64512], communities: ['65000:100'], largeCommunities: [], nexthops: ['198.51.100.11', '198.51.100.12'] },
    // iBGP (the neighbour's AS is ours): local preference kept.
    { prefix: '203.0.113.10/32', asPath: [], communities: ['65000:100'], largeCommunities: [], localPref: 200, nexthops: ['198.51.100.13'] },
  ])
})

t.test('session states in RFC 4271 words', async (t) => {
  const rows = [
    { in: 'Established', want: 'Established' },
    { in: 'Passive', want: 'Active' },
    { in: 'OpenSent', want: 'OpenSent' },
    { in: 'Idle (Admin)', want: 'Idle' },
    { in: 'Close', want: 'Idle' },
  ]
  for (const r of rows) t.equal(sessionState(r.in), r.want, r.in)
  t.equal(communityText(65000 * 65536 + 100), '65000:100')
})

t.test('the FIB reader takes single and multipath routes', async (t) => {
  t.same(fibNexthopsOf('[{"dst":"203.0.113.10","nhid":7,"gateway":"198.51.100.11","dev":"eth0","protocol":"bgp"}]'), ['198.51.100.11'])
  t.same(
    fibNexthopsOf('[{"dst":"203.0.113.10","nhid":15,"protocol":"bgp","nexthops":[{"gateway":"198.51.100.12","dev":"eth0"},{"gateway":"198.51.100.11","dev":"eth0"}]}]'),
    ['198.51.100.11', '198.51.100.12'],
  )
  t.same(fibNexthopsOf(''), [])
  t.same(fibNexthopsOf('[]'), [])
})

// The pure judges of a BGP failover (shell/lab/bgpJudge.ts) the BGP demo, e2e spec and bench rely on.
import t from 'tap'
import { answeredBy, dropsOf, failWindow, routeEventOf, withdrawal, type FibState } from '../../../shell/lab/bgpJudge.js'
import type { Sample } from '../../../shell/lab/demo.js'

const N1 = '198.51.100.11'
const N2 = '198.51.100.12'
const N3 = '198.51.100.13'
const poll = (t: number, ...hops: string[]): FibState => ({ t, hops })

t.test('withdrawal: the first state after the fault without any of the node\'s next hops', async (t) => {
  const polls = [poll(90, N1, N2, N3), poll(130, N1, N2, N3), poll(410, N1, N2, N3), poll(440, N2, N3), poll(480, N2, N3)]
  t.same(withdrawal(polls, [N1], 100), { ms: 340, left: [N2, N3] })
  t.same(withdrawal([...polls].reverse(), [N1], 100), { ms: 340, left: [N2, N3] }, 'order of arrival does not matter')
  t.equal(withdrawal(polls, [N3], 100), undefined, 'N3 was never dropped')
  t.same(withdrawal([poll(50, N1, N2), poll(90, N2)], [N1], 100), undefined, 'a drop before the fault is not this withdrawal')
  // IPv6: FRR may install the link-local next hop; any of the node's addresses counts as its hop.
  const v6 = [poll(100, 'fe80::1', 'fe80::2'), poll(300, 'fe80::2', '2001:db8:100::11'), poll(350, 'fe80::2')]
  t.same(withdrawal(v6, ['2001:db8:100::11', 'fe80::1'], 100)?.ms, 250, 'dropped only once none of its addresses is left')
})

// Lines as `ip -o monitor route` printed them in the lab (FRR 8.4's zebra with nexthop groups).
const V4_LINE = '203.0.113.200 nhid 42 proto bgp metric 20 \\\tnexthop via 198.51.100.13 dev eth0 weight 1 \\\tnexthop via 198.51.100.12 dev eth0 weight 1 '
const V6_DELETED = 'Deleted 2001:db8:300::200 nhid 33 proto bgp metric 20 pref medium\\\tnexthop via 2001:db8:100::11 dev eth0 weight 1 \\\tnexthop via 2001:db8:100::12 dev eth0 weight 1 '

t.test('routeEventOf: one route event about exactly this address, its next hops sorted', async (t) => {
  t.same(routeEventOf(V4_LINE, '203.0.113.200'), { deleted: false, hops: [N2, N3] })
  t.same(routeEventOf(V6_DELETED, '2001:db8:300::200'), { deleted: true, hops: ['2001:db8:100::11', '2001:db8:100::12'] })
  t.same(routeEventOf('203.0.113.200 nhid 11 via 198.51.100.11 dev eth0 proto bgp metric 20', '203.0.113.200'), { deleted: false, hops: [N1] }, 'one next hop')
  t.same(routeEventOf('203.0.113.10 via inet6 fe80::1 dev eth0 proto bgp metric 20', '203.0.113.10'), { deleted: false, hops: ['fe80::1'] }, 'an IPv6 next hop for an IPv4 route')
  t.equal(routeEventOf(V4_LINE, '203.0.113.20'), undefined, 'another address, though a prefix of this one')
  t.equal(routeEventOf('id 42 group 20/32 proto zebra', '203.0.113.200'), undefined, 'a nexthop object')
  t.same(routeEventOf('203.0.113.200/32 via 198.51.100.11 dev eth0', '203.0.113.200')?.hops, [N1], 'with the length written out')
})

t.test('dropsOf: states inside the window that lacked the hop', async (t) => {
  const polls = [poll(0, N1, N2), poll(50, N2), poll(100, N1, N2), poll(150, N2)]
  t.same(dropsOf(polls, N1, 10, 120), [poll(50, N2)])
  t.same(dropsOf(polls, N2, 0, 200), [])
})

const ok = (t: number, who: string, ip = '203.0.113.200'): Sample => ({ ip, t, ms: 2, who })
const bad = (t: number, ip = '203.0.113.200'): Sample => ({ ip, t, ms: 200, error: 'timeout (no connection)' })

t.test('failWindow: from the fault to the last failed request; in-flight ones count, other IPs do not', async (t) => {
  const samples = [ok(0, 'node1'), bad(880), ok(900, 'node2'), bad(920), ok(960, 'node3'), bad(1240), ok(1260, 'node2'), ok(1500, 'node3'), bad(1600, '2001:db8:300::200'), bad(2500)]
  t.same(failWindow(samples, '203.0.113.200', 1000, 2000, 200), { ms: 240, failed: 3, sent: 7 }, 'the requests at 880 and 920 were in flight at the fault; 2500 is after the window')
  t.same(failWindow(samples, '203.0.113.200', 1300, 2000, 0), { ms: 0, failed: 0, sent: 1 }, 'nothing failed: no window')
  t.same(failWindow([bad(1100), bad(1300)], '203.0.113.200', 1000, 2000, 200).ms, 300)
})

t.test('answeredBy: who answered in the window, with counts, by name', async (t) => {
  const samples = [ok(0, 'node1'), ok(10, 'node3'), bad(20), ok(30, 'node2'), ok(40, 'node3'), ok(50, 'node1', '2001:db8:300::200')]
  t.same([...answeredBy(samples, '203.0.113.200', 5, 45)], [['node2', 1], ['node3', 2]])
})

// BGP mode end to end in one lab with the FRR router (root; `ironlb-lab up --router frr`): the speakers
// dial the router (AS 64500 at 198.51.100.1 and 2001:db8:100::1, BFD 100 ms x 3), the Service's IPs come
// from shell/lab/examples/bgp-demo.yaml's pool, which lies on no lab segment, so the client on the edge
// reaches them only through the router.
//  - ECMP: the dual-stack Service demo-bgp/web-bgp, advertised from every node: the router's RIB holds
//    each /32 and /128 with one next hop per node, AS path 64512 and the advertisement's communities
//    (the alias resolved), zebra installed all of them, and the client's requests (a new connection
//    each, hashed by ports) are answered by more than one node.
//  - Power loss with BFD 100 ms x 3, issue 10's bar: ten trials, victims in turn, each node's link cut
//    and its speaker SIGKILLed (lab.fail, as the bench does), healed by a new speaker; a trial starts
//    while the one before's victim may still be coming back (shell/lab/bgpFailover.ts's overlap): the
//    router drops the node's next hop within a median 500 ms and the client's requests fail for a
//    median under 1 s (issue 10's bars, medians over ten); every single trial within the WORST bars,
//    which only the hold time (180 s, no BFD) would break. `make bench BENCH=bgp` runs 20, each after a
//    full heal. Seen failing on a mutant whose BFD kept its 1 s slow rate once Up (core/bfd/session.ts):
//    the router's detection 3 s, withdrawn after a median 2722 ms, 8 of the 10 failover bars missed.
//  - A speaker restarted (SIGTERM, start) with enableGracefulRestart: no request fails, and the router
//    keeps that node's next hop throughout.
//  - externalTrafficPolicy: Local: only the node with an endpoint is a next hop, and the next hop
//    follows the endpoint to another node.
import t from 'tap'
import { join } from 'node:path'
import { frrBfdUp, hostPrefix, ribNexthops, routerRib, sessionWith, watchFib } from '../../shell/lab/bgpView.js'
import { dropsOf } from '../../shell/lab/bgpJudge.js'
import { bgpBars, bgpPowerLosses, fibNodes, nodeAddresses, waitFibNodes } from '../../shell/lab/bgpFailover.js'
import { curlFromClient, serviceIPs, startProbe } from '../../shell/lab/demo.js'
import { ENDPOINTS_ANNOTATION } from '../../shell/lab/desired.js'
import { repoRoot } from '../../shell/lab/lab.js'
import { missingTools } from '../support/netns.js'
import { sleep } from '../../shell/testbed/sys.js'
import { apply, e2eSkipReason, kubectlOk, labFor, mkService, waitUntil } from './fixture.js'
import { FULL_LENGTH } from './runLength.js'

const skip = e2eSkipReason()
if (skip !== undefined) {
  t.plan(0, skip)
  process.exit(0)
}
const missing = missingTools(['vtysh'])
if (missing !== undefined) throw new Error(missing)

const EXAMPLE = join(repoRoot, 'shell', 'lab', 'examples', 'bgp-demo.yaml')
/** Issue 10's median over ten; the bench runs 20. */
const TRIALS = FULL_LENGTH ? 20 : 10
/**
 * Issue 10's medians (500 ms to the withdrawal, under 1 s of failing requests). BFD detects in at most
 * 300 ms after the node's last packet, and bgpd and zebra add 30-200 ms (medians 336-494 ms measured at
 * load up to 25). The worst bars are generous on purpose, for a loaded two-core CI: one slow trial must
 * not fail the row, while without BFD the hold time (180 s) would keep the next hop for a trial's whole
 * 10 s in every trial.
 */
const BARS = { medianWithdrawnMs: 500, medianFailingMs: 1_000, worstWithdrawnMs: 2_000, worstFailingMs: 3_000 } as const

t.test('BGP through the lab router (FRR)', async (t) => {
  const lab = await labFor(t, 'bgp', { router: 'frr' })
  await kubectlOk(lab, ['apply', '-f', EXAMPLE])
  let ips: string[] = []
  await waitUntil('web-bgp has an IPv4 and an IPv6 address', 30_000, async () => (ips = await serviceIPs(lab, 'demo-bgp/web-bgp')).length === 2)
  const addrs = await nodeAddresses(lab)
  const v4 = ips.find((ip) => !ip.includes(':')) ?? ''
  // Without the first part nothing below can hold: they are skipped then, not failed a second time each.
  let advertised = false
  const needsRoutes = (): { skip: string | false } => ({ skip: advertised ? false : 'the Service was never advertised from every node (first test)' })

  await t.test('advertised from every node: one next hop per node, and the client lands on more than one', async (t) => {
    const ms = await waitFibNodes(lab, ips, lab.nodes, addrs, 60_000)
    advertised = true
    t.comment(`${ips.join(' ')}: every node a next hop in the router's FIB ${ms} ms after the IPs were seen`)
    const rib = await routerRib(lab)
    for (const ip of ips) {
      const r = rib.find((x) => x.prefix === hostPrefix(ip))
      const want = lab.nodes.map((n) => (ip.includes(':') ? lab.address(n).v6 : lab.address(n).v4)).sort()
      t.same(r?.nexthops, want, `${hostPrefix(ip)} in the RIB via ${want.join(', ')}`)
      t.same(r?.asPath, [64512], `${hostPrefix(ip)}: AS path 64512`)
      t.same(r?.communities, ['64512:100', '65000:200'], `${hostPrefix(ip)}: the communities, alias lab-service resolved`)
    }
    t.match((await lab.exec('client', ['ip', 'route', 'get', v4])).stdout, /via 203\.0\.113\.1 dev eth1/, `the client reaches ${v4} through the router`)
    for (const ip of ips) {
      const by = new Map<string, number>()
      for (let i = 0; i < 30; i++) {
        const who = (await curlFromClient(lab, ip)) ?? 'no answer'
        by.set(who, (by.get(who) ?? 0) + 1)
      }
      t.comment(`${ip}: 30 requests answered by ${[...by].map(([w, k]) => `${w} ${k}`).join(', ')}`)
      t.notOk(by.has('no answer'), `${ip}: every request answered`)
      t.ok(by.size > 1, `${ip}: flows spread over more than one node (${by.size})`)
    }
  })

  await t.test('a speaker restart with graceful restart: no failed request, the router keeps the next hop', needsRoutes(), async (t) => {
    const node = lab.nodes[0] ?? 'node1'
    await waitFibNodes(lab, ips, lab.nodes, addrs, 60_000)
    // From a steady state, before the power losses (last below): run right after them, on the last
    // victim's speaker a few seconds old, the router dropped the node's next hops 106-122 ms after the
    // SIGTERM, long before the session closed (1.1-1.6 s), in 2 of 4 runs (a fault not yet understood,
    // reported); and with its BFD sessions Up.
    const hops = [lab.address(node).v4, lab.address(node).v6]
    await waitUntil(`the router's BFD sessions with ${node} Up`, 30_000, async () => {
      const up = await frrBfdUp(lab)
      return hops.every((h) => up.has(h))
    })
    // A 1 s limit: at load 20 two requests once connected and got no answer within the usual 200 ms,
    // both IPs at the same instant while the restarting speaker took the CPU (the backends starved, not
    // the routes: the route events below are what show the router kept the next hop).
    const probe = await startProbe(lab, ips, { maxSeconds: 120, timeoutMs: 1_000 })
    t.teardown(() => probe.stop())
    const watches = await Promise.all(ips.map((ip) => watchFib(lab, hostPrefix(ip), 90_000)))
    await sleep(500)
    const t0 = Date.now()
    const addr = lab.address(node).v4
    await lab.stopSpeaker(node)
    // The router must see the restart (or the check below proves nothing): its session leaves Established.
    await waitUntil(`the router's session with ${node} down`, 15_000, async () => (await sessionWith(lab, addr)) !== 'Established', 50)
    t.comment(`the router's session with ${addr} left Established ${Date.now() - t0} ms after SIGTERM`)
    await sleep(1_000)
    await lab.startSpeaker(node)
    const up = await waitUntil(`${node}'s session Established again`, 60_000, async () => (await sessionWith(lab, addr)) === 'Established', 100)
    t.comment(`Established again ${up} ms after the speaker started`)
    // Then past End-of-RIB and the stale routes' sweep: two seconds more of traffic.
    await sleep(2_000)
    const t1 = Date.now()
    const states = await Promise.all(watches.map((w) => w.stop()))
    const samples = (await probe.stop()).filter((s) => s.t >= t0 && s.t <= t1)
    t.ok(samples.length > (t1 - t0) / 20, `${samples.length} requests in ${t1 - t0} ms`)
    t.same(samples.filter((s) => s.who === undefined).map((s) => `${s.ip} at +${s.t - t0} ms: ${s.error ?? '?'}`), [], 'no request failed')
    const mine = [...addrs].filter(([, n]) => n === node).map(([a]) => a)
    ips.forEach((ip, i) => {
      const p = states[i] ?? []
      const before = p.filter((x) => x.t < t0).at(-1)
      const hop = mine.find((h) => before?.hops.includes(h))
      t.ok(hop !== undefined, `${ip}: the router forwarded to ${node} before the restart (${before?.hops.join(', ') ?? 'no state'})`)
      const drops = dropsOf(p, hop ?? '?', t0, t1)
      t.comment(`${ip}: ${p.filter((x) => x.t >= t0 && x.t <= t1).length} route changes at the router during the restart`)
      t.same(drops.map((d) => `+${d.t - t0} ms: ${d.hops.join(',') || 'deleted'}`), [], `${ip}: the router kept ${node}'s next hop throughout`)
    })
  })

  await t.test('externalTrafficPolicy: Local: only the node with the endpoint advertises, and the next hop follows it', needsRoutes(), async (t) => {
    const svc = mkService('web-local', { local: true, pool: 'lab-bgp', annotations: { [ENDPOINTS_ANNOTATION]: 'node2=absent,node3=absent' } })
    await apply(lab, [svc])
    let ip = ''
    await waitUntil('web-local has an IP', 30_000, async () => (ip = (await serviceIPs(lab, 'default/web-local'))[0] ?? '') !== '')
    const first = await waitFibNodes(lab, [ip], ['node1'], addrs, 30_000)
    t.comment(`${ip}: only node1 a next hop ${first} ms after the IP was seen`)
    t.same(await ribNexthops(lab, hostPrefix(ip)), [lab.address('node1').v4], 'the RIB has node1 alone')
    t.equal(await curlFromClient(lab, ip), 'node1', 'node1 answers')
    await lab.setEndpoint('default/web-local', 'node2', 'ready')
    await lab.setEndpoint('default/web-local', 'node1', 'absent')
    const moved = await waitFibNodes(lab, [ip], ['node2'], addrs, 30_000)
    t.comment(`the endpoint moved node1 -> node2: next hop moved in ${moved} ms`)
    t.same(await ribNexthops(lab, hostPrefix(ip)), [lab.address('node2').v4], 'the RIB has node2 alone')
    t.same(await fibNodes(lab, ip, addrs), ['node2'], 'the FIB too')
    t.equal(await curlFromClient(lab, ip), 'node2', 'node2 answers')
  })

  await t.test(`${TRIALS} power losses (link cut, speaker killed) with BFD 100 ms x 3: medians of 500 ms to the withdrawal and under 1 s of failing requests`, needsRoutes(), async (t) => {
    const t0 = Date.now()
    const trials = await bgpPowerLosses(lab, ips, { trials: TRIALS, overlap: true, fault: 'power', say: (l) => t.comment(l) })
    t.comment(`${TRIALS} trials in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    for (const bar of bgpBars(trials, ips, BARS)) t.ok(bar.ok, bar.what)
  })
})

// The netns check every router harness passes (shell/testbed/router*.ts): a router in one namespace with a
// listen range, two peers made of the project's own BGP code (bgpPeerMain.ts) in another, each announcing
// the same IPv4 and IPv6 route with a community and a large community. The normalized RIB must show the
// routes with one next hop, then both next hops once the second peer is up; the kernel FIB of the router's
// namespace must hold a multipath route when the router installs routes at all. Stopping the router leaves
// no process and no folder.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { startRouter, type RibRoute, type Router, type RouterKind } from '../../shell/testbed/router.js'
import { isAlive } from '../../shell/testbed/sys.js'
import { labFor } from './netns.js'
import { startAgent, type Agent } from './netnsAgent.js'
import { poll } from './poll.js'

const PEER = fileURLToPath(new URL('./bgpPeerMain.ts', import.meta.url))
const ROUTER = { v4: '198.51.100.1', v6: '2001:db8:100::1', asn: 64500 }
const PEERS = [
  { v4: '198.51.100.11', v6: '2001:db8:100::11' },
  { v4: '198.51.100.12', v6: '2001:db8:100::12' },
]
const PEER_ASN = 64512
// What bgpPeerMain.ts announces.
const V4_ROUTE = '203.0.113.10/32'
const V6_ROUTE = '2001:db8:300::10/128'

/** The RIB every router must report once `peers` announced. */
export const expectedRib = (peers: readonly { v4: string; v6: string }[]): RibRoute[] => {
  const attrs = { asPath: [PEER_ASN], communities: ['65000:100'], largeCommunities: [`${PEER_ASN}:7:9`] }
  return [
    { prefix: V6_ROUTE, nexthops: peers.map((p) => p.v6).sort(), ...attrs },
    { prefix: V4_ROUTE, nexthops: peers.map((p) => p.v4).sort(), ...attrs },
  ]
}

/** JSON with object keys sorted: equal for deep-equal values whatever their key order. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x))
const same = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b)

const announce = async (peer: Agent): Promise<void> => {
  peer.command({ cmd: 'announce' })
  await peer.waitFor((e) => e.event === 'sent' && e['cmd'] === 'announce' && e['sent'] === true, 'the announcement sent')
}

/** The whole check for one router kind; `installsRoutes` says whether its FIB should follow its RIB. */
export const checkRouter = async (t: Test, kind: RouterKind, installsRoutes: boolean): Promise<void> => {
  const lab = labFor(t)
  const rtr = await lab.namespace('rtr')
  const spk = await lab.namespace('spk')
  await lab.veth({ ns: rtr, ifname: 'eth0' }, { ns: spk, ifname: 'eth0' })
  await lab.address(rtr, 'eth0', `${ROUTER.v4}/24`)
  await lab.address(rtr, 'eth0', `${ROUTER.v6}/64`)
  for (const p of PEERS) {
    await lab.address(spk, 'eth0', `${p.v4}/24`)
    await lab.address(spk, 'eth0', `${p.v6}/64`)
  }
  const peerArgs = (p: { v4: string; v6: string }): string[] =>
    ['--local', p.v4, '--local6', p.v6, '--remote', ROUTER.v4, '--asn', String(PEER_ASN), '--peer-asn', String(ROUTER.asn), '--router-id', p.v4, '--max-seconds', '90']
  // Both peers start first: loading TypeScript takes them seconds, and they dial again every 2 s until the router listens.
  const peers = PEERS.map((p) => startAgent(lab, spk, peerArgs(p), PEER))
  const [first, second] = peers
  if (first === undefined || second === undefined) throw new Error('two peers')
  const started = Date.now()
  const router: Router = await startRouter({
    kind,
    ns: rtr,
    asn: ROUTER.asn,
    routerId: ROUTER.v4,
    // GoBGP needs the number; FRR and BIRD take whatever external AS the speaker says.
    neighbors: [{ peer: { range: '198.51.100.0/24' }, peerAs: kind === 'gobgp' ? PEER_ASN : 'external' }],
  })
  t.teardown(() => router.stop())
  t.comment(`${kind} answering after ${Date.now() - started} ms`)

  await t.test('one peer announces: both routes in the RIB, attributes and all', async (t) => {
    for (const p of peers) await p.waitFor((e) => e.event === 'up', 'the session up', 30_000)
    t.comment(`both peers Established ${Date.now() - started} ms after the router started`)
    t.same((await router.neighbors()).map((n) => [n.address, n.remoteAs, n.state]), PEERS.map((p) => [p.v4, PEER_ASN, 'Established']), 'both dynamic neighbours, Established')
    await announce(first)
    const want = expectedRib(PEERS.slice(0, 1))
    const t0 = Date.now()
    const rib = await poll(10_000, router.rib, (r) => same(r, want), 200)
    t.comment(`RIB as expected ${Date.now() - t0} ms after the announcement`)
    t.same(rib, want)
  })

  await t.test(installsRoutes ? 'two peers: both next hops in the RIB and one multipath route in the FIB' : 'two peers: both next hops in the RIB; the FIB stays empty', async (t) => {
    await announce(second)
    const want = expectedRib(PEERS)
    const t0 = Date.now()
    t.same(await poll(10_000, router.rib, (r) => same(r, want), 200), want)
    t.comment(`RIB as expected ${Date.now() - t0} ms after the announcement`)
    for (const [prefix, hops] of [[V4_ROUTE, PEERS.map((p) => p.v4)], [V6_ROUTE, PEERS.map((p) => p.v6)]] as const) {
      const wantFib = installsRoutes ? [...hops].sort() : []
      t.same(await poll(5_000, () => router.fib(prefix), (f) => same(f, wantFib), 200), wantFib, `${prefix} in the kernel FIB`)
    }
  })

  const tail = t.passing() ? '' : router.logTail(20)
  await t.test('stop kills every daemon and removes the folder', async (t) => {
    t.ok(router.procs.length > 0 && router.procs.every(isAlive), `${router.procs.length} daemons alive before stop`)
    await router.stop()
    t.same(router.procs.filter(isAlive), [], 'none alive after')
    t.notOk(existsSync(router.dir), `${router.dir} removed`)
  })
  if (tail !== '') t.comment(tail)
}

// Passive sessions and collision against FRR's bgpd (shell/testbed's router harness) in one
// namespace, the peer of specs/support/bgpPeerMain.ts (listening on port 179) in another. FRR is
// given our address as a neighbour, so it dials: first a passive speaker, then one that dials too.
// Either way exactly one connection must end Established on both sides, stay so, and carry our
// route. Needs root and FRR.
import t, { type Test } from 'tap'
import { fileURLToPath } from 'node:url'
import { type Router, startRouter } from '../../../shell/testbed/router.js'
import { type Lab, labFor, missingTools, netnsUnavailable } from '../../support/netns.js'
import { type Agent, startAgent } from '../../support/netnsAgent.js'
import { poll } from '../../support/poll.js'
import { ROUTER, SPEAKER, routerAndSpeaker } from './pointToPoint.js'

const V4_ROUTE = '203.0.113.10/32'
const PEER = fileURLToPath(new URL('../../support/bgpPeerMain.ts', import.meta.url))

async function main(): Promise<void> {
  const lab: Lab = labFor(t)
  const { rtr, spk } = await routerAndSpeaker(lab)
  const peerArgs = (extra: readonly string[]): string[] => [
    '--local', SPEAKER.v4, '--local6', SPEAKER.v6, '--remote', ROUTER.v4, '--asn', String(SPEAKER.asn), '--peer-asn', String(ROUTER.asn), '--router-id', SPEAKER.v4, '--max-seconds', '60', '--listen', ...extra,
  ]
  const frr = (): Promise<Router> => startRouter({ kind: 'frr', ns: rtr, asn: ROUTER.asn, routerId: ROUTER.v4, neighbors: [{ peer: { address: SPEAKER.v4 }, peerAs: SPEAKER.asn }] })

  /** Up once, FRR Established, still so 1.5 s later with no Down, and our route in its RIB. */
  const holds = async (t: Test, peer: Agent, router: Router): Promise<void> => {
    await peer.waitFor((e) => e.event === 'up', 'our session up', 30_000)
    const up = async (): Promise<boolean> => (await router.neighbors()).some((n) => n.address === SPEAKER.v4 && n.state === 'Established')
    t.ok(await poll(15_000, up, (v) => v, 200), 'FRR says Established')
    await new Promise((r) => setTimeout(r, 1_500))
    t.same(peer.events.filter((e) => e.event === 'up' || e.event === 'down').map((e) => e.event), ['up'], 'one Up, no Down')
    t.ok(await up(), 'FRR still says Established')
    peer.command({ cmd: 'announce' })
    const rib = await poll(15_000, router.rib, (r) => r.some((x) => x.prefix === V4_ROUTE), 200)
    t.ok(rib.some((x) => x.prefix === V4_ROUTE && x.nexthops.includes(SPEAKER.v4)), `${V4_ROUTE} via ${SPEAKER.v4} in FRR's RIB`)
  }

  await t.test('passive: FRR dials us; we never dial', async (t) => {
    // Our listener first: FRR's next try after a refused connection is its connect timer away.
    const peer = startAgent(lab, spk, peerArgs(['--passive']), PEER)
    await peer.waitFor((e) => e.event === 'started', 'our listener up', 30_000)
    const router = await frr()
    t.teardown(() => router.stop())
    try {
      await holds(t, peer, router)
      t.equal(peer.events.find((e) => e.event === 'up')?.['conn'], 'in:1', 'the session runs on the connection FRR opened')
    } finally {
      if (!t.passing()) t.comment(router.logTail(20))
      peer.command({ cmd: 'cease' })
      await router.stop()
    }
  })

  await t.test('both dial: one connection survives; on a collision ours (the higher identifier) stays', async (t) => {
    const peer = startAgent(lab, spk, peerArgs([]), PEER)
    await peer.waitFor((e) => e.event === 'started', 'our listener up', 30_000)
    const router = await frr()
    t.teardown(() => router.stop())
    try {
      await holds(t, peer, router)
      const conn = String(peer.events.find((e) => e.event === 'up')?.['conn'])
      const collided = /[Cc]ollision/.test(router.logTail(200))
      t.comment(`session on ${conn}; FRR's log ${collided ? 'mentions' : 'does not mention'} a collision`)
      if (collided) t.match(conn, /^out:/, 'our dialled connection stays')
    } finally {
      if (!t.passing()) t.comment(router.logTail(20))
      peer.command({ cmd: 'cease' })
      await router.stop()
    }
  })
}

t.setTimeout(120_000)
const why = netnsUnavailable()
const missing = missingTools(['vtysh'])
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (missing !== undefined) t.fail(missing)
else await main()

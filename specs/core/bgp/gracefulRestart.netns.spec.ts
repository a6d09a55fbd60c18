// Graceful restart (RFC 4724) against FRR's bgpd, a helper by default: a speaker that dies without a
// NOTIFICATION and comes back with the R and F bits keeps its routes in the router throughout, because
// it re-advertises its table before End-of-RIB. The control: the same death without the capability
// drops the route. FRR in one namespace (shell/testbed harness), the peers of
// specs/support/bgpPeerMain.ts in another. Needs root and FRR.
import t from 'tap'
import { fileURLToPath } from 'node:url'
import { type Router, startRouter } from '../../../shell/testbed/router.js'
import { type Lab, labFor, missingTools, netnsUnavailable } from '../../support/netns.js'
import { type Agent, startAgent } from '../../support/netnsAgent.js'
import { ROUTER, SPEAKER, routerAndSpeaker } from './pointToPoint.js'

const V4_ROUTE = '203.0.113.10/32'
const PEER = fileURLToPath(new URL('../../support/bgpPeerMain.ts', import.meta.url))

async function main(): Promise<void> {
  const lab: Lab = labFor(t)
  const { rtr, spk } = await routerAndSpeaker(lab)
  const speaker = async (extra: readonly string[]): Promise<Agent> => {
    const args = ['--local', SPEAKER.v4, '--local6', SPEAKER.v6, '--remote', ROUTER.v4, '--asn', String(SPEAKER.asn), '--peer-asn', String(ROUTER.asn), '--router-id', SPEAKER.v4, '--max-seconds', '90', '--listen', '--announce-at-start', ...extra]
    const a = startAgent(lab, spk, args, PEER)
    await a.waitFor((e) => e.event === 'started', 'the speaker started', 30_000)
    return a
  }
  const router: Router = await startRouter({ kind: 'frr', ns: rtr, asn: ROUTER.asn, routerId: ROUTER.v4, neighbors: [{ peer: { address: SPEAKER.v4 }, peerAs: SPEAKER.asn }] })
  t.teardown(() => router.stop())
  const present = async (): Promise<boolean> => (await router.rib()).some((r) => r.prefix === V4_ROUTE)
  /** Samples the RIB every 100 ms for `ms` (or until `stop`): how many samples lacked the route. */
  const missing = async (ms: number, stop: () => boolean = () => false): Promise<{ samples: number; missed: number }> => {
    let samples = 0
    let missed = 0
    const end = Date.now() + ms
    while (Date.now() < end && !stop()) {
      samples += 1
      if (!(await present())) missed += 1
      await new Promise((r) => setTimeout(r, 100))
    }
    return { samples, missed }
  }
  const until = async (ms: number, want: boolean): Promise<boolean> => {
    const end = Date.now() + ms
    while (Date.now() < end) {
      if ((await present()) === want) return true
      await new Promise((r) => setTimeout(r, 200))
    }
    return false
  }

  await t.test('control: without the capability, a speaker that dies loses its route', async (t) => {
    const plain = await speaker([])
    await plain.waitFor((e) => e.event === 'up', 'up', 30_000)
    t.ok(await until(15_000, true), 'the route is in the RIB')
    plain.command({ cmd: 'crash' })
    t.ok(await until(10_000, false), 'the route leaves the RIB once the connection dies')
  })

  await t.test('with graceful restart the route never leaves, across the death and the new process', async (t) => {
    const first = await speaker(['--graceful-restart'])
    await first.waitFor((e) => e.event === 'up', 'up', 30_000)
    t.ok(await until(15_000, true), 'the route is in the RIB')
    first.command({ cmd: 'crash' })
    const during = await missing(1_000)
    const second = await speaker(['--graceful-restart', '--restarted'])
    let up = false
    void second.waitFor((e) => e.event === 'up', 'up again', 30_000).then(() => (up = true), () => undefined)
    const restart = await missing(30_000, () => up)
    const after = await missing(3_000)
    t.ok(up, 'the restarted speaker is up again')
    t.same([during.missed, restart.missed, after.missed], [0, 0, 0], `no sample lacked the route (${during.samples + restart.samples + after.samples} samples)`)
    second.command({ cmd: 'cease' })
  })
  if (!t.passing()) t.comment(router.logTail(30))
}

t.setTimeout(150_000)
const why = netnsUnavailable()
const missingTool = missingTools(['vtysh'])
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (missingTool !== undefined) t.fail(missingTool)
else await main()

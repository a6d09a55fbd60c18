// Without BFD, the hold time bounds how long a silent speaker's routes live at the router (issue 10):
// FRR in one namespace (no BFD toward us), the speaker's real reconcile and applier (bgpSpeakerMain.ts,
// native sockets) in another, the BGPPeer asking holdTime 3s / keepaliveTime 1s. Shows: FRR negotiates
// 3 s / 1 s; while the speaker runs, the session outlives two hold times (its KEEPALIVEs flow); frozen
// (SIGSTOP: the kernel still ACKs, nothing is sent) FRR drops the session, says the hold timer expired,
// and takes the /32 out of its RIB and its kernel FIB, no sooner than hold - keepalive and no later than
// hold + slack after the freeze; thawed, the speaker dials again and the /32 is back. Needs root and FRR.
import t from 'tap'
import { createInterface } from 'node:readline'
import { missingTools, netnsUnavailable } from '../../support/netns.js'
import { loadSpeaker, peerConfig, routerFacingSpeaker, SERVICE_IP, SPEAKER, webService } from '../../support/bgpSpeakerLab.js'
import { poll } from '../../support/poll.js'

const HOLD_MS = 3_000
const KEEPALIVE_MS = 1_000
/** Room for a loaded machine: our last KEEPALIVE a little late, FRR's timer, zebra and this process's event loop. */
const SLACK_MS = { early: 500, late: 2_000 }
const OBJECTS = [...peerConfig({ connectTime: '5s', holdTime: `${HOLD_MS / 1000}s`, keepaliveTime: `${KEEPALIVE_MS / 1000}s` }), ...webService]

/** What FRR says of its neighbour (`show bgp neighbors ADDR json`), the fields read here. */
interface FrrNeighbor {
  readonly bgpState?: string
  readonly bgpTimerHoldTimeMsecs?: number
  readonly bgpTimerKeepAliveIntervalMsecs?: number
  readonly connectionsDropped?: number
  readonly lastResetDueTo?: string
  readonly lastErrorCodeSubcode?: string
  readonly lastNotificationReason?: string
}

async function main(): Promise<void> {
  const rl = await routerFacingSpeaker(t, {})
  const { lab, rtr, router, hasRoute: inRib, forwards: inFib } = rl
  const { agent, pid } = await loadSpeaker(t, rl, 110)
  let thawed = true
  t.teardown(() => {
    if (!thawed) process.kill(pid, 'SIGCONT')
  })
  const neighbor = async (): Promise<FrrNeighbor> => {
    const r = await lab.exec(rtr, ['vtysh', '--vty_socket', router.dir, '-c', `show bgp neighbors ${SPEAKER.v4} json`], 5_000)
    return r.stdout.trim().startsWith('{') ? (((JSON.parse(r.stdout) as Record<string, FrrNeighbor>)[SPEAKER.v4] ?? {}) as FrrNeighbor) : {}
  }
  const established = async (): Promise<boolean> => (await neighbor()).bgpState === 'Established'

  try {
    await t.test(`holdTime ${HOLD_MS / 1000}s, keepaliveTime ${KEEPALIVE_MS / 1000}s: FRR agrees, and the session lives on our KEEPALIVEs`, async (t) => {
      agent.command({ cmd: 'objects', objects: OBJECTS })
      await agent.waitFor((e) => e.event === 'bgp-session-up', 'our session up', 40_000)
      t.ok(await poll(15_000, inFib, (v) => v), `${SERVICE_IP}/32 via ${SPEAKER.v4} in FRR's FIB`)
      const n = await neighbor()
      t.same([n.bgpState, n.bgpTimerHoldTimeMsecs, n.bgpTimerKeepAliveIntervalMsecs], ['Established', HOLD_MS, KEEPALIVE_MS], 'FRR negotiated our hold time and keepalive (its own defaults are 180 s / 60 s)')
      // Two hold times with nothing but KEEPALIVEs from us: a speaker that sent none would be dropped.
      await new Promise((r) => setTimeout(r, 2 * HOLD_MS))
      const later = await neighbor()
      t.same([later.bgpState, later.connectionsDropped ?? 0], ['Established', 0], `still Established after ${(2 * HOLD_MS) / 1000} s, never dropped`)
    })

    await t.test('frozen: FRR drops the session when the hold timer runs out, and withdraws the /32', async (t) => {
      // Timed by the kernel's route event in FRR's namespace (zebra deletes the route once bgpd drops the
      // session), not by polling vtysh, which takes up to a second a call at load 20.
      const monitor = lab.spawn(rtr, ['ip', '-o', 'monitor', 'route'])
      let deletedAt: number | undefined
      createInterface({ input: monitor.stdout! }).on('line', (line) => {
        if (deletedAt === undefined && new RegExp(`^Deleted ${SERVICE_IP.replaceAll('.', '\\.')}(/32)? `).test(line)) deletedAt = Date.now()
      })
      t.teardown(() => void monitor.kill())
      await new Promise((r) => setTimeout(r, 200))
      process.kill(pid, 'SIGSTOP')
      thawed = false
      const frozenAt = Date.now()
      const down = !(await poll(HOLD_MS + 10_000, established, (v) => !v))
      t.ok(down, `FRR left Established (seen ${Date.now() - frozenAt} ms after the freeze)`)
      const n = await neighbor()
      t.comment(`FRR: lastResetDueTo ${n.lastResetDueTo ?? '?'}, lastErrorCodeSubcode ${n.lastErrorCodeSubcode ?? '?'}, lastNotificationReason ${n.lastNotificationReason ?? '?'}`)
      // RFC 4271 §4.5: error code 4 is Hold Timer Expired (FRR 8.4 prints code and subcode as "0400").
      t.match([n.lastErrorCodeSubcode ?? '', n.lastNotificationReason ?? ''], [/^04/, /Hold Timer Expired/], 'FRR says why: it sent NOTIFICATION code 4, Hold Timer Expired')
      t.notOk(await inRib(), 'the /32 left FRR\'s RIB')
      t.notOk(await poll(5_000, inFib, (v) => !v), 'and its kernel FIB')
      const took = deletedAt === undefined ? Infinity : deletedAt - frozenAt
      t.ok(took >= HOLD_MS - KEEPALIVE_MS - SLACK_MS.early, `the kernel route deleted ${took} ms after the freeze, not before hold - keepalive - ${SLACK_MS.early} ms (${HOLD_MS - KEEPALIVE_MS - SLACK_MS.early} ms): the hold timer, not the freeze itself`)
      t.ok(took <= HOLD_MS + SLACK_MS.late, `and within hold + ${SLACK_MS.late} ms (${HOLD_MS + SLACK_MS.late} ms)`)
    })

    await t.test('thawed: the speaker dials again and the /32 is back', async (t) => {
      process.kill(pid, 'SIGCONT')
      thawed = true
      t.ok(await poll(40_000, inFib, (v) => v), `${SERVICE_IP}/32 via ${SPEAKER.v4} in FRR's FIB again`)
      t.ok(await established(), 'Established')
    })
  } finally {
    if (!t.passing()) t.comment(router.logTail(30))
  }
}

t.setTimeout(110_000)
const why = netnsUnavailable()
const missing = missingTools(['vtysh'])
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (missing !== undefined) t.fail(missing)
else await main()

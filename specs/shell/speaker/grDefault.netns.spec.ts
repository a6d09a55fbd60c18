// Graceful restart with BFD against FRR as the lab runs it (issue 10, bgp.e2e's restart row): BFD
// 100 ms x 3 and no `bfd check-control-plane-failure`. FRR then stops a peer whose BFD session goes
// from Up to Down even while it helps it restart, and its stale routes go with it, when that Down
// reaches bgpd before the TCP close does; an AdminDown sent right behind the bare close raced it.
// The speaker's restart sends no AdminDown for a graceful-restart peer: FRR's BFD times out 300 ms
// later, after bgpd has the session in graceful restart. Shows, over RESTARTS restarts (each a new
// process, loaded beforehand): no BFD packet of ours in state AdminDown on the wire at the stop
// (tcpdump), and FRR's kernel route for the /32 never deleted from the stop until 1 s after the new
// session and its BFD are up (`ip monitor route`, every change). FRR's log lines on BFD and graceful
// restart are printed. A BFD flap of its own would fail a row too: FRR stopped the first speaker on a
// BFD Down once at load ~20 with a second process loading beside it (2026-12-03), outside any restart
// window; the log printed tells the two apart. Needs root, FRR and tcpdump.
import t from 'tap'
import type { ChildProcess } from 'node:child_process'
import { missingTools, netnsUnavailable } from '../../support/netns.js'
import type { Agent } from '../../support/netnsAgent.js'
import { loadSpeaker, peerConfig, routerFacingSpeaker, SERVICE_IP, SPEAKER, webService } from '../../support/bgpSpeakerLab.js'
import { poll, sleep } from '../../support/poll.js'

const RESTARTS = 3
const BFD = { receiveMs: 100, transmitMs: 100, multiplier: 3 }
const OBJECTS = [...peerConfig({ connectTime: '2s', enableGracefulRestart: true }, BFD), ...webService]

/** A long-running command's output lines, collected as they come. */
const lines = (c: ChildProcess): (() => string[]) => {
  let out = ''
  c.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  return () => out.split('\n').filter((l) => l !== '')
}

const main = (): void =>
  void t.test(`${RESTARTS} graceful restarts with BFD, FRR without check-control-plane-failure: no AdminDown, the /32 never leaves FRR's table`, async (t) => {
    const rl = await routerFacingSpeaker(t, { bfd: BFD })
    const { lab, rtr, router, hasRoute, bfdUp } = rl
    await rl.vtysh('debug bgp bfd', 'debug bgp neighbor-events', 'debug bgp graceful-restart')
    // Every change of the router's kernel routes, and every BFD packet of ours (-v prints the state).
    const routes = lines(lab.spawn(rtr, ['ip', '-ts', 'monitor', 'route']))
    const bfdPackets = lines(lab.spawn(rtr, ['tcpdump', '-l', '-n', '-v', '-i', 'eth0', `udp dst port 3784 and src ${SPEAKER.v4}`]))
    const load = async (): Promise<Agent> => (await loadSpeaker(t, rl, 200)).agent
    const run = async (a: Agent): Promise<void> => {
      a.command({ cmd: 'objects', objects: OBJECTS })
      await a.waitFor((e) => e.event === 'bgp-session-up', 'its session up', 40_000)
      t.ok(await poll(30_000, bfdUp, (v) => v), "FRR's BFD session with it is up")
      await sleep(1_000)
    }
    const adminDowns = (): string[] => bfdPackets().filter((l) => /State Admin ?Down/i.test(l))

    try {
      let running = await load()
      await run(running)
      t.ok(await poll(15_000, hasRoute, (v) => v), `${SERVICE_IP}/32 in FRR's RIB`)
      t.ok(bfdPackets().length > 0, `tcpdump sees our BFD packets (${bfdPackets().length} so far)`)
      for (let i = 1; i <= RESTARTS; i++) {
        const next = await load()
        const seen = routes().length
        const adminBefore = adminDowns().length
        const stoppedAt = Date.now()
        running.command({ cmd: 'stop' })
        await running.waitFor((e) => e.event === 'stopped', 'the speaker stopped', 10_000)
        await run(next)
        const changes = routes().slice(seen).filter((l) => l.includes(SERVICE_IP))
      t.comment(`restart ${i}: stopped at ${new Date(stoppedAt).toISOString()}; route changes: ${changes.join(' | ')}`)
        t.same(changes.filter((l) => /Deleted/.test(l)), [], `restart ${i}: FRR never deleted its kernel route for the /32 (${changes.length} changes, ${Date.now() - stoppedAt} ms from the stop)`)
        t.same(adminDowns().slice(adminBefore), [], `restart ${i}: no AdminDown of ours on the wire`)
        t.match(next.events.find((e) => e.event === 'bgp-session-started'), { restarted: true }, `restart ${i}: the new process opened with the R bit`)
        running = next
      }
      t.ok(await hasRoute(), 'the /32 in the RIB after')
      // Evidence either way: what bgpd said about BFD and graceful restart.
      t.comment(router.logTail(2000).split('\n').filter((l) => /bfd state|NOTIFICATION|graceful restart|stalepath|went from|Deleted|TCP_connection_closed|BGP_Stop/.test(l)).slice(-80).join('\n'))
    } finally {
      if (!t.passing()) t.comment(router.logTail(60))
    }
  })

t.setTimeout(360_000)
const why = netnsUnavailable()
const missing = missingTools(['vtysh', 'tcpdump'])
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (missing !== undefined) t.fail(missing)
else main()

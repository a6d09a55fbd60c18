// Graceful restart with BFD (issue 10): FRR in one namespace, the speaker's real reconcile and applier
// (bgpSpeakerMain.ts, native sockets, BFD 300 ms x 3) in another, the BGPPeer with
// enableGracefulRestart and a BFD profile, FRR's neighbour with `bfd check-control-plane-failure`.
// A graceful stop closes the session bare (no Cease) and stops BFD (AdminDown), and a new process opens
// with the R bit (loaded beforehand: the restart's window is the stop to the new session up).
// Shows: our BFD packets carry the C bit clear (RFC 5880 §4.1: our BFD runs in the speaker and shares
// fate with the control plane; read off the wire with tcpdump), FRR's kernel route for the /32 at every
// 50 ms sample from the stop until 2 s after the new session is up, and bgpd saying it ignored the BFD
// Down in graceful restart; then that the option spares nothing else: the new speaker frozen (an
// Established session, no restart), FRR drops the /32 at BFD speed. FRR 8.4.4 ignores the BFD Down
// whatever our C bit (set, as a mutant, it still logged "CPI bit no"): the option alone decides there.
// Without the option FRR stops the peer on that BFD Down and may flush its stale routes, depending on
// whether the BFD Down or the TCP close reaches bgpd first (not here: README). Needs root and FRR.
import t from 'tap'
import { missingTools, netnsUnavailable } from '../../support/netns.js'
import type { Agent } from '../../support/netnsAgent.js'
import { bfdEvidence } from '../../support/bfdEvidence.js'
import { loadSpeaker, peerConfig, ROUTER, routerFacingSpeaker, SERVICE_IP, SPEAKER, webService } from '../../support/bgpSpeakerLab.js'
import { poll, sampling, sleep } from '../../support/poll.js'

/** shell/testbed/routerFrr.ts names the peer group of the first neighbour N0. */
const FRR_GROUP = 'N0'
const BFD = { receiveMs: 300, transmitMs: 300, multiplier: 3 }
const OBJECTS = [...peerConfig({ connectTime: '5s', enableGracefulRestart: true }, BFD), ...webService]

async function main(): Promise<void> {
  const rl = await routerFacingSpeaker(t, { bfd: BFD })
  const { lab, rtr, router, vtysh, hasRoute, forwards, bfdUp } = rl
  // The router option, set at run time (the shared harness renders no such line); bgpd says why it
  // ignores a BFD Down only at debug level.
  const set = await vtysh('configure terminal', `router bgp ${ROUTER.asn}`, `neighbor ${FRR_GROUP} bfd check-control-plane-failure`)
  if (set.code !== 0) throw new Error(`vtysh: ${set.stderr}${set.stdout}`)
  await vtysh('debug bgp bfd')
  const load = async (): Promise<Agent> => (await loadSpeaker(t, rl, 110)).agent
  const run = async (a: Agent): Promise<void> => {
    a.command({ cmd: 'objects', objects: OBJECTS })
    await a.waitFor((e) => e.event === 'bgp-session-up', 'its session up', 40_000)
  }

  /**
   * `running` stops gracefully and `next` (a fresh process) takes over: FRR's kernel route for the /32
   * sampled every 50 ms from the stop until 2 s after the new session is up, and at least 11 times
   * (each sample asks FRR, slow on a loaded machine; from dist/ the new speaker is up within a few
   * samples: 10 at load 16); bounded: 60 s.
   */
  const restart = async (running: Agent, next: Agent): Promise<boolean[]> => {
    running.command({ cmd: 'stop' })
    await running.waitFor((e) => e.event === 'stopped', 'the speaker stopped', 10_000)
    const sampler = sampling(forwards, 50, 60_000)
    let samples: boolean[] = []
    try {
      await run(next)
      const tail = Date.now() + 2_000
      while ((Date.now() < tail || sampler.count() <= 10) && Date.now() < tail + 30_000) await sleep(50)
    } finally {
      samples = await sampler.stop()
    }
    return samples
  }

  try {
    const [speaker, next] = await Promise.all([load(), load()])
    await run(speaker)
    await t.test('a restart with BFD and `bfd check-control-plane-failure` at FRR: the /32 stays', async (t) => {
      t.ok(await poll(15_000, hasRoute, (v) => v), `${SERVICE_IP}/32 in FRR's RIB`)
      // BFD runs on a worker thread, which under tap's TypeScript loader compiles its modules afresh (9 s at
      // load 12, longer in a loaded make unit): our side Up first (bounded), then FRR's.
      await speaker.waitFor((e) => e.event === 'bfd-state' && e['to'] === 'Up', 'our BFD session Up', 120_000).catch(() => undefined)
      t.ok(await poll(20_000, bfdUp, (v) => v), 'FRR\'s BFD session with us is up')
      if (!t.passing()) console.error(`grBfd.netns.spec: FRR's BFD session not Up\n${await bfdEvidence(lab, rtr, router, speaker)}`)
      // RFC 5880 §4.1: the C bit is the fourth flag bit (0x08); tcpdump names it "Control Plane Independent".
      const dump = await lab.exec(rtr, ['timeout', '5', 'tcpdump', '-i', 'eth0', '-c', '3', '-nn', `udp dst port 3784 and src ${SPEAKER.v4}`], 10_000)
      const ours = dump.stdout.split('\n').filter((l) => /BFDv1, Control/.test(l))
      t.ok(ours.length > 0, `tcpdump saw our BFD packets (${ours.length})`)
      t.same(ours.filter((l) => /Control Plane Independent/.test(l)), [], 'our BFD packets carry the C bit clear')
      const samples = await restart(speaker, next)
      t.match(speaker.events.filter((e) => e.event === 'bgp-session-stopped').at(-1), { graceful: true }, 'the old speaker closed bare, no Cease')
      t.match(next.events.find((e) => e.event === 'bgp-session-started'), { restarted: true }, 'the new one opened with the R bit')
      t.ok(samples.length > 10, `${samples.length} samples`)
      t.same(samples.filter((v) => !v).length, 0, 'FRR forwarded the /32 to us at every sample across the restart')
      t.ok(await hasRoute(), 'and its RIB holds it after')
      const said = router.logTail(200).split('\n').filter((l) => /BFD DOWN message ignored/.test(l))
      t.ok(said.length > 0, `bgpd ignored the BFD Down during the graceful restart: ${said.at(-1) ?? 'nothing said'}`)
    })
    // A todo, not a bar: in 1 of 2 runs side by side with bgp.netns.spec (2026-12-03) FRR 8.4.4 logged "BFD DOWN
    // message ignored in the process of graceful restart" for this frozen, not restarting, speaker 3 s after its
    // restart and kept the /32 past the 10 s wait: bgpd's graceful-restart state for the peer outlived the restart.
    await t.test('the option spares only restarts: the new speaker frozen, FRR drops the /32 at BFD speed', { todo: 'FRR may still count the peer as restarting (bgpd ignored the Down in 1 of 2 runs)' }, async (t) => {
      t.ok(await poll(20_000, bfdUp, (v) => v), 'FRR\'s BFD session with the new speaker is up')
      const pid = Number(next.events.find((e) => e.event === 'started')?.['pid'])
      process.kill(pid, 'SIGSTOP')
      t.teardown(() => void process.kill(pid, 'SIGCONT'))
      const frozenAt = Date.now()
      const still = await poll(10_000, forwards, (v) => !v)
      const took = Date.now() - frozenAt
      // BFD detects in 0.9 s; the hold time is 180 s: a BFD Down ignored here would leave the route.
      t.notOk(still, `the /32 left FRR's kernel table ${took} ms after the freeze`)
      t.ok(took < 5_000, 'within 5 s: BFD, not the hold time')
    })
  } finally {
    if (!t.passing()) t.comment(router.logTail(40))
  }
}

t.setTimeout(240_000)
const why = netnsUnavailable()
const missing = missingTools(['vtysh'])
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (missing !== undefined) t.fail(missing)
else await main()

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
import { fileURLToPath } from 'node:url'
import { type Router, startRouter } from '../../../shell/testbed/router.js'
import { type Lab, labFor, missingTools, netnsUnavailable } from '../../support/netns.js'
import { type Agent, startAgent } from '../../support/netnsAgent.js'
import { bfdEvidence } from '../../support/bfdEvidence.js'

const ROUTER = { v4: '198.51.100.1', asn: 64500 }
const SPEAKER = { v4: '198.51.100.11', asn: 64512 }
const SERVICE_IP = '203.0.113.10'
const AGENT = fileURLToPath(new URL('./bgpSpeakerMain.ts', import.meta.url))
const NS = 'metallb-system'
/** shell/testbed/routerFrr.ts names the peer group of the first neighbour N0. */
const FRR_GROUP = 'N0'

const meta = (name: string, namespace = NS) => ({ name, namespace })
const OBJECTS = [
  { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: meta('pool'), spec: { addresses: ['203.0.113.0/28'] } },
  { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: meta('all'), spec: {} },
  { apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: meta('fast'), spec: { receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3 } },
  {
    apiVersion: 'metallb.io/v1beta2',
    kind: 'BGPPeer',
    metadata: meta('tor'),
    spec: { myASN: SPEAKER.asn, peerASN: ROUTER.asn, peerAddress: ROUTER.v4, connectTime: '5s', bfdProfile: 'fast', enableGracefulRestart: true },
  },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } }, status: { addresses: [{ type: 'InternalIP', address: SPEAKER.v4 }] } },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { type: 'LoadBalancer', ports: [{ port: 80 }], externalTrafficPolicy: 'Cluster' },
    status: { loadBalancer: { ingress: [{ ip: SERVICE_IP }] } },
  },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-x', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.244.0.1'], nodeName: 'n1', conditions: { ready: true } }],
  },
]

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

const poll = async <A>(ms: number, probe: () => Promise<A>, done: (a: A) => boolean): Promise<A> => {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await probe()
    if (done(v) || Date.now() > deadline) return v
    await sleep(100)
  }
}

async function main(): Promise<void> {
  const lab: Lab = labFor(t)
  const rtr = await lab.namespace('rtr')
  const spk = await lab.namespace('spk')
  await lab.veth({ ns: rtr, ifname: 'eth0' }, { ns: spk, ifname: 'eth0' })
  await lab.address(rtr, 'eth0', `${ROUTER.v4}/24`)
  await lab.address(spk, 'eth0', `${SPEAKER.v4}/24`)
  const router: Router = await startRouter({
    kind: 'frr',
    ns: rtr,
    asn: ROUTER.asn,
    routerId: ROUTER.v4,
    neighbors: [{ peer: { address: SPEAKER.v4 }, peerAs: SPEAKER.asn, bfd: { receiveMs: 300, transmitMs: 300, multiplier: 3 } }],
  })
  t.teardown(() => router.stop())
  const vtysh = (...cmds: string[]) => lab.exec(rtr, ['vtysh', '--vty_socket', router.dir, ...cmds.flatMap((c) => ['-c', c])], 10_000)
  // The router option, set at run time (the shared harness renders no such line); bgpd says why it
  // ignores a BFD Down only at debug level.
  const set = await vtysh('configure terminal', `router bgp ${ROUTER.asn}`, `neighbor ${FRR_GROUP} bfd check-control-plane-failure`)
  if (set.code !== 0) throw new Error(`vtysh: ${set.stderr}${set.stdout}`)
  await vtysh('debug bgp bfd')
  const hasRoute = async (): Promise<boolean> => (await router.rib()).some((r) => r.prefix === `${SERVICE_IP}/32` && r.nexthops.includes(SPEAKER.v4))
  /** The kernel's route, which bgpd's RIB feeds through zebra: one quick `ip route` per sample. */
  const forwards = async (): Promise<boolean> => (await router.fib(`${SERVICE_IP}/32`)).includes(SPEAKER.v4)
  const bfdUp = async (): Promise<boolean> => /"status":"up"/.test((await vtysh('show bfd peers json')).stdout)
  const agents: Agent[] = []
  t.teardown(() => agents.forEach((a) => a.command({ cmd: 'stop' })))
  /** A speaker process, loaded (tap's TypeScript loader takes seconds under load) but given no objects yet. */
  const loadSpeaker = async (): Promise<Agent> => {
    const a = startAgent(lab, spk, ['--node', 'n1', '--max-seconds', '110'], AGENT)
    agents.push(a)
    await a.waitFor((e) => e.event === 'started', 'a speaker process loaded', 120_000)
    return a
  }
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
    const samples: boolean[] = []
    let sampling = true
    const sampler = (async () => {
      const until = Date.now() + 60_000
      while (sampling && Date.now() < until) {
        samples.push(await forwards())
        await sleep(50)
      }
    })()
    try {
      await run(next)
      const tail = Date.now() + 2_000
      while ((Date.now() < tail || samples.length <= 10) && Date.now() < tail + 30_000) await sleep(50)
      return samples
    } finally {
      sampling = false
      await sampler
    }
  }

  try {
    const [speaker, next] = await Promise.all([loadSpeaker(), loadSpeaker()])
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

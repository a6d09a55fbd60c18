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
import { fileURLToPath } from 'node:url'
import { type Router, startRouter } from '../../../shell/testbed/router.js'
import { type Lab, labFor, missingTools, netnsUnavailable } from '../../support/netns.js'
import { type Agent, startAgent } from '../../support/netnsAgent.js'

const ROUTER = { v4: '198.51.100.1', asn: 64500 }
const SPEAKER = { v4: '198.51.100.11', asn: 64512 }
const SERVICE_IP = '203.0.113.10'
const AGENT = fileURLToPath(new URL('./bgpSpeakerMain.ts', import.meta.url))
const NS = 'metallb-system'
const RESTARTS = 3

const meta = (name: string, namespace = NS) => ({ name, namespace })
const OBJECTS = [
  { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: meta('pool'), spec: { addresses: ['203.0.113.0/28'] } },
  { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: meta('all'), spec: {} },
  { apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: meta('fast'), spec: { receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3 } },
  {
    apiVersion: 'metallb.io/v1beta2',
    kind: 'BGPPeer',
    metadata: meta('tor'),
    spec: { myASN: SPEAKER.asn, peerASN: ROUTER.asn, peerAddress: ROUTER.v4, connectTime: '2s', bfdProfile: 'fast', enableGracefulRestart: true },
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

/** A long-running command's output lines, collected as they come. */
const lines = (c: ChildProcess): (() => string[]) => {
  let out = ''
  c.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  return () => out.split('\n').filter((l) => l !== '')
}

const main = (): void =>
  void t.test(`${RESTARTS} graceful restarts with BFD, FRR without check-control-plane-failure: no AdminDown, the /32 never leaves FRR's table`, async (t) => {
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
      neighbors: [{ peer: { address: SPEAKER.v4 }, peerAs: SPEAKER.asn, bfd: { receiveMs: 100, transmitMs: 100, multiplier: 3 } }],
    })
    t.teardown(() => router.stop())
    const vtysh = (...cmds: string[]) => lab.exec(rtr, ['vtysh', '--vty_socket', router.dir, ...cmds.flatMap((c) => ['-c', c])], 10_000)
    await vtysh('debug bgp bfd', 'debug bgp neighbor-events', 'debug bgp graceful-restart')
    const hasRoute = async (): Promise<boolean> => (await router.rib()).some((r) => r.prefix === `${SERVICE_IP}/32` && r.nexthops.includes(SPEAKER.v4))
    const bfdUp = async (): Promise<boolean> => /"status":"up"/.test((await vtysh('show bfd peers json')).stdout)
    // Every change of the router's kernel routes, and every BFD packet of ours (-v prints the state).
    const routes = lines(lab.spawn(rtr, ['ip', '-ts', 'monitor', 'route']))
    const bfdPackets = lines(lab.spawn(rtr, ['tcpdump', '-l', '-n', '-v', '-i', 'eth0', `udp dst port 3784 and src ${SPEAKER.v4}`]))
    const agents: Agent[] = []
    t.teardown(() => agents.forEach((a) => a.command({ cmd: 'stop' })))
    const loadSpeaker = async (): Promise<Agent> => {
      const a = startAgent(lab, spk, ['--node', 'n1', '--max-seconds', '200'], AGENT)
      agents.push(a)
      await a.waitFor((e) => e.event === 'started', 'a speaker process loaded', 120_000)
      return a
    }
    const run = async (a: Agent): Promise<void> => {
      a.command({ cmd: 'objects', objects: OBJECTS })
      await a.waitFor((e) => e.event === 'bgp-session-up', 'its session up', 40_000)
      t.ok(await poll(30_000, bfdUp, (v) => v), "FRR's BFD session with it is up")
      await sleep(1_000)
    }
    const adminDowns = (): string[] => bfdPackets().filter((l) => /State Admin ?Down/i.test(l))

    try {
      let running = await loadSpeaker()
      await run(running)
      t.ok(await poll(15_000, hasRoute, (v) => v), `${SERVICE_IP}/32 in FRR's RIB`)
      t.ok(bfdPackets().length > 0, `tcpdump sees our BFD packets (${bfdPackets().length} so far)`)
      for (let i = 1; i <= RESTARTS; i++) {
        const next = await loadSpeaker()
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

// Without BFD, the hold time bounds how long a silent speaker's routes live at the router (issue 10):
// FRR in one namespace (no BFD toward us), the speaker's real reconcile and applier (bgpSpeakerMain.ts,
// native sockets) in another, the BGPPeer asking holdTime 3s / keepaliveTime 1s. Shows: FRR negotiates
// 3 s / 1 s; while the speaker runs, the session outlives two hold times (its KEEPALIVEs flow); frozen
// (SIGSTOP: the kernel still ACKs, nothing is sent) FRR drops the session, says the hold timer expired,
// and takes the /32 out of its RIB and its kernel FIB, no sooner than hold - keepalive and no later than
// hold + slack after the freeze; thawed, the speaker dials again and the /32 is back. Needs root and FRR.
import t from 'tap'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { type Router, startRouter } from '../../../shell/testbed/router.js'
import { type Lab, labFor, missingTools, netnsUnavailable } from '../../support/netns.js'
import { type Agent, startAgent } from '../../support/netnsAgent.js'

const ROUTER = { v4: '198.51.100.1', asn: 64500 }
const SPEAKER = { v4: '198.51.100.11', asn: 64512 }
const SERVICE_IP = '203.0.113.10'
const HOLD_MS = 3_000
const KEEPALIVE_MS = 1_000
/** Room for a loaded machine: our last KEEPALIVE a little late, FRR's timer, zebra and this process's event loop. */
const SLACK_MS = { early: 500, late: 2_000 }
const AGENT = fileURLToPath(new URL('./bgpSpeakerMain.ts', import.meta.url))
const NS = 'metallb-system'

const meta = (name: string, namespace = NS) => ({ name, namespace })
const OBJECTS = [
  { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: meta('pool'), spec: { addresses: ['203.0.113.0/28'] } },
  { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: meta('all'), spec: {} },
  {
    apiVersion: 'metallb.io/v1beta2',
    kind: 'BGPPeer',
    metadata: meta('tor'),
    spec: { myASN: SPEAKER.asn, peerASN: ROUTER.asn, peerAddress: ROUTER.v4, connectTime: '5s', holdTime: `${HOLD_MS / 1000}s`, keepaliveTime: `${KEEPALIVE_MS / 1000}s` },
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

const poll = async <A>(ms: number, probe: () => Promise<A>, done: (a: A) => boolean): Promise<A> => {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await probe()
    if (done(v) || Date.now() > deadline) return v
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function main(): Promise<void> {
  const lab: Lab = labFor(t)
  const rtr = await lab.namespace('rtr')
  const spk = await lab.namespace('spk')
  await lab.veth({ ns: rtr, ifname: 'eth0' }, { ns: spk, ifname: 'eth0' })
  await lab.address(rtr, 'eth0', `${ROUTER.v4}/24`)
  await lab.address(spk, 'eth0', `${SPEAKER.v4}/24`)
  const router: Router = await startRouter({ kind: 'frr', ns: rtr, asn: ROUTER.asn, routerId: ROUTER.v4, neighbors: [{ peer: { address: SPEAKER.v4 }, peerAs: SPEAKER.asn }] })
  t.teardown(() => router.stop())
  const agent: Agent = startAgent(lab, spk, ['--node', 'n1', '--max-seconds', '110'], AGENT)
  const pid = Number((await agent.waitFor((e) => e.event === 'started', 'agent started', 60_000))['pid'])
  let thawed = true
  t.teardown(() => {
    if (!thawed) process.kill(pid, 'SIGCONT')
    agent.command({ cmd: 'stop' })
  })
  const neighbor = async (): Promise<FrrNeighbor> => {
    const r = await lab.exec(rtr, ['vtysh', '--vty_socket', router.dir, '-c', `show bgp neighbors ${SPEAKER.v4} json`], 5_000)
    return r.stdout.trim().startsWith('{') ? (((JSON.parse(r.stdout) as Record<string, FrrNeighbor>)[SPEAKER.v4] ?? {}) as FrrNeighbor) : {}
  }
  const established = async (): Promise<boolean> => (await neighbor()).bgpState === 'Established'
  const inRib = async (): Promise<boolean> => (await router.rib()).some((r) => r.prefix === `${SERVICE_IP}/32` && r.nexthops.includes(SPEAKER.v4))
  const inFib = async (): Promise<boolean> => (await router.fib(`${SERVICE_IP}/32`)).includes(SPEAKER.v4)

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

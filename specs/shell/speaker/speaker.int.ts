// A speaker that cannot open a packet socket must not hold an IP (issue 8 §3). Seen before the fix:
// without the addon (or without NET_RAW) the speaker logged l2-interface-open-failed, then
// `announcing`; its ServiceL2Status named it and clients got no answer while healthy nodes stood by.
// Two speakers run here against the real API server, each on its own loopback address for the
// failure detector: `broken` (every packet socket refused with EPERM, as without CAP_NET_RAW) and
// `healthy` (recording sockets). The Service's endpoint sits on the broken node, so the election
// (MetalLB's: among live nodes, SHA-256 of node#ip) is arranged to prefer it whenever it is live.
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import type { LinkFacts } from '../../../core/speaker/interfaceFilter.js'
import type { Mac } from '../../../core/packet/mac.js'
import { eventRecorder } from '../../../shell/kube/events.js'
import type { RestClient } from '../../../shell/kube/rest.js'
import type { MulticastGroups } from '../../../shell/l2/multicastGroups.js'
import type { PacketSocket } from '../../../shell/native/packetSocket.js'
import { jsonLogger, silentLogger, type Logger } from '../../../shell/obs/log.js'
import type { ResponderIo } from '../../../shell/speaker/l2Responder.js'
import { speakerMetrics } from '../../../shell/speaker/metrics.js'
import { startSpeaker, type Speaker } from '../../../shell/speaker/speaker.js'
import { freePort } from '../../support/controllerProcess.js'
import { ensureCrds } from '../../support/crds.js'
import { apply, create, eventually, list, randomSuffix, testKubeconfig, testRest } from '../../support/kube.js'
import { serviceAccountKubeconfig } from '../../support/serviceAccount.js'

t.setTimeout(240_000)

const link = (mac: string): LinkFacts => ({ name: 'eth0', ifindex: 2, mac: mac as Mac, up: true, noArp: false, loopback: false, master: undefined })

const refusingIo: ResponderIo = {
  openSocket: () => {
    throw Object.assign(new Error('socket: Operation not permitted'), { errno: 1, syscall: 'socket' })
  },
  openGroups: async (): Promise<MulticastGroups> => ({ join: () => undefined, leave: () => undefined, joined: () => [], close: async () => undefined }),
}

const workingIo = (): ResponderIo => ({
  openSocket: (): PacketSocket => {
    let open = true
    return {
      send: (f) => f.length,
      start: () => undefined,
      addMembership: () => undefined,
      dropMembership: () => undefined,
      statistics: () => ({ packets: 0, drops: 0 }),
      setRef: () => undefined,
      close: () => {
        open = false
      },
      fd: () => (open ? 100 : -1),
    }
  },
  openGroups: refusingIo.openGroups,
})

/** MetalLB's L2 election key: the node with the smallest SHA-256 of `<node>#<ip>` wins. */
const rank = (node: string, ip: string): string => createHash('sha256').update(`${node}#${ip}`).digest('hex')

/** Log lines of one speaker, kept for the assertions on what it said. */
const recordingLog = (lines: Record<string, unknown>[]): Logger => jsonLogger('info', (line) => lines.push(JSON.parse(line) as Record<string, unknown>))

t.test('a speaker that cannot open its packet socket leaves the IP to a healthy one, and says why', async (t) => {
  await ensureCrds(testKubeconfig())
  const rest: RestClient = await testRest()
  t.teardown(() => rest.close())
  const id = randomSuffix()
  const cfg = `cfg-l2u-${id}`
  const ns = `svc-l2u-${id}`
  const lbClass = `ironlb.test/l2u-${id}`
  const ip = '198.51.100.77'
  // Pick node names so that the broken one wins the election for the IP whenever it is live.
  let broken = `broken-${id}`
  let healthy = `healthy-${id}`
  for (let i = 0; rank(broken, ip) > rank(healthy, ip) && i < 1000; i++) broken = `broken-${id}-${i}`
  t.ok(rank(broken, ip) < rank(healthy, ip), 'the broken node would win the election if it took part')
  const hosts = new Map([[broken, '127.0.0.2'], [healthy, '127.0.0.3']])

  await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: cfg } })
  await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })
  for (const [name, host] of hosts) {
    await create(rest, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } } } as never)
    const status = { status: { addresses: [{ type: 'InternalIP', address: host }], conditions: [{ type: 'Ready', status: 'True', reason: 'Test', message: 'test', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }] } }
    const r = await rest.request('PATCH', `/api/v1/nodes/${name}/status`, { body: status, contentType: 'application/merge-patch+json' })
    t.ok(r.status < 300, `node ${name} status written (${r.status})`)
  }
  t.teardown(async () => {
    for (const name of hosts.keys()) await rest.request('DELETE', `/api/v1/nodes/${name}`).catch(() => undefined)
    for (const n of [cfg, ns]) await rest.request('DELETE', `/api/v1/namespaces/${n}`).catch(() => undefined)
  })
  await apply(rest, { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'lan', namespace: cfg }, spec: { addresses: ['198.51.100.64/26'] } } as never)
  await apply(rest, { apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'lan', namespace: cfg }, spec: { ipAddressPools: ['lan'] } } as never)
  await create(rest, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: ns },
    spec: { type: 'LoadBalancer', loadBalancerClass: lbClass, externalTrafficPolicy: 'Cluster', ports: [{ port: 80, protocol: 'TCP' }] },
  } as never)
  const st = await rest.request('PATCH', `/api/v1/namespaces/${ns}/services/web/status`, { body: { status: { loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] } } }, contentType: 'application/merge-patch+json' })
  t.ok(st.status < 300, `Service status written (${st.status})`)
  await create(rest, {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-1', namespace: ns, labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['198.51.100.5'], nodeName: broken, conditions: { ready: true } }],
    ports: [{ port: 80, protocol: 'TCP' }],
  } as never)

  const key = randomBytes(32)
  const port = await freePort()
  const lines = new Map<string, Record<string, unknown>[]>([[broken, []], [healthy, []]])
  const speakers = new Map<string, { speaker: Speaker; metrics: ReturnType<typeof speakerMetrics> }>()
  t.teardown(async () => {
    if (!t.passing()) for (const [node, said] of lines) t.comment(`${node} said:\n${said.slice(-40).map((l) => JSON.stringify(l)).join('\n')}`)
    for (const s of speakers.values()) await s.speaker.stop(true)
  })
  const saDir = mkdtempSync(join(tmpdir(), 'ilb-speaker-sa-'))
  t.teardown(() => rmSync(saDir, { recursive: true, force: true }))
  for (const [node, host] of hosts) {
    const metrics = speakerMetrics(node)
    // A client of its own per speaker, as in a real cluster (their watches hold connections), under
    // the speaker's ServiceAccount and deploy/'s RBAC, so a missing grant fails here.
    const own = await testRest(await serviceAccountKubeconfig(testKubeconfig(), 'speaker', cfg, saDir))
    t.teardown(() => own.close())
    const speaker = await startSpeaker({
      rest: own,
      log: recordingLog(lines.get(node) ?? []),
      metrics,
      events: eventRecorder(own, 'metallb-speaker', node, silentLogger),
      node,
      namespace: cfg,
      loadBalancerClass: lbClass,
      membershipKey: key,
      memberlistBind: host,
      memberlistPort: port,
      memberlistAdvertise: host,
      listLinks: async () => [link(node === broken ? '02:00:5e:00:00:02' : '02:00:5e:00:00:03')],
      responderIo: node === broken ? refusingIo : workingIo(),
      membershipThread: 'main',
    })
    speakers.set(node, { speaker, metrics })
  }

  const statusNodes = async (): Promise<string[]> => {
    const r = await rest.request('GET', `/apis/metallb.io/v1beta1/namespaces/${cfg}/servicel2statuses`)
    const items = (r.body as { items?: { status?: { node?: string; serviceName?: string } }[] }).items ?? []
    return items.filter((s) => s.status?.serviceName === 'web').map((s) => s.status?.node ?? '')
  }
  const holders = await eventually('a ServiceL2Status for web', 60_000, async () => {
    const n = await statusNodes()
    return n.length > 0 ? n : undefined
  })
  t.same(holders, [healthy], 'the healthy node announces the IP')
  // Long enough for a wrong claim to show: several failure-detector rounds and speaker passes.
  await new Promise((r) => setTimeout(r, 5_000))
  t.same(await statusNodes(), [healthy], 'and still does; the broken node never claimed it')

  const b = speakers.get(broken)
  t.equal(b?.speaker.ready(), false, 'the broken speaker reports not ready')
  t.equal(speakers.get(healthy)?.speaker.ready(), true, 'the healthy speaker is ready')
  const text = (await b?.metrics.registry.metrics()) ?? ''
  t.match(text, /ironlb_speaker_layer2_unable\{reason="NoPermission"\} 1/, 'its metrics say why')
  t.notMatch(text, /metallb_speaker_announced\{/, 'and that it announces nothing')
  const said = lines.get(broken) ?? []
  const unable = said.find((l) => l['event'] === 'l2-unable')
  t.match(unable, { reason: 'NoPermission', message: /eth0: socket: Operation not permitted/ }, 'its log says why')
  t.notOk(said.some((l) => l['event'] === 'announcing'), 'it never logged announcing')
  const events = await eventually('a Warning Event on the broken Node', 30_000, async () => {
    const all = await list<{ involvedObject: { kind: string; name: string }; reason: string; type: string; message: string }>(rest, 'v1', 'Event', 'default')
    const mine = all.filter((e) => e.involvedObject.kind === 'Node' && e.involvedObject.name === broken)
    return mine.length > 0 ? mine : undefined
  })
  t.match(events[0], { type: 'Warning', reason: 'Layer2Unavailable', message: /CAP_NET_RAW/ }, 'its Node carries an Event saying why')
})

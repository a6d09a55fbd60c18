// Where a speaker's memory goes per BGP prefix (issue 10's 10,000-prefix row), without a lab: the
// speaker's caches as its reflectors keep them (Services, EndpointSlices and Nodes projected,
// ServiceBGPStatus whole but for managedFields), the decode memo, the reconcile's state between
// passes and one Established BGP session (core/bgp/session.ts) fed each pass's routes, as the lab's
// bench has them: 3 nodes, the two lab-router BGPPeers (IPv4 and IPv6), N IPv6 Services in one pool.
// It builds the cluster up STEP Services at a time with a pass after each step (the lab's coalesced
// passes), then prints the heap after a full GC at each layer and the peak heap and RSS seen meanwhile.
// With HEAP_CLASSES=1 it also prints the heap snapshot's largest object classes (self size).
//
//   node --expose-gc dist/specs/bench/speakerMemory.js [N] [STEP]       default 10000 500
import { Session as InspectorSession } from 'node:inspector'
import { getHeapSnapshot } from 'node:v8'
import { loadavg } from 'node:os'
import * as E from 'fp-ts/lib/Either.js'
import { projectionOf } from '../../core/cluster/projection.js'
import type { Route } from '../../core/bgp/route.js'
import { type Session, type SessionConfig, type SessionEvent, initialSession, step } from '../../core/bgp/session.js'
import type { Asn } from '../../core/model/bgpPeer.js'
import { parseIP } from '../../core/net/address.js'
import { reconcileSpeaker } from '../../core/speaker/reconcile.js'
import { type SpeakerInput, type SpeakerState, initialSpeakerState } from '../../core/speaker/speakerPlan.js'
import { decodeBgpStatus } from '../../core/speaker/bgpStatusCodec.js'
import { memoized, memoizedDecode } from '../../shell/speaker/caches.js'
import { ENV, NS, SELF, member } from '../core/speaker/mk.js'

const gc = (globalThis as { gc?: () => void }).gc
const mib = (b: number): string => (b / 1048576).toFixed(1)
const NODES = ['n0', 'n1', 'n2']
let peakHeap = 0
let peakRss = 0
const sample = (): void => {
  const m = process.memoryUsage()
  peakHeap = Math.max(peakHeap, m.heapUsed)
  peakRss = Math.max(peakRss, m.rss)
}

/** Heap in use once everything unreachable is gone. */
const live = (): number => {
  if (gc === undefined) throw new Error('run with --expose-gc')
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

const ip6 = (i: number): string => `2001:db8:300::1:${(i + 1).toString(16)}`
const uid = (i: number, kind: number): string => `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`

/** A Service as the API server answers it (the lab's many-N: IPv6, no NodePorts, the controller's IP). */
const apiService = (i: number): object => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name: `many-${i}`,
    namespace: 'default',
    uid: uid(i, 1),
    resourceVersion: String(100_000 + i),
    creationTimestamp: '2026-12-03T10:00:00Z',
    annotations: { 'metallb.io/address-pool': 'bench-many', 'metallb.io/ip-allocated-from-pool': 'bench-many' },
    managedFields: [{ manager: 'createServicesMain', operation: 'Update', apiVersion: 'v1', time: '2026-12-03T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:ports': {}, 'f:type': {} } } }],
  },
  spec: {
    ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80 }],
    clusterIP: `2001:db8:96::${(i + 1).toString(16)}`,
    clusterIPs: [`2001:db8:96::${(i + 1).toString(16)}`],
    type: 'LoadBalancer',
    sessionAffinity: 'None',
    externalTrafficPolicy: 'Cluster',
    ipFamilies: ['IPv6'],
    ipFamilyPolicy: 'SingleStack',
    allocateLoadBalancerNodePorts: false,
    internalTrafficPolicy: 'Cluster',
  },
  status: { loadBalancer: { ingress: [{ ip: ip6(i), ipMode: 'VIP' }] } },
})

/** The lab agent's slice for it: an endpoint on each node. */
const apiSlice = (i: number): object => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    name: `many-${i}-ipv6`,
    namespace: 'default',
    uid: uid(i, 2),
    resourceVersion: String(200_000 + i),
    labels: { 'kubernetes.io/service-name': `many-${i}`, 'endpointslice.kubernetes.io/managed-by': 'ironlb-lab' },
    ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: `many-${i}`, uid: uid(i, 1), controller: true, blockOwnerDeletion: true }],
  },
  addressType: 'IPv6',
  endpoints: NODES.map((n, k) => ({ addresses: [`2001:db8:100::${k + 11}`], nodeName: n, conditions: { ready: true, serving: true, terminating: false } })),
  ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
})

/** This node's ServiceBGPStatus for it, as the reflector keeps it (managedFields dropped). */
const apiBgpStatus = (i: number): object => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'ServiceBGPStatus',
  metadata: {
    name: `bgp-${uid(i, 3).slice(-5)}${i}`,
    generateName: 'bgp-',
    namespace: NS,
    uid: uid(i, 3),
    resourceVersion: String(300_000 + i),
    generation: 1,
    creationTimestamp: '2026-12-03T10:00:00Z',
    labels: { 'metallb.io/node': SELF, 'metallb.io/service-name': `many-${i}`, 'metallb.io/service-namespace': 'default' },
  },
  status: { node: SELF, serviceName: `many-${i}`, serviceNamespace: 'default', peers: ['lab-router-v6'] },
})

const node = (name: string, k: number): object => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  status: { addresses: [{ type: 'InternalIP', address: `198.51.100.${k + 11}` }, { type: 'InternalIP', address: `2001:db8:100::${k + 11}` }] },
})

const config = [
  { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'bench-many', namespace: NS }, spec: { addresses: ['2001:db8:300::1:0-2001:db8:300::1:ffff'], autoAssign: false } },
  { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'bench-many', namespace: NS }, spec: { ipAddressPools: ['bench-many'] } },
  { apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'lab-router', namespace: NS }, spec: { myASN: 64512, peerASN: 64500, peerAddress: '198.51.100.1' } },
  { apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'lab-router-v6', namespace: NS }, spec: { myASN: 64512, peerASN: 64500, peerAddress: '2001:db8:100::1' } },
]

const must = <A>(e: E.Either<string, A>): A => {
  if (E.isLeft(e)) throw new Error(e.left)
  return e.right
}

/** The IPv6 peer's session, Established with IPv6 unicast, as the speaker's applier runs it. */
const SESSION: SessionConfig = { localAsn: 64512, peerAsn: { _tag: 'Fixed', asn: 64500 as Asn }, routerId: 0xc633640b, holdTimeSeconds: 90, connectRetrySeconds: 5, dial: true, families: [6] }
const established = (): Session => {
  const nextHops = { v6: must(parseIP('2001:db8:100::11')) }
  const open: SessionEvent = {
    _tag: 'Received',
    conn: 'out:1',
    message: { _tag: 'Open', open: { asn: 64500, holdTimeSeconds: 90, routerId: 0xc6336401, capabilities: [{ _tag: 'Multiprotocol', afi: 2, safi: 1 }, { _tag: 'FourOctetAs', asn: 64500 }] } },
  }
  const events: SessionEvent[] = [{ _tag: 'Start' }, { _tag: 'TcpConnected', conn: 'out:1', nextHops }, open, { _tag: 'Received', conn: 'out:1', message: { _tag: 'Keepalive' } }]
  return events.reduce((s, e) => step(SESSION, s, e).session, initialSession())
}

/** What a heap snapshot holds, by node type and name: count and self size. */
const heapClasses = async (): Promise<Map<string, { count: number; bytes: number }>> => {
  let text = ''
  const stream = getHeapSnapshot().setEncoding('utf8')
  for await (const chunk of stream) text += String(chunk)
  const snap = JSON.parse(text) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] }
  const fields = snap.snapshot.meta.node_fields
  const width = fields.length
  const [typeAt, nameAt, sizeAt] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')]
  const types = snap.snapshot.meta.node_types[0]
  const out = new Map<string, { count: number; bytes: number }>()
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt] ?? 0] ?? '?'
    const name = type === 'object' || type === 'native' ? (snap.strings[snap.nodes[i + nameAt] ?? 0] ?? '?') : ''
    const key = `${type}${name === '' ? '' : ` ${name}`}`
    const row = out.get(key) ?? { count: 0, bytes: 0 }
    row.count++
    row.bytes += snap.nodes[i + sizeAt] ?? 0
    out.set(key, row)
  }
  return out
}

/** The pass's parts the allocation profile is summed under (each counts everything below it). */
const PARTS = [
  'pass',
  'reconcileSpeaker',
  'clusterObjectsOf',
  'buildConfig',
  'decideBgp',
  'whatShouldNodeAdvertise',
  'mergeRoutes',
  'bgpPart',
  'bgpStatusWrites',
  'decodeBgpStatuses',
  'wantedSessions',
  'whatShouldNodeAnnounce',
  'l2Announce',
  'notAnnouncedOf',
  'changedReasons',
  'step',
  'updatesFor',
  'carried',
  'announcements',
]

/** Bytes allocated while `f` runs (V8's sampling heap profiler, collected objects included), by PARTS. */
const allocationsOf = async (f: () => void): Promise<Map<string, number>> => {
  const s = new InspectorSession()
  s.connect()
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => s.post(method, params, (err, res) => (err === null ? resolve(res) : reject(err))))
  await post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true })
  f()
  const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } }
  s.disconnect()
  const out = new Map<string, number>(PARTS.map((p) => [p, 0]))
  const self = new Map<string, number>()
  const walk = (node: ProfileNode, above: ReadonlySet<string>): void => {
    const { functionName: name, url, lineNumber } = node.callFrame
    const here = PARTS.includes(name) ? new Set([...above, name]) : above
    for (const p of here) out.set(p, (out.get(p) ?? 0) + node.selfSize)
    const at = `${name || '(anonymous)'} ${url.replace(/^.*\/dist\//, '')}:${lineNumber + 1}`
    self.set(at, (self.get(at) ?? 0) + node.selfSize)
    for (const c of node.children) walk(c, here)
  }
  walk(profile.head, new Set())
  // ALLOC_TOP=N: the N functions that allocate most themselves, added as "self <function> <file:line>".
  const top = Number(process.env['ALLOC_TOP'] ?? 0)
  for (const [k, b] of [...self].sort((x, y) => y[1] - x[1]).slice(0, top)) out.set(`self ${k}`, b)
  return out
}
interface ProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly selfSize: number
  readonly children: readonly ProfileNode[]
}

const main = async (): Promise<void> => {
  const n = Number(process.argv[2] ?? 10_000)
  const stepSize = Number(process.argv[3] ?? 500)
  if (!(n >= 1 && stepSize >= 1)) throw new Error('usage: speakerMemory [N] [STEP]')
  const project = (kind: string): ((o: object) => object) => {
    const p = projectionOf(kind)
    return p === undefined ? (o) => o : (o) => p(o) as object
  }
  const [projService, projSlice, projNode] = [project('Service'), project('EndpointSlice'), project('Node')]
  const nodes = NODES.map((name, k) => projNode(node(name, k)))
  let decoded = memoizedDecode()
  let decodedBgpStatus = memoized(decodeBgpStatus)
  const services: object[] = []
  const slices: object[] = []
  const statuses: object[] = []
  const inputOf = (): SpeakerInput => ({
    snapshot: { synced: true, configObjects: config, services, nodes, endpointSlices: slices, l2Statuses: [], bgpStatuses: statuses, decoded, decodedBgpStatus },
    readiness: { _tag: 'Able', interfaces: ['eth0'] },
    interfaces: ['eth0'],
    membership: member(...NODES),
    goneSince: new Map(),
  })
  const load0 = loadavg()[0] ?? NaN
  const base = live()
  let state: SpeakerState = initialSpeakerState
  let session = established()
  let routes: readonly Route[] = []
  let passes = 0
  const timer = setInterval(sample, 20)
  const pass = (): void => {
    const s = reconcileSpeaker(inputOf(), state, ENV)
    state = s.state
    routes = s.plan.protocols.bgp?.routes.get('lab-router-v6') ?? []
    session = step(SESSION, session, { _tag: 'Advertise', routes }).session
    passes++
    sample()
  }
  const t0 = performance.now()
  for (let i = 0; i < n; i++) {
    services.push(projService(apiService(i)))
    slices.push(projSlice(apiSlice(i)))
    statuses.push(apiBgpStatus(i))
    if ((i + 1) % stepSize === 0 || i === n - 1) {
      await new Promise((r) => setImmediate(r))
      pass()
    }
  }
  const buildMs = performance.now() - t0
  const all = live()
  // One changed Service per pass, as in the speaker-pass bench: nothing should stay behind.
  for (let p = 0; p < 20; p++) {
    services[p] = projService({ ...apiService(p), metadata: { ...(apiService(p) as { metadata: object }).metadata, resourceVersion: String(900_000 + p) } })
    pass()
  }
  const after = live()
  clearInterval(timer)
  const classes = process.env['HEAP_CLASSES'] === '1' ? [...(await heapClasses())].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 25) : []
  const allocated = await allocationsOf(() => {
    for (let p = 20; p < 25; p++) {
      services[p] = projService({ ...apiService(p), metadata: { ...(apiService(p) as { metadata: object }).metadata, resourceVersion: String(900_000 + p) } })
      pass()
    }
  })
  // Layers, each dropped in turn (the session first, then what the pass left, then the memo).
  const sent = session.sent.size
  session = established()
  const noSession = live()
  state = initialSpeakerState
  routes = []
  const noState = live()
  decoded = memoizedDecode()
  decodedBgpStatus = memoized(decodeBgpStatus)
  const noMemo = live()
  const [sessionBytes, stateBytes, memoBytes, caches] = [after - noSession, noSession - noState, noState - noMemo, noMemo - base]
  const per = (b: number): string => `${Math.round(b / n)} B`
  console.log(`speaker memory, ${n.toLocaleString('en')} IPv6 Services (prefixes) to one IPv6 peer, a pass every ${stepSize} (${passes - 20} passes, ${(buildMs / 1000).toFixed(1)} s), load ${load0.toFixed(1)}:`)
  console.log(`  live heap after GC: ${mib(base)} MiB before, ${mib(all)} MiB with everything (${per(all - base)} a prefix); after 20 more one-change passes ${mib(after)} MiB`)
  console.log(`    BGP session (wanted + Adj-RIB-Out): ${mib(sessionBytes)} MiB (${per(sessionBytes)} a prefix, ${sent} prefixes sent)`)
  console.log(`    reconcile state and the pass's routes: ${mib(stateBytes)} MiB (${per(stateBytes)} a prefix)`)
  console.log(`    the decode memo (what only it holds): ${mib(memoBytes)} MiB (${per(memoBytes)} a prefix)`)
  console.log(`    the caches' objects: ${mib(caches)} MiB (${per(caches)} a prefix)`)
  console.log(`  peak during the build: heap used ${mib(peakHeap)} MiB, RSS ${mib(peakRss)} MiB`)
  console.log(`  allocated by 5 one-change passes at ${n.toLocaleString('en')} (sampled, garbage included), MiB a pass, by the pass's parts (nested parts counted in each):`)
  for (const [k, b] of [...allocated].sort((a, b) => b[1] - a[1])) console.log(`    ${k}: ${mib(b / 5)}`)
  for (const [k, r] of classes) console.log(`    ${k}: ${r.count} objects, ${mib(r.bytes)} MiB (${per(r.bytes)} a prefix)`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})

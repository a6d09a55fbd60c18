// The speaker's pass and the speaker at idle. First, in process: one reconcileSpeaker pass at 10,000
// Services (3 nodes, IPv6 IPs, one BGPPeer, Layer 2 and BGP advertised, one EndpointSlice each) when one
// Service changed since the last pass, with the caches' decode memo as the speaker runs it, median
// of the passes measured (wall and CPU), and each phase of it timed alone. Then in the live lab (root):
// each node's speaker process measured from /proc for 60 s with nothing announced, then again once
// 1,000 IPs are announced among the three (200 IPv4 and 800 IPv6 Services, one IP each). Prints RSS
// and CPU per speaker for both, and the ratio, from one run.
// `benchSpeaker` is for specs/bench/run.ts; its lab is its own and always taken down.
import { loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { clusterObjectsOf } from '../../core/cluster/decodeCluster.js'
import { buildConfig } from '../../core/config/buildConfig.js'
import { assignedFromIngress } from '../../core/l2/assigned.js'
import { nodeAnnouncements } from '../../core/l2/plan.js'
import { asNodeName } from '../../core/model/names.js'
import { decideBgp } from '../../core/speaker/bgpPass.js'
import { l2Announce } from '../../core/speaker/l2Announce.js'
import { changedReasons, notAnnouncedOf } from '../../core/speaker/notAnnounced.js'
import { reconcileSpeaker } from '../../core/speaker/reconcile.js'
import { type SpeakerInput, type SpeakerState, initialSpeakerState } from '../../core/speaker/speakerPlan.js'
import { memoizedDecode } from '../../shell/speaker/caches.js'
import { ENV, NS, SELF, member, mkInput, rawL2, rawNode, rawPool, rawService, rawSlice } from '../core/speaker/mk.js'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { announcedSeries, speakerMetricsText } from '../../shell/lab/demo.js'
import { labDown, labUp, type Lab } from '../../shell/lab/lab.js'
import { apply, mkL2Ad, mkPool, waitUntil, type Obj } from '../e2e/fixture.js'
import { measureIdle, speakerPids } from './speakerIdle.js'

const IDLE_MS = 60_000
const V4 = 200
const V6 = 800

const service = (name: string, family: 'IPv4' | 'IPv6'): Obj => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ipFamilyPolicy: 'SingleStack', ipFamilies: [family], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
})

/** How many IPs each speaker's metrics say it announces. */
const announcedPerNode = async (lab: Lab): Promise<Map<string, number>> => {
  const out = new Map<string, number>()
  for (const n of lab.nodes) out.set(n, announcedSeries((await speakerMetricsText(lab, n)) ?? '').length)
  return out
}

const PASS_SERVICES = 10_000
const PASSES = 12

/** The speaker's snapshot at `n` Services (Service `changed` relabelled `version`), objects kept by reference as a cache keeps them. */
const passObjects = (n: number): { objects: { kind: string }[]; relabel: (i: number, version: number) => void } => {
  const peer = { apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'tor', namespace: NS }, spec: { myASN: 64512, peerASN: 64500, peerAddress: '192.0.2.254' } }
  const bgpAd = { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'bgp', namespace: NS }, spec: { ipAddressPools: ['p'] } }
  const head = [rawNode('n0'), rawNode('n1'), rawNode('n2'), rawPool('p', ['2001:db8:be00::/112']), rawL2('l2'), peer, bgpAd]
  const svc = (i: number, version: number) => rawService(`s${i}`, { ips: [`2001:db8:be00::${(i + 1).toString(16)}`], labels: { version: String(version) } })
  const objects: { kind: string }[] = [...head]
  for (let i = 0; i < n; i++) objects.push(svc(i, 0), rawSlice(`s${i}`, [{ node: `n${i % 3}` }]))
  return { objects, relabel: (i, version) => void (objects[head.length + 2 * i] = svc(i, version)) }
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

/** `f`'s wall and CPU (this process, all threads) milliseconds. */
const timed = <T>(f: () => T): { value: T; wall: number; cpu: number } => {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const value = f()
  const wall = performance.now() - t0
  const c = process.cpuUsage(c0)
  return { value, wall, cpu: (c.user + c.system) / 1000 }
}

/** Each part of a pass alone, on the pass's own input (the memo already warm). */
const phases = (input: SpeakerInput, prior: SpeakerState, rows: Map<string, number[]>): void => {
  const add = (k: string, ms: number): void => void rows.set(k, [...(rows.get(k) ?? []), ms])
  const s = input.snapshot
  const cfg = buildConfig(s.configObjects, { namespace: NS })
  if (cfg._tag !== 'Valid') throw new Error('the bench config is invalid')
  const decode = s.decoded
  if (decode === undefined) throw new Error('no decode memo')
  const cluster = timed(() => clusterObjectsOf([...s.services, ...s.nodes, ...s.endpointSlices].map(decode)))
  add('decode (memo) and sort', cluster.wall)
  const c = cluster.value
  const assigned = assignedFromIngress(c.services)
  add('BGP: routes, sessions, statuses', timed(() => decideBgp({ ...ENV, config: cfg.config, cluster: c, assigned, rawNodes: s.nodes, secrets: undefined, bgpStatuses: undefined }, prior)).wall)
  const live = new Set(['n0', 'n1', 'n2'].map(asNodeName))
  const entries = timed(() => nodeAnnouncements(asNodeName(SELF), { config: cfg.config, services: c.services, assigned, nodes: c.nodes, endpointSlices: c.endpointSlices, live, loadBalancerClass: undefined }, prior.elections).entries)
  add('Layer 2 election (memo of the last pass)', entries.wall)
  add('Layer 2 interfaces and reasons', timed(() => [l2Announce(entries.value, ['eth0'], new Set(['n0', 'n1', 'n2']), SELF, prior), changedReasons(prior.reasons, notAnnouncedOf(entries.value))]).wall)
}

export const benchSpeakerPass = (print: (line: string) => void = (line) => void process.stdout.write(`${line}\n`)): void => {
  const { objects, relabel } = passObjects(PASS_SERVICES)
  const decoded = memoizedDecode()
  const inputOf = (): SpeakerInput => {
    const i = mkInput(objects, { membership: member('n0', 'n1', 'n2') })
    return { ...i, snapshot: { ...i.snapshot, decoded } }
  }
  let state = reconcileSpeaker(inputOf(), initialSpeakerState, ENV).state
  const wall: number[] = []
  const cpu: number[] = []
  const rows = new Map<string, number[]>()
  const load = loadavg()[0] ?? NaN
  for (let p = 1; p <= PASSES; p++) {
    relabel(p, p)
    const input = inputOf()
    const pass = timed(() => reconcileSpeaker(input, state, ENV))
    wall.push(pass.wall)
    cpu.push(pass.cpu)
    phases(input, state, rows)
    state = pass.value.state
  }
  print(`speaker pass: ${PASS_SERVICES.toLocaleString('en')} Services, one changed per pass, median of ${PASSES} (load ${load.toFixed(1)} to ${(loadavg()[0] ?? NaN).toFixed(1)}): wall ${median(wall).toFixed(0)} ms (min ${Math.min(...wall).toFixed(0)}), CPU ${median(cpu).toFixed(0)} ms`)
  for (const [k, v] of rows) print(`  ${k}: ${median(v).toFixed(1)} ms`)
}

export async function benchSpeaker(): Promise<void> {
  const print = (line: string): void => void process.stdout.write(`${line}\n`)
  benchSpeakerPass(print)
  if (process.getuid?.() !== 0) {
    print('speaker: skipped (the lab needs root)')
    return
  }
  const dir = join(tmpdir(), `ironlb-bench-speaker-${process.pid}`)
  await labDown(dir)
  try {
    const lab = await labUp({ stateDir: dir, requireSpeakers: true })
    await apply(lab, [
      // 198.51.100.40-239 and 2001:db8:100::1000-131f: 200 and 800 addresses, clear of the lab's hosts.
      mkPool('bench', ['198.51.100.40-198.51.100.239', '2001:db8:100::1000-2001:db8:100::131f']),
      mkL2Ad('bench', { ipAddressPools: ['bench'] }),
    ])
    await new Promise((r) => setTimeout(r, 5_000))
    const before = await measureIdle(await speakerPids(lab), IDLE_MS)

    const t0 = Date.now()
    const services = [...Array.from({ length: V4 }, (_, i) => service(`v4-${i}`, 'IPv4')), ...Array.from({ length: V6 }, (_, i) => service(`v6-${i}`, 'IPv6'))]
    // Batches of 100: with the pool active the speakers and the controller share the two cores with the
    // API server, and a batch of 250 took over kubectl's 60 s in one run (2026-12-03).
    for (let i = 0; i < services.length; i += 100) await apply(lab, services.slice(i, i + 100))
    let counts = new Map<string, number>()
    const total = (): number => [...counts.values()].reduce((a, b) => a + b, 0)
    await waitUntil('1,000 IPs announced', 600_000, async () => (counts = await announcedPerNode(lab)) && total() === V4 + V6, 2_000).catch((e: unknown) => {
      throw new Error(`${String(e)}; announced per node: ${JSON.stringify([...counts])}`)
    })
    print(`speaker: ${V4 + V6} Services (${V4} IPv4, ${V6} IPv6) created and all their IPs announced ${((Date.now() - t0) / 1000).toFixed(1)} s after the first create; per node: ${[...counts].map(([n, c]) => `${n} ${c}`).join(', ')}`)
    await new Promise((r) => setTimeout(r, 10_000))
    const after = await measureIdle(await speakerPids(lab), IDLE_MS)

    const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(1)} MiB`
    print(`speaker: at idle, ${IDLE_MS / 1000} s each (RSS at the end / peak; CPU averaged over the window):`)
    for (const n of lab.nodes) {
      const b = before.get(n)
      const a = after.get(n)
      if (a === undefined || b === undefined) continue
      print(
        `  ${n}: nothing announced RSS ${mb(b.rssBytes)} / ${mb(b.peakRssBytes)}, CPU ${b.cpuPercent.toFixed(2)}%; ` +
          `${counts.get(n) ?? 0} of 1,000 IPs announced here RSS ${mb(a.rssBytes)} / ${mb(a.peakRssBytes)}, CPU ${a.cpuPercent.toFixed(2)}% ` +
          `(RSS x${(a.rssBytes / b.rssBytes).toFixed(2)})`,
      )
    }
  } finally {
    await labDown(dir)
  }
}

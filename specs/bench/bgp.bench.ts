// BGP mode in the live lab with the FRR router (root), three figures, one lab:
//  1. Service created -> prefix in the router's RIB: 50 IPv4 Services one after another, each asking for
//     its IP (metallb.io/loadBalancerIPs), timed from kubectl apply to the first path in bgpd's RIB and
//     to one path per node; median, p95, worst.
//  2. BFD failover: 20 power losses (shell/lab/bgpFailover.ts, the trials specs/e2e/bgp.e2e.ts runs 3
//     of): the router dropping the node's next hop and the client's requests failing; the same bars.
//  3. 10,000 IPv6 Services created through the API (specs/bench/createServicesMain.ts, 32 in flight):
//     time from the first create until the router holds all 10,000 prefixes from each node, the
//     sessions FRR dropped meanwhile (must be none) and its BFD downs, each speaker's RSS and CPU.
//     It also prints what the lab's API server did meanwhile (shell/lab/apiServerMetrics.ts). Creates
//     ran at 4-7 a second while kube-apiserver handed out dynamic ClusterIPs one at a time; with the
//     ClusterIPs named (below) at 14-23, and then the controller's writes (one pass at a time, about
//     11 a second at load 10-29) set how fast IPs, and so prefixes, follow (README, BGP bench rows).
// `benchBgp` is for specs/bench/run.ts (BENCH=bgp); its lab is its own and always taken down.
// IRONLB_BENCH_BGP_PARTS=create,failover,many picks parts (default all three), e.g. one lab per part;
// IRONLB_BENCH_BGP_MANY=N makes part 3 smaller (a quick look); IRONLB_BENCH_KEEP_LOGS=DIR keeps the
// lab's logs there after it is taken down.
// The many Services ask for no NodePorts (allocateLoadBalancerNodePorts: false): the default range
// holds 2,768, so 10,000 could never exist, and every NodePort allocation rewrites one bitmap in etcd.
// They name their ClusterIPs (2001:db8:96::1000 on): see manyPrefixes.
// A session reset is seen from FRR's summary (a neighbour not Established, or established anew): its
// dynamic neighbours' counters go with the neighbour, so `connectionsDropped` alone misses a reset.
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bgpBars, bgpPowerLosses } from '../../shell/lab/bgpFailover.js'
import { describeApiWindow, scrapeApiServer } from '../../shell/lab/apiServerMetrics.js'
import { serviceIPs } from '../../shell/lab/demo.js'
import { labDown, labUp, repoRoot, type Lab } from '../../shell/lab/lab.js'
import { readState } from '../../shell/lab/state.js'
import { run } from '../../shell/testbed/sys.js'
import { apply, kubectlOk, median, mkService, percentile, waitUntil, type Obj } from '../e2e/fixture.js'
import { createToRib, poolAndAd } from './bgpRib.js'

const TRIALS = Number(process.env['IRONLB_BENCH_BGP_TRIALS'] ?? '20')
const CREATES = 50
const MANY = Number(process.env['IRONLB_BENCH_BGP_MANY'] ?? '10000')
/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const TICKS_PER_SECOND = 100
const EXAMPLE = join(repoRoot, 'shell', 'lab', 'examples', 'bgp-demo.yaml')
const PARTS = (process.env['IRONLB_BENCH_BGP_PARTS'] ?? 'create,failover,many').split(',')

const print = (line: string): void => void process.stdout.write(`${line}\n`)
const ms = (x: number): string => (Number.isFinite(x) ? `${Math.round(x)} ms` : 'never')
const sleep = (n: number): Promise<void> => new Promise((r) => setTimeout(r, n))

/** Apply to the first path in the RIB and to one path per node, for `CREATES` Services in turn. */
const timeCreates = async (lab: Lab): Promise<void> => {
  const { first, all } = await createToRib(lab, CREATES)
  const line = (xs: readonly number[]): string => `median ${ms(median(xs))}, p95 ${ms(percentile(xs, 95))}, worst ${ms(Math.max(...xs))}`
  print(`  Service created -> prefix in the router's RIB (${CREATES} IPv4 Services in turn, kubectl apply to bgpd's RIB, polled by vtysh back to back):`)
  print(`    first path: ${line(first)}`)
  print(`    a path from each of the ${lab.nodes.length} nodes: ${line(all)}`)
}

/** RSS bytes and CPU ticks (utime + stime, USER_HZ 100) of a process, from /proc. */
const usageOf = (pid: number): { rss: number; ticks: number } => {
  const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return { rss, ticks: Number(rest[11]) + Number(rest[12]) }
}

/** One vtysh command to the lab's FRR router, parsed. */
const vtyshJson = async (lab: Lab, cmd: string): Promise<unknown> => {
  const r = readState(lab.stateDir)?.router
  if (r?.kind !== 'frr') throw new Error('the bench needs the FRR router')
  const out = await run(['vtysh', '--vty_socket', r.dir, '--config_dir', r.dir, '-c', cmd], { timeoutMs: 30_000 })
  if (out.code !== 0) throw new Error(`vtysh -c '${cmd}': ${(out.stderr + out.stdout).trim().slice(0, 300)}`)
  return JSON.parse(out.stdout) as unknown
}

/** Per neighbour address: sessions FRR established and dropped so far (a reset is one of each). */
const frrConnections = async (lab: Lab): Promise<Map<string, { established: number; dropped: number }>> => {
  const j = (await vtyshJson(lab, 'show bgp neighbors json')) as Record<string, { connectionsEstablished?: number; connectionsDropped?: number }>
  return new Map(Object.entries(j).map(([a, n]) => [a, { established: n.connectionsEstablished ?? 0, dropped: n.connectionsDropped ?? 0 }] as const))
}

/** Per BFD peer address: the times FRR's BFD session with it went down so far. */
const frrBfdDowns = async (lab: Lab): Promise<Map<string, number>> => {
  const j = (await vtyshJson(lab, 'show bfd peers counters json')) as { peer?: string; 'session-down'?: number }[]
  return new Map(j.flatMap((p) => (p.peer === undefined ? [] : [[p.peer, p['session-down'] ?? 0] as const])))
}

/** How many objects a list holds, from one item and the server's remainingItemCount. */
const countOf = async (lab: Lab, path: string): Promise<number> => {
  const r = await lab.kubectl(['get', '--raw', `${path}?limit=1`], { timeoutMs: 20_000 })
  if (r.code !== 0) return NaN
  const j = JSON.parse(r.stdout) as { items?: unknown[]; metadata?: { remainingItemCount?: number } }
  return (j.items?.length ?? 0) + (j.metadata?.remainingItemCount ?? 0)
}

/** Per neighbour address in FRR's IPv6 summary: state, prefixes received, when it was established. */
const frrPeers = async (lab: Lab): Promise<Map<string, { state: string; received: number; since: number }>> => {
  type Peer = { state?: string; pfxRcd?: number; peerUptimeEstablishedEpoch?: number }
  const j = (await vtyshJson(lab, 'show bgp ipv6 unicast summary json')) as { peers?: Record<string, Peer>; ipv6Unicast?: { peers?: Record<string, Peer> } }
  const peers = j.peers ?? j.ipv6Unicast?.peers ?? {}
  return new Map(Object.entries(peers).map(([a, p]) => [a, { state: p.state ?? 'absent', received: p.pfxRcd ?? 0, since: p.peerUptimeEstablishedEpoch ?? NaN }] as const))
}

const CREATOR = fileURLToPath(new URL('./createServicesMain.js', import.meta.url))
const IN_FLIGHT = 32
/** The whole part stays inside one lab hold of under 10 minutes with the bring-up. */
const MANY_WAIT_MS = Number(process.env['IRONLB_BENCH_BGP_MANY_WAIT_S'] ?? '420') * 1000

/** 10,000 IPv6 Services created through the API, 32 in flight; FRR's count from every node until each has all 10,000. */
const manyPrefixes = async (lab: Lab): Promise<void> => {
  const status = await lab.status()
  const pids = new Map(lab.nodes.map((n) => [n, status.processes.find((p) => p.name === `speaker-${n}` && p.alive)?.pid] as const))
  for (const [n, pid] of pids) if (pid === undefined) throw new Error(`speaker-${n} is not running`)
  const peers = new Map(lab.nodes.map((n) => [n, lab.address(n).v6] as const))
  const first = new Map([...pids].map(([n, pid]) => [n, usageOf(pid ?? 0)] as const))
  const peak = new Map([...first].map(([n, u]) => [n, u.rss] as const))
  // Counted from sessions up: FRR's counters include the first establishment after the lab came up.
  await waitUntil('FRR established with every node', 120_000, async () => {
    const c = await frrConnections(lab)
    return [...peers.values()].every((a) => (c.get(a)?.established ?? 0) > (c.get(a)?.dropped ?? 0))
  }, 1_000)
  const [conn0, bfd0] = [await frrConnections(lab), await frrBfdDowns(lab)]
  await apply(lab, poolAndAd('bench-many', ['2001:db8:300::1:0-2001:db8:300::1:ffff']))
  const file = join(lab.stateDir, 'bench-many-services.json')
  // Each its own ClusterIP from the lab's IPv6 service range: kube-apiserver 1.33+ hands out dynamic
  // ClusterIPs one at a time per family (its MetaAllocator holds a lock across each IPAddress create), so
  // creates queued behind it at the speed of one API write; a ClusterIP given in the Service is not.
  const clusterIP = (i: number): string => `2001:db8:96::${(0x1000 + i).toString(16)}`
  const shaped = (o: Obj, i: number): Obj => ({ ...o, spec: { ...(o['spec'] as object), allocateLoadBalancerNodePorts: false, clusterIP: clusterIP(i), clusterIPs: [clusterIP(i)] } })
  writeFileSync(file, JSON.stringify(Array.from({ length: MANY }, (_, i) => shaped(mkService(`many-${i}`, { families: ['IPv6'], pool: 'bench-many' }), i))))
  const labPids = new Map(status.processes.flatMap((p) => (p.alive && p.pid !== undefined ? [[p.name, p.pid] as const] : [])))
  const labCpu0 = new Map([...labPids].map(([n, pid]) => [n, usageOf(pid).ticks] as const))
  const load0 = loadavg()[0] ?? NaN
  const [services0, api0] = [await countOf(lab, '/api/v1/services'), await scrapeApiServer(lab)]
  const t0 = Date.now()
  let createdMs = NaN
  const creating = lab.exec('infra', [process.execPath, CREATOR, lab.kubeconfig('admin'), file, String(IN_FLIGHT), String(MANY_WAIT_MS / 1000 - 20)], { timeoutMs: MANY_WAIT_MS }).then((r) => {
    createdMs = Date.now() - t0
    return r
  })
  const counts = new Map<string, number>()
  const allAt = new Map<string, number>()
  /** Per node: samples where FRR's session with it was not Established or had been established anew. */
  const resets = new Map(lab.nodes.map((n) => [n, [] as string[]] as const))
  const since = new Map<string, number>()
  let said = t0
  while (Date.now() - t0 < MANY_WAIT_MS) {
    await sleep(2_000)
    for (const [n, pid] of pids) peak.set(n, Math.max(peak.get(n) ?? 0, usageOf(pid ?? 0).rss))
    const seen = await frrPeers(lab).catch(() => undefined)
    for (const [n, a] of peers) {
      const p = seen?.get(a)
      // The epoch is FRR's now minus the uptime in seconds: it wobbles by one between samples.
      const anew = p?.state === 'Established' && Math.abs((since.get(n) ?? p.since) - p.since) > 5
      if (seen !== undefined && (p?.state !== 'Established' || anew)) resets.get(n)?.push(`+${((Date.now() - t0) / 1000).toFixed(0)} s ${p?.state ?? 'absent'}`)
      if (p?.state === 'Established' && (anew || !since.has(n))) since.set(n, p.since)
      counts.set(n, p?.received ?? counts.get(n) ?? 0)
      if ((counts.get(n) ?? 0) >= MANY && !allAt.has(n)) allAt.set(n, Date.now() - t0)
    }
    if (Date.now() - said >= 30_000) {
      said = Date.now()
      const [svcs, slices] = [await countOf(lab, '/api/v1/services'), await countOf(lab, '/apis/discovery.k8s.io/v1/endpointslices')]
      print(`    +${((said - t0) / 1000).toFixed(0)} s: prefixes at the router ${[...counts].map(([n, c]) => `${n} ${c}`).join(', ')}; ${svcs} Services, ${slices} EndpointSlices in the cluster${Number.isNaN(createdMs) ? ', still creating' : ''} (load ${(loadavg()[0] ?? NaN).toFixed(1)})`)
    }
    if (allAt.size === lab.nodes.length) break
  }
  const seconds = (Date.now() - t0) / 1000
  const load1 = loadavg()[0] ?? NaN
  const [services1, api1] = [await countOf(lab, '/api/v1/services'), await scrapeApiServer(lab)]
  const made = await Promise.race([creating, sleep(30_000).then(() => undefined)])
  const done = made?.stdout.split('\n').filter((l) => l.includes('"done"')).pop()
  const [conn1, bfd1] = [await frrConnections(lab), await frrBfdDowns(lab)]
  const mib = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MiB`
  print(`  ${MANY} IPv6 Services created through the API, ${IN_FLIGHT} in flight (load ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the end): creator ${done ?? 'not done'} after ${ms(createdMs)}`)
  for (const n of lab.nodes) {
    const a = peers.get(n) ?? ''
    const dropped = (conn1.get(a)?.dropped ?? 0) - (conn0.get(a)?.dropped ?? 0)
    const lost = resets.get(n) ?? []
    const established = (conn1.get(a)?.established ?? 0) - (conn0.get(a)?.established ?? 0)
    const bfdDowns = (bfd1.get(a) ?? 0) - (bfd0.get(a) ?? 0)
    const u = usageOf(pids.get(n) ?? 0)
    const cpu = (u.ticks - (first.get(n)?.ticks ?? u.ticks)) / TICKS_PER_SECOND / seconds
    print(
      `    ${n} (${a}): ${counts.get(n) ?? 0} prefixes at the router, all ${MANY} after ${ms(allAt.get(n) ?? NaN)} from the first create; ` +
        `sessions dropped ${dropped}, established ${established}, BFD downs ${bfdDowns} (FRR's counters), not Established or anew in ${lost.length} samples${lost.length > 0 ? ` (${lost.slice(0, 3).join(', ')})` : ''}; speaker RSS ${mib(first.get(n)?.rss ?? NaN)} before, peak ${mib(peak.get(n) ?? NaN)}, ${mib(u.rss)} at the end, CPU ${(100 * cpu).toFixed(0)}% of a core over ${seconds.toFixed(0)} s`,
    )
  }
  // Where the two cores went meanwhile: the lab's processes by CPU over the window.
  const labCpu = [...labPids].flatMap(([n, pid]) => {
    try {
      return [[n, (usageOf(pid).ticks - (labCpu0.get(n) ?? 0)) / TICKS_PER_SECOND / seconds] as const]
    } catch {
      return []
    }
  })
  for (const line of describeApiWindow(api0, api1, services1 - services0, seconds)) print(`    ${line}`)
  print(`    lab processes by CPU over the window (% of a core): ${labCpu.sort((a, b) => b[1] - a[1]).slice(0, 10).map(([n, c]) => `${n} ${(100 * c).toFixed(0)}`).join(', ')}`)
  const short = lab.nodes.filter((n) => !allAt.has(n))
  const reset = lab.nodes.filter((n) => (conn1.get(peers.get(n) ?? '')?.dropped ?? 0) > (conn0.get(peers.get(n) ?? '')?.dropped ?? 0) || (resets.get(n)?.length ?? 0) > 0)
  if (short.length > 0 || reset.length > 0) throw new Error(`many: ${short.length > 0 ? `not all ${MANY} prefixes from ${short.join(', ')} within ${MANY_WAIT_MS / 1000} s` : ''}${reset.length > 0 ? ` sessions reset: ${reset.join(', ')}` : ''}`)
}

const failover = async (lab: Lab, ips: readonly string[]): Promise<void> => {
  const t0 = Date.now()
  const trials = await bgpPowerLosses(lab, ips, { trials: TRIALS })
  print(`  BFD failover: ${trials.length} power losses, victims in turn (${((Date.now() - t0) / 1000).toFixed(0)} s), client request to each IP every 20 ms (200 ms limit)`)
  for (const ip of ips) {
    const wd = trials.map((x) => x.withdrawn.get(ip)?.ms ?? Infinity)
    const win = trials.map((x) => x.windows.get(ip)?.ms ?? Infinity)
    print(`    ${ip}: router dropped the next hop after median ${ms(median(wd))}, p95 ${ms(percentile(wd, 95))}, worst ${ms(Math.max(...wd))}; requests kept failing for median ${ms(median(win))}, p95 ${ms(percentile(win, 95))}, worst ${ms(Math.max(...win))}`)
  }
  const bars = bgpBars(trials, ips)
  for (const bar of bars) print(`    ${bar.ok ? 'met' : 'MISSED'}: ${bar.what}`)
  const missed = bars.filter((b) => !b.ok).length
  if (missed > 0) throw new Error(`bgp: ${missed} of ${bars.length} bars missed`)
}

export async function benchBgp(): Promise<void> {
  if (process.getuid?.() !== 0) {
    print('bgp: skipped (the lab needs root)')
    return
  }
  if (!(TRIALS >= 20 && TRIALS <= 200)) throw new Error(`IRONLB_BENCH_BGP_TRIALS must be 20..200, not ${TRIALS}`)
  const dir = join(tmpdir(), `ironlb-bench-bgp-${process.pid}`)
  await labDown(dir)
  try {
    const lab = await labUp({ stateDir: dir, requireSpeakers: true, router: 'frr' })
    await kubectlOk(lab, ['apply', '-f', EXAMPLE])
    let ips: string[] = []
    await waitUntil('web-bgp has two IPs', 30_000, async () => (ips = await serviceIPs(lab, 'demo-bgp/web-bgp')).length === 2)
    print(`bgp: 3-node lab, FRR router (BFD 100 ms x 3, ECMP), shell/lab/examples/bgp-demo.yaml`)
    if (PARTS.includes('create')) await timeCreates(lab)
    if (PARTS.includes('failover')) await failover(lab, ips)
    if (PARTS.includes('many')) await manyPrefixes(lab)
  } finally {
    const keep = process.env['IRONLB_BENCH_KEEP_LOGS']
    if (keep !== undefined && keep !== '' && existsSync(join(dir, 'logs'))) cpSync(join(dir, 'logs'), keep, { recursive: true })
    await labDown(dir)
  }
}


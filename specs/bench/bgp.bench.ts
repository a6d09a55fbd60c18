// BGP mode in the live lab with the FRR router (root), three figures, one lab:
//  1. Service created -> prefix in the router's RIB: 50 IPv4 Services one after another, each asking for
//     its IP (metallb.io/loadBalancerIPs), timed from kubectl apply to the first path in bgpd's RIB and
//     to one path per node; median, p95, worst.
//  2. BFD failover: 20 power losses (shell/lab/bgpFailover.ts, the trials specs/e2e/bgp.e2e.ts runs 3
//     of): the router dropping the node's next hop and the client's requests failing; the same bars.
//  3. 10,000 IPv6 Services applied at once: time until the router holds 10,000 prefixes from node1's
//     speaker, and that speaker's RSS (peak and at the end).
// `benchBgp` is for specs/bench/run.ts (BENCH=bgp); its lab is its own and always taken down.
// IRONLB_BENCH_BGP_PARTS=create,failover,many picks parts (default all three), e.g. one lab per part.
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bgpBars, bgpPowerLosses } from '../../shell/lab/bgpFailover.js'
import { frrPrefixNexthops, frrReceived } from '../../shell/lab/bgpView.js'
import { serviceIPs } from '../../shell/lab/demo.js'
import { labDown, labUp, repoRoot, type Lab } from '../../shell/lab/lab.js'
import { apply, kubectlOk, median, mkService, percentile, waitUntil, type Obj } from '../e2e/fixture.js'

const TRIALS = Number(process.env['IRONLB_BENCH_BGP_TRIALS'] ?? '20')
const CREATES = 50
const MANY = 10_000
const EXAMPLE = join(repoRoot, 'shell', 'lab', 'examples', 'bgp-demo.yaml')
const PARTS = (process.env['IRONLB_BENCH_BGP_PARTS'] ?? 'create,failover,many').split(',')

const print = (line: string): void => void process.stdout.write(`${line}\n`)
const ms = (x: number): string => (Number.isFinite(x) ? `${Math.round(x)} ms` : 'never')
const sleep = (n: number): Promise<void> => new Promise((r) => setTimeout(r, n))

const poolAndAd = (name: string, addresses: readonly string[]): Obj[] => [
  { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name, namespace: 'metallb-system' }, spec: { addresses, autoAssign: false } },
  { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name, namespace: 'metallb-system' }, spec: { ipAddressPools: [name] } },
]

/** Apply to the first path in the RIB and to one path per node, for `CREATES` Services in turn. */
const createToRib = async (lab: Lab): Promise<void> => {
  await apply(lab, poolAndAd('bench-bgp', ['203.0.113.130-203.0.113.190']))
  const first: number[] = []
  const all: number[] = []
  for (let i = 0; i < CREATES; i++) {
    const ip = `203.0.113.${130 + i}`
    const prefix = `${ip}/32`
    const t0 = Date.now()
    await apply(lab, [mkService(`bench-${i}`, { pool: 'bench-bgp', annotations: { 'metallb.io/loadBalancerIPs': ip } })])
    let seen = NaN
    await waitUntil(`${prefix} from every node in the RIB`, 60_000, async () => {
      const hops = await frrPrefixNexthops(lab, prefix)
      if (hops.length > 0 && Number.isNaN(seen)) seen = Date.now() - t0
      return hops.length === lab.nodes.length
    }, 10)
    first.push(seen)
    all.push(Date.now() - t0)
  }
  const line = (xs: number[]): string => `median ${ms(median(xs))}, p95 ${ms(percentile(xs, 95))}, worst ${ms(Math.max(...xs))}`
  print(`  Service created -> prefix in the router's RIB (${CREATES} IPv4 Services in turn, kubectl apply to bgpd's RIB, polled by vtysh back to back):`)
  print(`    first path: ${line(first)}`)
  print(`    a path from each of the ${lab.nodes.length} nodes: ${line(all)}`)
}

const rssOf = (pid: number): number => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024

/** 10,000 IPv6 Services at once; the router's count from node1 and node1's speaker RSS, once a second. */
const manyPrefixes = async (lab: Lab): Promise<void> => {
  const pid = (await lab.status()).processes.find((p) => p.name === 'speaker-node1' && p.alive)?.pid
  if (pid === undefined) throw new Error('speaker-node1 is not running')
  const peer = lab.address('node1').v6
  const before = rssOf(pid)
  await apply(lab, poolAndAd('bench-many', ['2001:db8:300::1:0-2001:db8:300::1:ffff']))
  const services = Array.from({ length: MANY }, (_, i) => mkService(`many-${i}`, { families: ['IPv6'], pool: 'bench-many' }))
  const t0 = Date.now()
  // Four kubectl processes side by side: one creates them one POST at a time (over 480 s for 10,000 at load 15).
  const chunks = [0, 1, 2, 3].map((k) => services.filter((_, i) => i % 4 === k))
  const r = Promise.all(chunks.map((items) => lab.kubectl(['create', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }), timeoutMs: 600_000 }))).then((rs) => rs.find((x) => x.code !== 0) ?? rs[0] ?? { code: 1, stdout: '', stderr: 'no chunk' })
  let applied = NaN
  void r.then(() => (applied = Date.now() - t0))
  let peak = before
  let count = 0
  let firstAt = NaN
  // Bounded so that one lab hold stays under 10 minutes with the bring-up.
  const deadline = t0 + 480_000
  let said = t0
  while (Date.now() < deadline) {
    await sleep(1_000)
    peak = Math.max(peak, rssOf(pid))
    count = (await frrReceived(lab, 'ipv6').catch(() => new Map<string, number>())).get(peer) ?? count
    if (count > 0 && Number.isNaN(firstAt)) firstAt = Date.now() - t0
    if (Date.now() - said >= 30_000) {
      said = Date.now()
      print(`    +${((said - t0) / 1000).toFixed(0)} s: ${count} prefixes from node1 at the router, speaker-node1 RSS ${(rssOf(pid) / 1024 / 1024).toFixed(0)} MiB${Number.isNaN(applied) ? ', kubectl create still running' : ''}`)
    }
    if (count >= MANY) break
  }
  const done = Date.now() - t0
  const created = await Promise.race([r, sleep(1_000).then(() => undefined)])
  if (created === undefined) throw new Error(`kubectl create of ${MANY} Services still running after ${ms(done)}; the router held ${count} prefixes from node1`)
  if (created.code !== 0) throw new Error(`kubectl create of ${MANY} Services: ${created.stderr.trim().slice(0, 300)}`)
  const mib = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MiB`
  print(`  ${MANY} IPv6 Services created at once (kubectl create took ${ms(applied)}): the router held ${count} prefixes from node1 (${peer}) after ${ms(done)} (first after ${ms(firstAt)})`)
  print(`    speaker-node1 RSS: ${mib(before)} before, peak ${mib(peak)}, ${mib(rssOf(pid))} at the end`)
  if (count < MANY) throw new Error(`only ${count} of ${MANY} prefixes from node1 within ${ms(done)}`)
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
    if (PARTS.includes('create')) await createToRib(lab)
    if (PARTS.includes('failover')) await failover(lab, ips)
    if (PARTS.includes('many')) await manyPrefixes(lab)
  } finally {
    await labDown(dir)
  }
}


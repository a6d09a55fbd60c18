// `make bench-metallb`, BGP part (issue 12): MetalLB v0.16.2's native BGP mode and IronLB's speaker against
// the same FRR router in the process lab (shell/lab/router.ts: dynamic neighbours on the LAN, ECMP), each
// system in a lab of its own, one after the other, always taken down. The same objects for both, IPv4
// only because MetalLB's native mode refuses a pool with IPv6 addresses and a peer with keepaliveTime
// (its speaker logs "native bgp mode does not support ipv6" / "has keepalive-time set on native bgp
// mode" and announces nothing): a pool, one BGPPeer (AS 64512 to the router's 64500, hold time 3 s, the
// shortest MetalLB accepts, keepalive a third of it, so that a node loss without BFD is found in
// seconds, not the default 90 s), a BGPAdvertisement and a Service. Per system:
//  1. Service created -> prefix in the router's RIB (specs/bench/bgpRib.ts), first path and every node's.
//  2. Node loss without BFD: power losses, victims in turn (shell/lab/bgpFailover.ts), the router's kernel
//     timing when it dropped the node's next hop and the client (a request to each IP every 20 ms) how
//     long its requests failed.
//  3. IronLB only (MetalLB's native mode has no BFD): the peers given a BFDProfile (100 ms x 3), the
//     same power losses.
// Root; `make metallb-bins`.
//
//   node dist/specs/bench/metallbBgp.bench.js [--out=DIR] [metallb] [ironlb]     (default both, MetalLB first)
//   IRONLB_BENCH_METALLB_BGP_TRIALS (default 10 per part), IRONLB_BENCH_METALLB_BGP_CREATES (default 20),
//   IRONLB_BENCH_KEEP_LOGS=DIR keeps each lab's logs in DIR/<system>
import { cpSync, existsSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { bgpPowerLosses } from '../../shell/lab/bgpFailover.js'
import { serviceIPs } from '../../shell/lab/demo.js'
import { labDown, labUp, type Lab } from '../../shell/lab/lab.js'
import { apply, median, percentile, waitUntil, type Obj } from '../e2e/fixture.js'
import { startSystem, type LbSystem } from '../support/metallb/labSystems.js'
import { createToRib, type RibTimes } from './bgpRib.js'
import { outDirOf, ratioText, saveRows } from './metallbRows.js'

const TRIALS = Number(process.env['IRONLB_BENCH_METALLB_BGP_TRIALS'] ?? '10')
const CREATES = Number(process.env['IRONLB_BENCH_METALLB_BGP_CREATES'] ?? '20')
const NAMES: Record<LbSystem, string> = { metallb: 'MetalLB v0.16.2', ironlb: 'IronLB' }
/** A loss found by the hold time (3 s) takes up to 3 s after the last keepalive; the bound leaves room for load. */
const NO_BFD_BOUND_MS = 15_000

const print = (line: string): void => void process.stdout.write(`${line}\n`)
const ms = (x: number): string => (Number.isFinite(x) ? `${Math.round(x).toLocaleString('en-US')} ms` : 'never')
const load = (): string => loadavg()[0]?.toFixed(1) ?? '?'

const NS = 'metallb-system'
const peer = (name: string, address: string, bfdProfile?: string): Obj => ({
  apiVersion: 'metallb.io/v1beta2',
  kind: 'BGPPeer',
  metadata: { name, namespace: NS },
  spec: { myASN: 64512, peerASN: 64500, peerAddress: address, holdTime: '3s', ...(bfdProfile === undefined ? {} : { bfdProfile }) },
})
const peers = (bfdProfile?: string): Obj[] => [peer('lab-router', '198.51.100.1', bfdProfile)]
const objects: Obj[] = [
  { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'lab-bgp', namespace: NS }, spec: { addresses: ['203.0.113.200-203.0.113.220'] } },
  { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'lab-bgp', namespace: NS }, spec: { ipAddressPools: ['lab-bgp'] } },
  ...peers(),
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web-bgp', namespace: 'default', annotations: { 'metallb.io/address-pool': 'lab-bgp' } },
    spec: { type: 'LoadBalancer', ipFamilies: ['IPv4'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  },
]
const BFD_PROFILE: Obj = { apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: { name: 'fast', namespace: NS }, spec: { receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3 } }

/** Per IP: the router's time to drop the victim's next hop and the client's failing time, one per trial (Infinity: never within the bound). */
interface Losses {
  readonly withdrawn: ReadonlyMap<string, readonly number[]>
  readonly failing: ReadonlyMap<string, readonly number[]>
  readonly seconds: number
}

interface Figures {
  readonly system: LbSystem
  readonly ips: readonly string[]
  readonly rib: RibTimes
  readonly noBfd: Losses
  readonly bfd: Losses | undefined
  readonly load: string
}

const losses = async (lab: Lab, system: LbSystem, ips: readonly string[], bfd: boolean): Promise<Losses> => {
  const t0 = Date.now()
  const trials = await bgpPowerLosses(lab, ips, { trials: TRIALS, bfd, ...(bfd ? {} : { withdrawBoundMs: NO_BFD_BOUND_MS }), say: (l) => print(`  ${NAMES[system]}${bfd ? ', BFD' : ''}: ${l}`) })
  const per = (f: (t: (typeof trials)[number], ip: string) => number | undefined): Map<string, number[]> => new Map(ips.map((ip) => [ip, trials.map((t) => f(t, ip) ?? Infinity)] as const))
  return { withdrawn: per((t, ip) => t.withdrawn.get(ip)?.ms), failing: per((t, ip) => t.windows.get(ip)?.ms), seconds: (Date.now() - t0) / 1000 }
}

const runSystem = async (system: LbSystem): Promise<Figures> => {
  const dir = join(tmpdir(), `ironlb-bench-metallbbgp-${system}-${process.pid}`)
  await labDown(dir)
  const loadBefore = load()
  try {
    const lab = await labUp({ stateDir: dir, speakers: false, controller: false, router: 'frr' })
    await startSystem(lab, system)
    await apply(lab, objects)
    let ips: string[] = []
    await waitUntil('web-bgp has its IP', 60_000, async () => (ips = await serviceIPs(lab, 'web-bgp')).length === 1)
    print(`  ${NAMES[system]}: web-bgp at ${ips.join(', ')}; Services created in turn`)
    const rib = await createToRib(lab, CREATES)
    print(`  ${NAMES[system]}: ${CREATES} Services to the RIB, first path median ${ms(median(rib.first))}, every node's median ${ms(median(rib.all))}; power losses without BFD`)
    const noBfd = await losses(lab, system, ips, false)
    let bfd: Losses | undefined
    if (system === 'ironlb') {
      await apply(lab, [BFD_PROFILE, ...peers('fast')])
      bfd = await losses(lab, system, ips, true)
    }
    return { system, ips, rib, noBfd, bfd, load: `${loadBefore}-${load()}` }
  } finally {
    const keep = process.env['IRONLB_BENCH_KEEP_LOGS']
    if (keep !== undefined && keep !== '' && existsSync(join(dir, 'logs'))) cpSync(join(dir, 'logs'), join(keep, system), { recursive: true })
    await labDown(dir)
  }
}

const family = (ip: string): string => (ip.includes(':') ? 'IPv6' : 'IPv4')
const worst = (xs: readonly number[]): number => Math.max(...xs)
const p95 = (xs: readonly number[]): number => percentile(xs, 95)

const table = (m: Figures, i: Figures): string[] => {
  const lines = ['| | MetalLB v0.16.2 | IronLB | IronLB / MetalLB |', '|---|---|---|---|']
  const row = (what: string, a: number, b: number): void => void lines.push(`| ${what} | ${ms(a)} | ${ms(b)} | ${ratioText(b, a)} |`)
  row(`BGP: Service created to the first path in the router's RIB (${CREATES} in turn), median`, median(m.rib.first), median(i.rib.first))
  row(`BGP: Service created to a path from every node, median`, median(m.rib.all), median(i.rib.all))
  row(`BGP: Service created to a path from every node, worst`, worst(m.rib.all), worst(i.rib.all))
  const byFamily = (f: Figures, ip: string): string | undefined => f.ips.find((x) => family(x) === family(ip))
  for (const ip of i.ips) {
    const mip = byFamily(m, ip) ?? ''
    for (const [label, stat] of [['median', median], ['worst', worst]] as const) {
      row(`BGP, ${TRIALS} power losses, no BFD (hold time 3 s), ${family(ip)}: router dropped the node's next hop, ${label}`, stat(m.noBfd.withdrawn.get(mip) ?? []), stat(i.noBfd.withdrawn.get(ip) ?? []))
      row(`BGP, ${TRIALS} power losses, no BFD, ${family(ip)}: client's requests kept failing, ${label}`, stat(m.noBfd.failing.get(mip) ?? []), stat(i.noBfd.failing.get(ip) ?? []))
    }
  }
  for (const ip of i.ips)
    for (const [label, stat] of [['median', median], ['p95', p95], ['worst', worst]] as const) {
      const bfd = i.bfd
      lines.push(`| BGP, ${TRIALS} power losses, BFD 100 ms x 3, ${family(ip)}: router dropped the node's next hop / requests kept failing, ${label} | no BFD in native mode | ${ms(stat(bfd?.withdrawn.get(ip) ?? []))} / ${ms(stat(bfd?.failing.get(ip) ?? []))} | |`)
    }
  lines.push(`| BGP: the runs took (load, 1-min average, start-end) | ${(m.noBfd.seconds).toFixed(0)} s of trials (${m.load}) | ${(i.noBfd.seconds + (i.bfd?.seconds ?? 0)).toFixed(0)} s of trials (${i.load}) | |`)
  return lines
}

const main = async (): Promise<void> => {
  if (process.getuid?.() !== 0) throw new Error('the lab needs root')
  if (!(TRIALS >= 1 && TRIALS <= 100)) throw new Error(`IRONLB_BENCH_METALLB_BGP_TRIALS must be 1..100, not ${TRIALS}`)
  const argv = process.argv.slice(2)
  const wanted = argv.filter((a) => !a.startsWith('--'))
  const systems = (wanted.length === 0 ? ['metallb', 'ironlb'] : wanted).map((s): LbSystem => {
    if (s !== 'metallb' && s !== 'ironlb') throw new Error(`"${s}": want metallb or ironlb`)
    return s
  })
  const done: Figures[] = []
  for (const system of systems) {
    const f = await runSystem(system)
    done.push(f)
    const say = (what: string, l: Losses): void => {
      for (const ip of f.ips) print(`  ${what}, ${ip}: next hop dropped after ${(l.withdrawn.get(ip) ?? []).join(', ')} ms; requests failed for ${(l.failing.get(ip) ?? []).join(', ')} ms`)
    }
    print(`${NAMES[system]} (load ${f.load}): Service to RIB first path ${(f.rib.first).join(', ')} ms; every node ${(f.rib.all).join(', ')} ms`)
    say('no BFD', f.noBfd)
    if (f.bfd !== undefined) say('BFD', f.bfd)
  }
  const m = done.find((f) => f.system === 'metallb')
  const i = done.find((f) => f.system === 'ironlb')
  if (m !== undefined && i !== undefined) {
    print(`\nBGP, MetalLB v0.16.2 (native mode) and IronLB against the same FRR router, ${new Date().toISOString().slice(0, 10)}:\n`)
    const lines = table(m, i)
    for (const line of lines) print(line)
    const notes = [`BGP: the process lab with FRR (dynamic neighbours, ECMP), IPv4 only (MetalLB's native mode refuses IPv6 pools), hold time 3 s for both; ${TRIALS} power losses per part, victims in turn, a client request to each IP every 20 ms; MetalLB at load ${m.load}, IronLB at ${i.load}`]
    saveRows(outDirOf(argv), { order: 4, part: 'BGP', rows: lines.slice(2), notes })
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})

// `make bench-metallb`, Layer 2 part (issue 12): MetalLB v0.16.2's speakers and IronLB's in the same
// process lab, the same power-loss trials (specs/e2e/failoverTrials.ts: the announcing node's link cut
// and its speaker SIGKILLed while the client sends a request to each IP of a dual-stack Service every
// 20 ms; healed after, and ownership back before the next trial), then the client's longest silence
// per IP for each (median, p95, worst) and IronLB's over MetalLB's. Each system runs in a lab of its
// own (same shape), one after the other, always taken down. After the trials, in the same lab, the API
// server stopped 60 s with a power loss in it (metallbApiOutage.ts). Root; `make metallb-bins`.
//
//   node dist/specs/bench/metallbL2.bench.js [--out=DIR] [--ironlb-node=FLAG ...] [metallb] [ironlb]     (default both, MetalLB first)
//   --ironlb-node: Node flags for IronLB's speakers (with IRONLB_LAB_SPEAKER_ARGS, e.g. the low-cost setting).
//   IRONLB_BENCH_METALLB_L2_TRIALS (default 20)
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { labDown, labUp } from '../../shell/lab/lab.js'
import { dualStackWeb, median, percentile } from '../e2e/fixture.js'
import { failoverTrials, silences } from '../e2e/failoverTrials.js'
import { startSystem, type LbSystem } from '../support/metallb/labSystems.js'
import { apiServerOutage, type OutageFigures } from './metallbApiOutage.js'
import { outDirOf, saveRows } from './metallbRows.js'

const TRIALS = Number(process.env['IRONLB_BENCH_METALLB_L2_TRIALS'] ?? '20')
const NAMES: Record<LbSystem, string> = { metallb: 'MetalLB v0.16.2', ironlb: 'IronLB' }

interface Figures {
  readonly system: LbSystem
  /** Per IP family: the client's silences, one per trial (Infinity: never answered). */
  readonly gaps: { readonly v4: readonly number[]; readonly v6: readonly number[] }
  readonly backMs: readonly number[]
  readonly outage: OutageFigures
  readonly seconds: number
  readonly load: string
}

const print = (line: string): void => void process.stdout.write(`${line}\n`)
const ms = (x: number): string => (Number.isFinite(x) ? `${Math.round(x).toLocaleString('en-US')} ms` : 'never')
const load = (): string => loadavg()[0]?.toFixed(1) ?? '?'

const runSystem = async (system: LbSystem, ironlbNodeArgs: readonly string[]): Promise<Figures> => {
  const dir = join(tmpdir(), `ironlb-bench-metallbl2-${system}-${process.pid}`)
  await labDown(dir)
  const loadBefore = load()
  try {
    const lab = await labUp({ stateDir: dir, speakers: false, controller: false })
    await startSystem(lab, system, system === 'ironlb' && ironlbNodeArgs.length > 0 ? { nodeArgs: ironlbNodeArgs } : {})
    const ips = await dualStackWeb(lab)
    const t0 = Date.now()
    const trials = await failoverTrials(lab, 'default/web', ips, { trials: TRIALS, say: (l) => print(`  ${NAMES[system]}: ${l}`) })
    const of = (v6: boolean): number[] => silences(trials, ips.find((ip) => ip.includes(':') === v6) ?? '')
    const backMs = trials.map((t) => (t.back.get(ips[0] ?? '')?.at ?? Infinity) - t.tHeal)
    const seconds = (Date.now() - t0) / 1000
    const loadAfter = load()
    print(`  ${NAMES[system]}: trials done; the API server stopped 60 s`)
    const outage = await apiServerOutage(lab, 'default/web', ips)
    return { system, gaps: { v4: of(false), v6: of(true) }, backMs, outage, seconds, load: `${loadBefore}-${loadAfter}` }
  } finally {
    await labDown(dir)
  }
}

const summary = (xs: readonly number[]): string => `median ${ms(median(xs))}, p95 ${ms(percentile(xs, 95))}, worst ${ms(Math.max(...xs))}`

const table = (m: Figures, i: Figures): string[] => {
  const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toPrecision(2) : 'n/a')
  const lines = ['| | MetalLB v0.16.2 | IronLB | IronLB / MetalLB |', '|---|---|---|---|']
  for (const fam of ['v4', 'v6'] as const)
    for (const [label, f] of [['median', median], ['p95', (xs: readonly number[]) => percentile(xs, 95)], ['worst', (xs: readonly number[]) => Math.max(...xs)]] as const) {
      const [a, b] = [f(m.gaps[fam]), f(i.gaps[fam])]
      lines.push(`| Layer 2, ${TRIALS} power losses, ${fam === 'v4' ? 'IPv4 (ARP)' : 'IPv6 (NDP)'}: client's longest silence, ${label} | ${ms(a)} | ${ms(b)} | ${ratio(b, a)} |`)
    }
  lines.push(`| Layer 2: back on the healed node after heal, median | ${ms(median(m.backMs))} | ${ms(median(i.backMs))} | ${ratio(median(i.backMs), median(m.backMs))} |`)
  lines.push(`| Layer 2: the trials took (load, 1-min average, start-end) | ${m.seconds.toFixed(0)} s (${m.load}) | ${i.seconds.toFixed(0)} s (${i.load}) | |`)
  const q = (f: Figures): string => `${f.outage.quiet.unanswered} of ${f.outage.quiet.sent} unanswered, ${f.outage.quiet.byOthers} by another node, at most ${f.outage.quiet.longestMissRun} in a row`
  lines.push(`| API server stopped: first 20 s, requests to the owner | ${q(m)} | ${q(i)} | |`)
  const fo = (f: Figures): string => f.outage.failover.map((x) => `${x.ip.includes(':') ? 'IPv6' : 'IPv4'} ${ms(x.silentMs)} to ${x.to ?? 'nobody'}`).join('; ')
  const worst = (f: Figures): number => Math.max(...f.outage.failover.map((x) => x.silentMs))
  lines.push(`| API server stopped: owner's power lost, client's silence | ${fo(m)} | ${fo(i)} | ${ratio(worst(i), worst(m))} |`)
  lines.push(`| API server stopped: failed node healed meanwhile, its speaker | ${m.outage.healed} | ${i.outage.healed} | |`)
  lines.push(`| API server back: ownership settled after | ${ms(m.outage.settledMs)} | ${ms(i.outage.settledMs)} | ${ratio(i.outage.settledMs, m.outage.settledMs)} |`)
  return lines
}

const main = async (): Promise<void> => {
  if (process.getuid?.() !== 0) throw new Error('the lab needs root')
  if (!(TRIALS >= 1 && TRIALS <= 200)) throw new Error(`IRONLB_BENCH_METALLB_L2_TRIALS must be 1..200, not ${TRIALS}`)
  const argv = process.argv.slice(2)
  const wanted = argv.filter((a) => !a.startsWith('--'))
  const nodeArgs = argv.flatMap((a) => (a.startsWith('--ironlb-node=') ? [a.slice('--ironlb-node='.length)] : []))
  const systems = (wanted.length === 0 ? ['metallb', 'ironlb'] : wanted).map((s): LbSystem => {
    if (s !== 'metallb' && s !== 'ironlb') throw new Error(`"${s}": want metallb or ironlb`)
    return s
  })
  const done: Figures[] = []
  for (const system of systems) {
    const f = await runSystem(system, nodeArgs)
    done.push(f)
    print(`${NAMES[system]}: ${TRIALS} power losses in ${f.seconds.toFixed(0)} s (load ${f.load}): IPv4 ${summary(f.gaps.v4)}; IPv6 ${summary(f.gaps.v6)}; back after heal median ${ms(median(f.backMs))}`)
    print(`  IPv4 silences in trial order: ${f.gaps.v4.join(', ')}`)
    print(`  IPv6 silences in trial order: ${f.gaps.v6.join(', ')}`)
    print(`  API server stopped 60 s: ${JSON.stringify(f.outage)}`)
  }
  const m = done.find((f) => f.system === 'metallb')
  const i = done.find((f) => f.system === 'ironlb')
  if (m !== undefined && i !== undefined) {
    print(`\nLayer 2 failover, MetalLB v0.16.2 and IronLB in the process lab, ${new Date().toISOString().slice(0, 10)}:\n`)
    const lines = table(m, i)
    for (const line of lines) print(line)
    const notes = [`Layer 2 failover: ${TRIALS} power losses each${nodeArgs.length > 0 ? ` (IronLB's speakers with Node flags ${nodeArgs.join(' ')})` : ''} in the process lab (3 nodes), client request every 20 ms to a dual-stack Service; MetalLB at load ${m.load}, IronLB at ${i.load}; then the API server stopped 60 s in the same lab`]
    saveRows(outDirOf(argv), { order: 3, part: 'Layer 2 failover', rows: lines.slice(2), notes })
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})

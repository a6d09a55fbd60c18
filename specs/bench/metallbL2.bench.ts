// `make bench-metallb`, Layer 2 part (issue 12): MetalLB v0.16.2's speakers and IronLB's in the same
// process lab, the same power-loss trials (specs/e2e/failoverTrials.ts: the announcing node's link cut
// and its speaker SIGKILLed while the client sends a request to each IP of a dual-stack Service every
// 20 ms; healed after, and ownership back before the next trial), then the client's longest silence
// per IP for each (median, p95, worst) and IronLB's over MetalLB's. Each system runs in a lab of its
// own (same shape), one after the other, always taken down. Root; `make metallb-bins`.
//
//   node dist/specs/bench/metallbL2.bench.js [metallb] [ironlb]     (default both, MetalLB first)
//   IRONLB_BENCH_METALLB_L2_TRIALS (default 20)
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { labDown, labUp } from '../../shell/lab/lab.js'
import { dualStackWeb, median, percentile } from '../e2e/fixture.js'
import { failoverTrials, silences } from '../e2e/failoverTrials.js'
import { startSystem, type LbSystem } from '../support/metallb/labSystems.js'

const TRIALS = Number(process.env['IRONLB_BENCH_METALLB_L2_TRIALS'] ?? '20')
const NAMES: Record<LbSystem, string> = { metallb: 'MetalLB v0.16.2', ironlb: 'IronLB' }

interface Figures {
  readonly system: LbSystem
  /** Per IP family: the client's silences, one per trial (Infinity: never answered). */
  readonly gaps: { readonly v4: readonly number[]; readonly v6: readonly number[] }
  readonly backMs: readonly number[]
  readonly seconds: number
  readonly load: string
}

const print = (line: string): void => void process.stdout.write(`${line}\n`)
const ms = (x: number): string => (Number.isFinite(x) ? `${Math.round(x).toLocaleString('en-US')} ms` : 'never')
const load = (): string => loadavg()[0]?.toFixed(1) ?? '?'

const runSystem = async (system: LbSystem): Promise<Figures> => {
  const dir = join(tmpdir(), `ironlb-bench-metallbl2-${system}-${process.pid}`)
  await labDown(dir)
  const loadBefore = load()
  try {
    const lab = await labUp({ stateDir: dir, speakers: false, controller: false })
    await startSystem(lab, system)
    const ips = await dualStackWeb(lab)
    const t0 = Date.now()
    const trials = await failoverTrials(lab, 'default/web', ips, { trials: TRIALS, say: (l) => print(`  ${NAMES[system]}: ${l}`) })
    const of = (v6: boolean): number[] => silences(trials, ips.find((ip) => ip.includes(':') === v6) ?? '')
    const backMs = trials.map((t) => (t.back.get(ips[0] ?? '')?.at ?? Infinity) - t.tHeal)
    return { system, gaps: { v4: of(false), v6: of(true) }, backMs, seconds: (Date.now() - t0) / 1000, load: `${loadBefore}-${load()}` }
  } finally {
    await labDown(dir)
  }
}

const summary = (xs: readonly number[]): string => `median ${ms(median(xs))}, p95 ${ms(percentile(xs, 95))}, worst ${ms(Math.max(...xs))}`

const table = (m: Figures, i: Figures): string[] => {
  const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toPrecision(2) : 'n/a')
  const lines = [`| ${TRIALS} power losses, client's longest silence | MetalLB v0.16.2 | IronLB | IronLB / MetalLB |`, '|---|---|---|---|']
  for (const fam of ['v4', 'v6'] as const)
    for (const [label, f] of [['median', median], ['p95', (xs: readonly number[]) => percentile(xs, 95)], ['worst', (xs: readonly number[]) => Math.max(...xs)]] as const) {
      const [a, b] = [f(m.gaps[fam]), f(i.gaps[fam])]
      lines.push(`| ${fam === 'v4' ? 'IPv4 (ARP)' : 'IPv6 (NDP)'}: ${label} | ${ms(a)} | ${ms(b)} | ${ratio(b, a)} |`)
    }
  lines.push(`| back on the healed node after heal: median | ${ms(median(m.backMs))} | ${ms(median(i.backMs))} | ${ratio(median(i.backMs), median(m.backMs))} |`)
  lines.push(`| trials took (load, 1-min average, start-end) | ${m.seconds.toFixed(0)} s (${m.load}) | ${i.seconds.toFixed(0)} s (${i.load}) | |`)
  return lines
}

const main = async (): Promise<void> => {
  if (process.getuid?.() !== 0) throw new Error('the lab needs root')
  if (!(TRIALS >= 1 && TRIALS <= 200)) throw new Error(`IRONLB_BENCH_METALLB_L2_TRIALS must be 1..200, not ${TRIALS}`)
  const wanted = process.argv.slice(2)
  const systems = (wanted.length === 0 ? ['metallb', 'ironlb'] : wanted).map((s): LbSystem => {
    if (s !== 'metallb' && s !== 'ironlb') throw new Error(`"${s}": want metallb or ironlb`)
    return s
  })
  const done: Figures[] = []
  for (const system of systems) {
    const f = await runSystem(system)
    done.push(f)
    print(`${NAMES[system]}: ${TRIALS} power losses in ${f.seconds.toFixed(0)} s (load ${f.load}): IPv4 ${summary(f.gaps.v4)}; IPv6 ${summary(f.gaps.v6)}; back after heal median ${ms(median(f.backMs))}`)
    print(`  IPv4 silences in trial order: ${f.gaps.v4.join(', ')}`)
    print(`  IPv6 silences in trial order: ${f.gaps.v6.join(', ')}`)
  }
  const m = done.find((f) => f.system === 'metallb')
  const i = done.find((f) => f.system === 'ironlb')
  if (m !== undefined && i !== undefined) {
    print(`\nLayer 2 failover, MetalLB v0.16.2 and IronLB in the process lab, ${new Date().toISOString().slice(0, 10)}:\n`)
    for (const line of table(m, i)) print(line)
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})

// `make bench-metallb`, Layer 2 part (issue 12): MetalLB v0.16.2's speakers and IronLB's in the same
// process lab, the same power-loss trials (specs/e2e/failoverTrials.ts: the announcing node's link cut
// and its speaker SIGKILLed while the client sends a request to each IP of a dual-stack Service every
// 20 ms; healed after, and ownership back before the next trial), then the client's longest silence
// per IP for each (median, p95, worst) and IronLB's over MetalLB's. Each system runs in a lab of its
// own (same shape), one after the other, always taken down. After the trials, in the same lab, the API
// server stopped 60 s with a power loss in it (metallbApiOutage.ts). Root; `make metallb-bins`.
//
//   node dist/specs/bench/metallbL2.bench.js [--out=DIR] [--ironlb-node=FLAG ...] [metallb] [ironlb] [ironlb-low-cost]
//   (default all three, MetalLB first). --ironlb-node: Node flags for IronLB's speakers in the default setting
//   (with IRONLB_LAB_SPEAKER_ARGS); the low-cost setting's flags are ironlbSetting.ts's.
//   IRONLB_BENCH_METALLB_L2_TRIALS (default 20)
import { cpSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { labDown, labUp } from '../../shell/lab/lab.js'
import { kubePaths } from '../../shell/testbed/controlPlane.js'
import { dualStackWeb, median, percentile } from '../e2e/fixture.js'
import { failoverTrials, silences } from '../e2e/failoverTrials.js'
import { startSystem } from '../support/metallb/labSystems.js'
import { type BenchSystem, flagsNote, labSystemOf, rowTag, SYSTEM_NAMES, speakerFlagsOf, systemsOf } from './ironlbSetting.js'
import { apiServerOutage, type OutageFigures } from './metallbApiOutage.js'
import { outDirOf, saveRows } from './metallbRows.js'

const TRIALS = Number(process.env['IRONLB_BENCH_METALLB_L2_TRIALS'] ?? '20')

interface Figures {
  readonly system: BenchSystem
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

const runSystem = async (system: BenchSystem, ironlbNodeArgs: readonly string[]): Promise<Figures> => {
  const dir = join(tmpdir(), `ironlb-bench-metallbl2-${system}-${process.pid}`)
  await labDown(dir)
  const loadBefore = load()
  try {
    const flags = speakerFlagsOf(system, ironlbNodeArgs)
    const lab = await labUp({ stateDir: dir, speakers: false, controller: false, ...(flags.speakerArgs === undefined ? {} : { speakerArgs: flags.speakerArgs }) })
    await startSystem(lab, labSystemOf(system), flags.nodeArgs.length > 0 ? { nodeArgs: flags.nodeArgs } : {})
    const ips = await dualStackWeb(lab)
    const t0 = Date.now()
    const trials = await failoverTrials(lab, 'default/web', ips, { trials: TRIALS, say: (l) => print(`  ${SYSTEM_NAMES[system]}: ${l}`) })
    const of = (v6: boolean): number[] => silences(trials, ips.find((ip) => ip.includes(':') === v6) ?? '')
    const backMs = trials.map((t) => (t.back.get(ips[0] ?? '')?.at ?? Infinity) - t.tHeal)
    const seconds = (Date.now() - t0) / 1000
    const loadAfter = load()
    print(`  ${SYSTEM_NAMES[system]}: trials done; the API server stopped 60 s`)
    const outage = await apiServerOutage(lab, 'default/web', ips)
    const figures: Figures = { system, gaps: { v4: of(false), v6: of(true) }, backMs, outage, seconds, load: `${loadBefore}-${loadAfter}` }
    if (!allFailedOver(figures)) keepLogs(dir, system)
    return figures
  } finally {
    await labDown(dir)
  }
}

/** Whether every power loss, in the trials and with the API server stopped, was taken over by another node. */
const allFailedOver = (f: Figures): boolean => [...f.gaps.v4, ...f.gaps.v6].every(Number.isFinite) && f.outage.failover.every((x) => Number.isFinite(x.silentMs))

/** The lab's logs (speakers, controller, API server) copied out before the lab goes, so that a failover that never came can be looked into. */
const keepLogs = (dir: string, system: BenchSystem): void => {
  const to = join(tmpdir(), `ironlb-bench-metallbl2-logs-${system}-${new Date().toISOString().replace(/[:.]/g, '')}`)
  cpSync(kubePaths(dir).logDir, to, { recursive: true })
  print(`  ${SYSTEM_NAMES[system]}: a power loss was never taken over; the lab's logs kept in ${to}`)
}

const summary = (xs: readonly number[]): string => `median ${ms(median(xs))}, p95 ${ms(percentile(xs, 95))}, worst ${ms(Math.max(...xs))}`

/** The rows of MetalLB's figures `m` beside IronLB's `i`, each label naming the setting (`tag`). */
const rowsOf = (m: Figures, i: Figures, tag: string): string[] => {
  const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toPrecision(2) : 'n/a')
  const lines: string[] = []
  for (const fam of ['v4', 'v6'] as const)
    for (const [label, f] of [['median', median], ['p95', (xs: readonly number[]) => percentile(xs, 95)], ['worst', (xs: readonly number[]) => Math.max(...xs)]] as const) {
      const [a, b] = [f(m.gaps[fam]), f(i.gaps[fam])]
      lines.push(`| Layer 2${tag}, ${TRIALS} power losses, ${fam === 'v4' ? 'IPv4 (ARP)' : 'IPv6 (NDP)'}: client's longest silence, ${label} | ${ms(a)} | ${ms(b)} | ${ratio(b, a)} |`)
    }
  lines.push(`| Layer 2${tag}: back on the healed node after heal, median | ${ms(median(m.backMs))} | ${ms(median(i.backMs))} | ${ratio(median(i.backMs), median(m.backMs))} |`)
  lines.push(`| Layer 2${tag}: the trials took (load, 1-min average, start-end) | ${m.seconds.toFixed(0)} s (${m.load}) | ${i.seconds.toFixed(0)} s (${i.load}) | |`)
  const q = (f: Figures): string => `${f.outage.quiet.unanswered} of ${f.outage.quiet.sent} unanswered, ${f.outage.quiet.byOthers} by another node, at most ${f.outage.quiet.longestMissRun} in a row`
  lines.push(`| API server stopped${tag}: first 20 s, requests to the owner | ${q(m)} | ${q(i)} | |`)
  const fo = (f: Figures): string => f.outage.failover.map((x) => `${x.ip.includes(':') ? 'IPv6' : 'IPv4'} ${ms(x.silentMs)} to ${x.to ?? 'nobody'}`).join('; ')
  const worst = (f: Figures): number => Math.max(...f.outage.failover.map((x) => x.silentMs))
  lines.push(`| API server stopped${tag}: owner's power lost, client's silence | ${fo(m)} | ${fo(i)} | ${ratio(worst(i), worst(m))} |`)
  lines.push(`| API server stopped${tag}: failed node healed meanwhile, its speaker | ${m.outage.healed} | ${i.outage.healed} | |`)
  lines.push(`| API server back${tag}: ownership settled after | ${ms(m.outage.settledMs)} | ${ms(i.outage.settledMs)} | ${ratio(i.outage.settledMs, m.outage.settledMs)} |`)
  return lines
}

const main = async (): Promise<void> => {
  if (process.getuid?.() !== 0) throw new Error('the lab needs root')
  if (!(TRIALS >= 1 && TRIALS <= 200)) throw new Error(`IRONLB_BENCH_METALLB_L2_TRIALS must be 1..200, not ${TRIALS}`)
  const argv = process.argv.slice(2)
  const nodeArgs = argv.flatMap((a) => (a.startsWith('--ironlb-node=') ? [a.slice('--ironlb-node='.length)] : []))
  const done: Figures[] = []
  for (const system of systemsOf(argv)) {
    const f = await runSystem(system, nodeArgs)
    done.push(f)
    print(`${SYSTEM_NAMES[system]}: ${TRIALS} power losses in ${f.seconds.toFixed(0)} s (load ${f.load}): IPv4 ${summary(f.gaps.v4)}; IPv6 ${summary(f.gaps.v6)}; back after heal median ${ms(median(f.backMs))}`)
    print(`  IPv4 silences in trial order: ${f.gaps.v4.join(', ')}`)
    print(`  IPv6 silences in trial order: ${f.gaps.v6.join(', ')}`)
    print(`  API server stopped 60 s: ${JSON.stringify(f.outage)}`)
  }
  const m = done.find((f) => f.system === 'metallb')
  const beside = done.filter((f) => f.system !== 'metallb')
  if (m === undefined || beside.length === 0) return
  print(`\nLayer 2 failover, MetalLB v0.16.2 and IronLB in the process lab, ${new Date().toISOString().slice(0, 10)}:\n`)
  const rows = beside.flatMap((i) => rowsOf(m, i, rowTag(i.system)))
  for (const line of ['| | MetalLB v0.16.2 | IronLB | IronLB / MetalLB |', '|---|---|---|---|', ...rows]) print(line)
  const runs = beside.map((i) => `${SYSTEM_NAMES[i.system]} at ${i.load} with ${flagsNote(i.system, nodeArgs)}`).join('; ')
  const notes = [`Layer 2 failover: ${TRIALS} power losses each in the process lab (3 nodes), client request every 20 ms to a dual-stack Service; MetalLB at load ${m.load}; ${runs}; then the API server stopped 60 s in the same lab`]
  saveRows(outDirOf(argv), { order: 3, part: 'Layer 2 failover', rows, notes })
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})

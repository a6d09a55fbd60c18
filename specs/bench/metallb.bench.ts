// `make bench-metallb` (controller part of issue 12): IronLB's controller and MetalLB v0.16.2's, one after the
// other, against the same kind of fresh API server doing the same work (metallbRun.ts), runs alternated so a
// change of machine load falls on both; then the table of medians with the ratios (metallbTable.ts).
//
//   node dist/specs/bench/metallb.bench.js [--out=DIR] [--ironlb-only | --metallb-only] [--ironlb-node=FLAG ...] [SIZExRUNS | SIZEcRUNS ...]
//   default 5000x3 10000x1. SIZExRUNS: a wave of SIZE Services created while the controller runs, then a
//   restart; SIZEcRUNS: the cold start, SIZE Services created first and the controller started after
//   (metallbCold.ts). IronLB's controller runs with the NODE_OPTIONS of deploy/manifests (V8's heap
//   size: it is measured as it ships); --ironlb-node passes other Node flags instead (e.g.
//   --ironlb-node=--max-semi-space-size=1; --ironlb-node=none for none), --ironlb-only skips MetalLB (to
//   measure such a flag alone), --metallb-only skips IronLB (one system's long run beside the other's).
//   --out=DIR: the rows for metallbReport.js (metallbRows.ts).
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { repoRoot } from '../support/repoRoot.js'
import { type ColdFigures, runCold } from './metallbCold.js'
import { outDirOf, saveRows } from './metallbRows.js'
import { type RunFigures, type System, runOnce } from './metallbRun.js'
import { coldRows, comparisonTable } from './metallbTable.js'

const plan = (args: readonly string[]): { size: number; runs: number; cold: boolean }[] =>
  (args.length > 0 ? args : ['5000x3', '10000x1']).map((a) => {
    const m = /^(\d+)([xc])(\d+)$/.exec(a)
    if (m === null) throw new Error(`"${a}": want SIZExRUNS (e.g. 5000x3) or SIZEcRUNS (cold start, e.g. 20000c1)`)
    return { size: Number(m[1]), runs: Number(m[3]), cold: m[2] === 'c' }
  })

/** The controller container's NODE_OPTIONS in deploy/manifests, as Node flags. */
const shippedNodeArgs = (): string[] => {
  type Env = { name?: unknown; value?: unknown }
  const docs = parseAllDocuments(readFileSync(join(repoRoot, 'deploy', 'manifests', '30-controller.yaml'), 'utf8')).map((d) => d.toJS() as { kind?: unknown; spec?: { template?: { spec?: { containers?: { name?: unknown; env?: Env[] }[] } } } } | null)
  const container = docs.find((d) => d?.kind === 'Deployment')?.spec?.template?.spec?.containers?.find((c) => c.name === 'controller')
  const value = container?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value
  return typeof value === 'string' ? value.split(/\s+/).filter((f) => f !== '') : []
}

const showWave = (r: RunFigures): string =>
  `${r.system} at ${r.size}: created in ${r.createS.toFixed(1)} s, all assigned ${r.lastToAllS.toFixed(2)} s after the last create (${r.firstToAllS.toFixed(1)} s after the first), CPU ${r.cpuS.toFixed(1)} s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB, restart to a new IP ${r.restartS.toFixed(2)} s, moved ${r.moved}, duplicates ${r.duplicates}, load ${r.load}`

const showCold = (r: ColdFigures): string =>
  `${r.system} cold start at ${r.size}: created first in ${r.createS.toFixed(1)} s, ${r.assigned === r.size ? 'controller start to all assigned' : `ONLY ${r.assigned} ASSIGNED by the end,`} ${r.startToAllS.toFixed(1)} s, CPU ${r.cpuS.toFixed(1)} s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB, duplicates ${r.duplicates}, load ${r.load}`

const tableRows = (runs: readonly RunFigures[], colds: readonly ColdFigures[]): string[] => [...comparisonTable(runs).slice(2), ...coldRows(colds)]

const printTable = (runs: readonly RunFigures[], colds: readonly ColdFigures[]): void => {
  console.log(`\nMetalLB v0.16.2 and IronLB controllers, ${new Date().toISOString().slice(0, 10)}, medians (load now ${loadavg()[0]?.toFixed(1)}):\n`)
  for (const line of [...comparisonTable(runs).slice(0, 2), ...tableRows(runs, colds)]) console.log(line)
  console.log('')
}

const main = async (): Promise<void> => {
  const argv = process.argv.slice(2)
  const ironlbOnly = argv.includes('--ironlb-only')
  const metallbOnly = argv.includes('--metallb-only')
  const given = argv.flatMap((a) => (a.startsWith('--ironlb-node=') ? [a.slice('--ironlb-node='.length)] : []))
  const nodeArgs = given.length === 0 ? shippedNodeArgs() : given.filter((f) => f !== 'none')
  console.log(`IronLB's controller runs with node ${nodeArgs.join(' ') || '(no flags)'}${given.length === 0 ? " (deploy/manifests' NODE_OPTIONS)" : ''}`)
  const runs: RunFigures[] = []
  const colds: ColdFigures[] = []
  const sizes = plan(argv.filter((a) => !a.startsWith('--')))
  for (const { size, runs: n, cold } of sizes) {
    for (let k = 0; k < n; k++) {
      // Alternate which goes first, so neither always runs on the machine the other just warmed or loaded.
      const order: System[] = k % 2 === 0 ? ['MetalLB v0.16.2', 'IronLB'] : ['IronLB', 'MetalLB v0.16.2']
      for (const system of order.filter((s) => (!ironlbOnly || s === 'IronLB') && (!metallbOnly || s !== 'IronLB'))) {
        if (cold) {
          const r = await runCold(system, size, nodeArgs)
          colds.push(r)
          console.log(showCold(r))
        } else {
          const r = await runOnce(system, size, nodeArgs)
          runs.push(r)
          console.log(showWave(r))
        }
      }
      // The table so far after each pair: a long run cut short (a busy machine) still leaves one.
      printTable(runs, colds)
    }
  }
  const sized = sizes.map((p) => `${p.size.toLocaleString('en-US')} ${p.cold ? 'cold start' : 'wave'} x ${p.runs}`).join(', ')
  const flags = `IronLB's controller with ${nodeArgs.join(' ') || 'no Node flags'}`
  saveRows(outDirOf(argv), { order: 1, part: 'controller', rows: tableRows(runs, colds), notes: [`controller: ${sized} per system, runs alternated, each on a fresh API server, medians; ${flags}`] })
  const bad = [...runs.filter((r) => r.moved > 0 || r.duplicates > 0), ...colds.filter((r) => r.duplicates > 0)]
  if (bad.length > 0) {
    console.log(`\nFAILED: ${bad.length} run(s) moved or duplicated IPs`)
    process.exitCode = 1
  }
  const partial = colds.filter((r) => r.assigned < r.size)
  if (partial.length > 0) {
    console.log(`\nINCOMPLETE: ${partial.map((r) => `${r.system} at ${r.size} assigned ${r.assigned}`).join('; ')} (bound or exit; figures up to then)`)
    process.exitCode = 1
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})

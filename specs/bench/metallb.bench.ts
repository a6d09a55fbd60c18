// `make bench-metallb` (controller part of issue 12): IronLB's controller and MetalLB v0.16.2's, one after the
// other, against the same kind of fresh API server doing the same work (metallbRun.ts), runs alternated so a
// change of machine load falls on both; then the table of medians with the ratios (metallbTable.ts).
//
//   node dist/specs/bench/metallb.bench.js [--ironlb-only] [--ironlb-node=FLAG ...] [SIZExRUNS ...]
//   default 5000x3 10000x1. IronLB's controller runs with the NODE_OPTIONS of deploy/manifests (V8's heap
//   size: it is measured as it ships); --ironlb-node passes other Node flags instead (e.g.
//   --ironlb-node=--max-semi-space-size=1; --ironlb-node=none for none), --ironlb-only skips MetalLB (to
//   measure such a flag alone).
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { repoRoot } from '../support/repoRoot.js'
import { type RunFigures, type System, runOnce } from './metallbRun.js'
import { comparisonTable } from './metallbTable.js'

const plan = (args: readonly string[]): { size: number; runs: number }[] =>
  (args.length > 0 ? args : ['5000x3', '10000x1']).map((a) => {
    const m = /^(\d+)x(\d+)$/.exec(a)
    if (m === null) throw new Error(`"${a}": want SIZExRUNS, e.g. 5000x3`)
    return { size: Number(m[1]), runs: Number(m[2]) }
  })

/** The controller container's NODE_OPTIONS in deploy/manifests, as Node flags. */
const shippedNodeArgs = (): string[] => {
  type Env = { name?: unknown; value?: unknown }
  const docs = parseAllDocuments(readFileSync(join(repoRoot, 'deploy', 'manifests', '30-controller.yaml'), 'utf8')).map((d) => d.toJS() as { kind?: unknown; spec?: { template?: { spec?: { containers?: { name?: unknown; env?: Env[] }[] } } } } | null)
  const container = docs.find((d) => d?.kind === 'Deployment')?.spec?.template?.spec?.containers?.find((c) => c.name === 'controller')
  const value = container?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value
  return typeof value === 'string' ? value.split(/\s+/).filter((f) => f !== '') : []
}

const show = (r: RunFigures): string =>
  `${r.system} at ${r.size}: created in ${r.createS.toFixed(1)} s, all assigned ${r.lastToAllS.toFixed(2)} s after the last create (${r.firstToAllS.toFixed(1)} s after the first), CPU ${r.cpuS.toFixed(1)} s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB, restart to a new IP ${r.restartS.toFixed(2)} s, moved ${r.moved}, duplicates ${r.duplicates}, load ${r.load}`

const printTable = (runs: readonly RunFigures[]): void => {
  console.log(`\nMetalLB v0.16.2 and IronLB controllers, ${new Date().toISOString().slice(0, 10)}, medians (load now ${loadavg()[0]?.toFixed(1)}):\n`)
  for (const line of comparisonTable(runs)) console.log(line)
  console.log('')
}

const main = async (): Promise<void> => {
  const argv = process.argv.slice(2)
  const ironlbOnly = argv.includes('--ironlb-only')
  const given = argv.flatMap((a) => (a.startsWith('--ironlb-node=') ? [a.slice('--ironlb-node='.length)] : []))
  const nodeArgs = given.length === 0 ? shippedNodeArgs() : given.filter((f) => f !== 'none')
  console.log(`IronLB's controller runs with node ${nodeArgs.join(' ') || '(no flags)'}${given.length === 0 ? " (deploy/manifests' NODE_OPTIONS)" : ''}`)
  const runs: RunFigures[] = []
  for (const { size, runs: n } of plan(argv.filter((a) => !a.startsWith('--')))) {
    for (let k = 0; k < n; k++) {
      // Alternate which goes first, so neither always runs on the machine the other just warmed or loaded.
      const order: System[] = k % 2 === 0 ? ['MetalLB v0.16.2', 'IronLB'] : ['IronLB', 'MetalLB v0.16.2']
      for (const system of order.filter((s) => !ironlbOnly || s === 'IronLB')) {
        const r = await runOnce(system, size, nodeArgs)
        runs.push(r)
        console.log(show(r))
      }
      // The table so far after each pair: a long run cut short (a busy machine) still leaves one.
      printTable(runs)
    }
  }
  const bad = runs.filter((r) => r.moved > 0 || r.duplicates > 0)
  if (bad.length > 0) {
    console.log(`\nFAILED: ${bad.length} run(s) moved or duplicated IPs`)
    process.exitCode = 1
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})

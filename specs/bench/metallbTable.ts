// The side-by-side table of `make bench-metallb`: per size, the median of each figure over the runs of each
// system, and IronLB's figure over MetalLB's; the same for the cold starts. Pure: figures in, Markdown lines out.
import type { ColdFigures } from './metallbCold.js'
import { ratioText } from './metallbRows.js'
import type { RunFigures, System } from './metallbRun.js'

const SYSTEMS: readonly System[] = ['MetalLB v0.16.2', 'IronLB']

interface Row {
  readonly label: string
  readonly of: (r: RunFigures) => number
  readonly unit: string
  readonly digits: number
}

const ROWS: readonly Row[] = [
  { label: 'last create to every Service assigned', of: (r) => r.lastToAllS, unit: ' s', digits: 2 },
  { label: 'first create to every Service assigned', of: (r) => r.firstToAllS, unit: ' s', digits: 1 },
  { label: 'creating them (32 in flight)', of: (r) => r.createS, unit: ' s', digits: 1 },
  { label: 'controller CPU, first create to 5 s after the last IP', of: (r) => r.cpuS, unit: ' s', digits: 1 },
  { label: 'controller peak RSS', of: (r) => r.peakRssMiB, unit: ' MiB', digits: 0 },
  { label: 'restart: new controller to a new Service\'s IP', of: (r) => r.restartS, unit: ' s', digits: 2 },
  { label: 'IPs moved by the restart', of: (r) => r.moved, unit: '', digits: 0 },
  { label: 'duplicate IPs', of: (r) => r.duplicates, unit: '', digits: 0 },
]

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

// Two significant digits: 0.22 s over 67 s reads 0.0033, not 0.00.
const ratio = ratioText

/** Markdown table lines: one block of rows per size, medians over runs, and the runs' loads. */
export const comparisonTable = (runs: readonly RunFigures[]): string[] => {
  const sizes = [...new Set(runs.map((r) => r.size))].sort((a, b) => a - b)
  const lines = [`| | ${SYSTEMS.join(' | ')} | IronLB / MetalLB |`, '|---|---|---|---|']
  for (const size of sizes) {
    const of = (s: System): RunFigures[] => runs.filter((r) => r.size === size && r.system === s)
    const [m, i] = [of('MetalLB v0.16.2'), of('IronLB')]
    if (m.length === 0 || i.length === 0) continue
    for (const row of ROWS) {
      const [mv, iv] = [median(m.map(row.of)), median(i.map(row.of))]
      lines.push(`| ${size.toLocaleString('en-US')}: ${row.label} | ${mv.toFixed(row.digits)}${row.unit} | ${iv.toFixed(row.digits)}${row.unit} | ${ratio(iv, mv)} |`)
    }
    lines.push(`| ${size.toLocaleString('en-US')}: runs (load, 1-min average, each run's start-end) | ${m.length} (${m.map((r) => r.load).join(', ')}) | ${i.length} (${i.map((r) => r.load).join(', ')}) | |`)
  }
  return lines
}

const COLD_ROWS: readonly { label: string; of: (r: ColdFigures) => number; unit: string; digits: number }[] = [
  { label: 'created first (no controller)', of: (r) => r.createS, unit: ' s', digits: 1 },
  { label: 'Services assigned by the end (all, unless the bound or an exit came first)', of: (r) => r.assigned, unit: '', digits: 0 },
  { label: 'controller started to every Service assigned (or to the end)', of: (r) => r.startToAllS, unit: ' s', digits: 1 },
  { label: 'controller CPU, start to 5 s after the last IP', of: (r) => r.cpuS, unit: ' s', digits: 1 },
  { label: 'controller peak RSS', of: (r) => r.peakRssMiB, unit: ' MiB', digits: 0 },
  { label: 'duplicate IPs', of: (r) => r.duplicates, unit: '', digits: 0 },
]

/** Table rows (no header) for the cold starts: per size, medians over runs, and the runs' loads. */
export const coldRows = (runs: readonly ColdFigures[]): string[] => {
  const lines: string[] = []
  for (const size of [...new Set(runs.map((r) => r.size))].sort((a, b) => a - b)) {
    const of = (s: System): ColdFigures[] => runs.filter((r) => r.size === size && r.system === s)
    const [m, i] = [of('MetalLB v0.16.2'), of('IronLB')]
    if (m.length === 0 || i.length === 0) continue
    const at = `${size.toLocaleString('en-US')} cold start`
    for (const row of COLD_ROWS) {
      const [mv, iv] = [median(m.map(row.of)), median(i.map(row.of))]
      lines.push(`| ${at}: ${row.label} | ${mv.toFixed(row.digits)}${row.unit} | ${iv.toFixed(row.digits)}${row.unit} | ${ratio(iv, mv)} |`)
    }
    lines.push(`| ${at}: runs (load, 1-min average, each run's start-end) | ${m.length} (${m.map((r) => r.load).join(', ')}) | ${i.length} (${i.map((r) => r.load).join(', ')}) | |`)
  }
  return lines
}

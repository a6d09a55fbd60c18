// The side-by-side table of `make bench-metallb`: per size, the median of each figure over the runs of each
// system, and IronLB's figure over MetalLB's. Pure: figures in, Markdown lines out.
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
const ratio = (ironlb: number, metallb: number): string => (metallb === 0 ? (ironlb === 0 ? '=' : 'n/a') : (ironlb / metallb).toPrecision(2))

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

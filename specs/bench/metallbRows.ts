// The parts of `make bench-metallb` (controller, speaker, Layer 2 failover) each run in a process of their own,
// the lab parts under the lab lock only; each leaves its table rows (IronLB over MetalLB already in them) in
// a JSON file of the folder `--out=DIR` names, and metallbReport.ts prints them all as one table at the end.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface PartRows {
  /** Order in the table: controller 1, speaker 2, Layer 2 failover 3. */
  readonly order: number
  readonly part: string
  /** Markdown rows of four cells: what, MetalLB v0.16.2, IronLB, IronLB / MetalLB. */
  readonly rows: readonly string[]
  /** Lines under the table: when it ran, at which load, what was left out. */
  readonly notes: readonly string[]
}

/** The folder of `--out=DIR` among `argv`, or undefined. */
export const outDirOf = (argv: readonly string[]): string | undefined => argv.find((a) => a.startsWith('--out='))?.slice('--out='.length)

/** Writes (replaces) one part's rows in `dir`, when a folder was given. */
export const saveRows = (dir: string | undefined, rows: PartRows): void => {
  if (dir === undefined) return
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, `${rows.order}-${rows.part.replace(/[^a-z0-9]+/gi, '-')}.json`), `${JSON.stringify(rows, null, 1)}\n`)
}

/** Every part's rows in `dir`, in table order. */
export const loadRows = (dir: string): PartRows[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as PartRows)
    .sort((a, b) => a.order - b.order)

/** IronLB's figure over MetalLB's, two significant digits ("=" for 0 over 0, n/a when undefined). */
export const ratioText = (ironlb: number, metallb: number): string =>
  !Number.isFinite(ironlb) || !Number.isFinite(metallb) ? 'n/a' : metallb === 0 ? (ironlb === 0 ? '=' : 'n/a') : (ironlb / metallb).toPrecision(2)

// Per-file wall times of the last tap run, for `make unit`, `integration` and `e2e` to print after
// their run: tap's terse reporter (which .ci/run reads) prints none. tap records each test process
// in .tap/processinfo/*.json (emptied at the start of every run): the spec file (`externalID`), its
// `runtime` in ms from the process's start, TypeScript loading included, and how it ended. The
// `# time=` line of the saved TAP would leave out the loading, seconds a file on a busy machine.
//
// Usage: node dist/specs/support/specTimes.js [SPEC...]   (no SPEC: every file of the last run)
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { repoRoot } from './repoRoot.js'

export interface SpecTime {
  readonly file: string
  readonly ms: number
  /** Why the process ended other than with status 0, if it did. */
  readonly ended?: string
}

/** One processinfo record, or undefined when it is not one of a spec file's process. */
export const specTimeOf = (json: unknown): SpecTime | undefined => {
  if (typeof json !== 'object' || json === null) return undefined
  const r = json as Record<string, unknown>
  const { externalID: file, runtime: ms, code, signal } = r
  if (typeof file !== 'string' || typeof ms !== 'number' || !Number.isFinite(ms)) return undefined
  const ended = typeof signal === 'string' ? `killed by ${signal}` : code !== 0 ? `exit status ${String(code)}` : undefined
  return ended === undefined ? { file, ms } : { file, ms, ended }
}

/** One line a file, slowest first, then the files without a record, then the sum. */
export const timesTable = (rows: readonly SpecTime[], missing: readonly string[] = []): string => {
  const sorted = [...rows].sort((a, b) => b.ms - a.ms || a.file.localeCompare(b.file))
  const secs = (ms: number): string => (ms / 1000).toFixed(1).padStart(7)
  const sum = rows.reduce((s, r) => s + r.ms, 0)
  return [
    ...sorted.map((r) => `${secs(r.ms)} s  ${r.file}${r.ended === undefined ? '' : ` (${r.ended})`}`),
    ...missing.map((f) => `      ? s  ${f} (not in the last run)`),
    `${secs(sum)} s  sum of ${rows.length} files (with parallel jobs the wall time is less)`,
  ].join('\n')
}

const main = (wanted: readonly string[]): number => {
  const dir = join(repoRoot, '.tap', 'processinfo')
  const all = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .flatMap((f) => {
          try {
            const t = specTimeOf(JSON.parse(readFileSync(join(dir, f), 'utf8')))
            return t === undefined ? [] : [t]
          } catch {
            return [] // a record being written as we read
          }
        })
    : []
  const rows = wanted.length === 0 ? all : all.filter((r) => wanted.includes(r.file))
  const missing = wanted.filter((f) => !all.some((r) => r.file === f))
  process.stdout.write(`${timesTable(rows, missing)}\n`)
  return 0
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = main(process.argv.slice(2))

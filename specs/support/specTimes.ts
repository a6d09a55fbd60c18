// Per-file wall times of the last tap run, for `make unit`, `integration` and `e2e` to print after
// their run: tap's terse reporter (which .ci/run reads) prints none, but tap saves each file's TAP
// output under .tap/test-results/, ending with the file's own `# time=...ms`. Files with no result,
// or one older than --since (the file did not run this time), say so instead of a stale figure.
//
// Usage: node dist/specs/support/specTimes.js [--since EPOCH_MS] SPEC...
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { repoRoot } from './repoRoot.js'

/** The file's own time in ms: the last unindented `# time=` line (subtests' lines are indented). */
export const fileTimeMs = (tap: string): number | undefined => {
  const all = [...tap.matchAll(/^# time=(\d+(?:\.\d+)?)ms$/gm)]
  const last = all.at(-1)
  return last === undefined ? undefined : Number(last[1])
}

export type SpecTime = { readonly file: string; readonly ms: number } | { readonly file: string; readonly missing: string }

/** One line a file, slowest first, then the files without a time, then the sum. */
export const timesTable = (rows: readonly SpecTime[]): string => {
  const timed = rows.flatMap((r) => ('ms' in r ? [r] : [])).sort((a, b) => b.ms - a.ms || a.file.localeCompare(b.file))
  const untimed = rows.flatMap((r) => ('missing' in r ? [r] : []))
  const secs = (ms: number): string => (ms / 1000).toFixed(1).padStart(7)
  const sum = timed.reduce((s, r) => s + r.ms, 0)
  return [
    ...timed.map((r) => `${secs(r.ms)} s  ${r.file}`),
    ...untimed.map((r) => `      ? s  ${r.file} (${r.missing})`),
    `${secs(sum)} s  sum of ${timed.length} files (with parallel jobs the wall time is less)`,
  ].join('\n')
}

const timeOf = (file: string, since: number): SpecTime => {
  const path = join(repoRoot, '.tap', 'test-results', `${file}.tap`)
  if (!existsSync(path)) return { file, missing: 'no saved result' }
  if (statSync(path).mtimeMs < since) return { file, missing: 'result older than this run' }
  const ms = fileTimeMs(readFileSync(path, 'utf8'))
  return ms === undefined ? { file, missing: 'no time: killed or timed out?' } : { file, ms }
}

const main = (argv: readonly string[]): number => {
  const at = argv.indexOf('--since')
  const since = at === -1 ? 0 : Number(argv[at + 1])
  const files = at === -1 ? argv : [...argv.slice(0, at), ...argv.slice(at + 2)]
  if (!Number.isFinite(since) || files.length === 0) {
    process.stderr.write('usage: specTimes [--since EPOCH_MS] SPEC...\n')
    return 2
  }
  process.stdout.write(`${timesTable(files.map((f) => timeOf(f, since)))}\n`)
  return 0
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = main(process.argv.slice(2))

// specTimes reads each spec process's time from tap's processinfo records and lists the slowest first.
import t from 'tap'
import { specTimeOf, timesTable } from './specTimes.js'

const rows: readonly { desc: string; in: unknown; want: ReturnType<typeof specTimeOf> }[] = [
  { desc: 'a passing file', in: { externalID: 'specs/a.spec.ts', runtime: 1234.5, code: 0, signal: null }, want: { file: 'specs/a.spec.ts', ms: 1234.5 } },
  { desc: 'a failing file', in: { externalID: 'specs/a.spec.ts', runtime: 10, code: 1, signal: null }, want: { file: 'specs/a.spec.ts', ms: 10, ended: 'exit status 1' } },
  { desc: 'a timed-out file', in: { externalID: 'specs/a.spec.ts', runtime: 30_000, code: null, signal: 'SIGTERM' }, want: { file: 'specs/a.spec.ts', ms: 30_000, ended: 'killed by SIGTERM' } },
  { desc: 'a process that is no spec file (no externalID)', in: { runtime: 5, code: 0 }, want: undefined },
  { desc: 'no runtime yet', in: { externalID: 'specs/a.spec.ts', code: 0 }, want: undefined },
  { desc: 'not an object', in: 'x', want: undefined },
  { desc: 'null', in: null, want: undefined },
]
for (const r of rows) t.same(specTimeOf(r.in), r.want, r.desc)

t.equal(
  timesTable(
    [
      { file: 'b.spec.ts', ms: 1_500 },
      { file: 'a.spec.ts', ms: 61_250, ended: 'killed by SIGTERM' },
    ],
    ['c.spec.ts'],
  ),
  ['   61.3 s  a.spec.ts (killed by SIGTERM)', '    1.5 s  b.spec.ts', '      ? s  c.spec.ts (not in the last run)', '   62.8 s  sum of 2 files (with parallel jobs the wall time is less)'].join('\n'),
  'slowest first, how a file ended, files not run, then the sum',
)

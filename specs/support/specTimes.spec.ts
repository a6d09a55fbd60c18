// specTimes reads a file's own time from its saved TAP, not a subtest's, and lists the slowest first.
import t from 'tap'
import { fileTimeMs, timesTable } from './specTimes.js'

const rows: readonly { desc: string; in: string; want: number | undefined }[] = [
  { desc: 'the root time, after subtests', in: '    ok 1 - a # time=12.5ms\nok 1 - s # time=20ms\n1..1\n# time=1234.567ms\n', want: 1234.567 },
  { desc: 'an indented subtest time alone is not the file time', in: '    # time=99ms\n', want: undefined },
  { desc: 'a killed file has no time', in: 'ok 1 - s # time=20ms\n', want: undefined },
  { desc: 'the last root time wins', in: '# time=1ms\n# time=2ms\n', want: 2 },
]
for (const r of rows) t.equal(fileTimeMs(r.in), r.want, r.desc)

t.equal(
  timesTable([
    { file: 'b.spec.ts', ms: 1_500 },
    { file: 'c.spec.ts', missing: 'no saved result' },
    { file: 'a.spec.ts', ms: 61_250 },
  ]),
  ['   61.3 s  a.spec.ts', '    1.5 s  b.spec.ts', '      ? s  c.spec.ts (no saved result)', '   62.8 s  sum of 2 files (with parallel jobs the wall time is less)'].join('\n'),
  'slowest first, untimed after, then the sum',
)

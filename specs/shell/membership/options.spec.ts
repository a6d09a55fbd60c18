import t from 'tap'
import * as E from 'fp-ts/lib/Either.js'
import { DEFAULT_KEY_GRACE_MS, parseDuration } from '../../../shell/membership/options.js'

t.test('--memberlist-key-grace durations', async (t) => {
  const rows: ReadonlyArray<{ desc: string; in: string; want: number | 'error' }> = [
    { desc: 'seconds', in: '300s', want: 300_000 },
    { desc: 'minutes', in: '5m', want: 300_000 },
    { desc: 'hours', in: '1h', want: 3_600_000 },
    { desc: 'milliseconds', in: '1500ms', want: 1_500 },
    { desc: 'bare seconds', in: '90', want: 90_000 },
    { desc: 'fractions', in: '2.5m', want: 150_000 },
    { desc: 'zero (the previous key is dropped at once)', in: '0s', want: 0 },
    { desc: 'a negative', in: '-5m', want: 'error' },
    { desc: 'an unknown unit', in: '5d', want: 'error' },
    { desc: 'nothing', in: '', want: 'error' },
  ]
  for (const row of rows) {
    const got = parseDuration(row.in)
    t.same(E.isLeft(got) ? 'error' : got.right, row.want, row.desc)
    if (E.isLeft(got)) t.match(got.left, /is not a duration like 300s, 5m or 1h/, `${row.desc}: the error names the text and the form`)
  }
  t.equal(DEFAULT_KEY_GRACE_MS, 300_000, 'the default grace is 5 minutes')
})

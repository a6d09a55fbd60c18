import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { normaliseTimestamp } from '../../../core/cluster/timestamp.js'

const rows: ReadonlyArray<{ desc: string; in: string; want: string | null }> = [
  { desc: 'Kubernetes form', in: '2024-05-01T10:00:00Z', want: '2024-05-01T10:00:00.000Z' },
  { desc: 'fraction', in: '2024-05-01T10:00:00.5Z', want: '2024-05-01T10:00:00.500Z' },
  { desc: 'long fraction truncated', in: '2024-05-01T10:00:00.123456789Z', want: '2024-05-01T10:00:00.123Z' },
  { desc: 'positive offset', in: '2024-05-01T12:30:00+02:30', want: '2024-05-01T10:00:00.000Z' },
  { desc: 'negative offset across midnight', in: '2024-04-30T23:00:00-01:00', want: '2024-05-01T00:00:00.000Z' },
  { desc: 'lower-case t and z', in: '2024-05-01t10:00:00z', want: '2024-05-01T10:00:00.000Z' },
  { desc: 'leap day', in: '2024-02-29T00:00:00Z', want: '2024-02-29T00:00:00.000Z' },
  { desc: 'no leap day in 2023', in: '2023-02-29T00:00:00Z', want: null },
  { desc: 'hour 24', in: '2024-05-01T24:00:00Z', want: null },
  { desc: 'no zone', in: '2024-05-01T10:00:00', want: null },
  { desc: 'date only', in: '2024-05-01', want: null },
  { desc: 'bad offset', in: '2024-05-01T10:00:00+25:00', want: null },
  { desc: 'year below 100 is not shifted', in: '0050-01-01T00:00:00Z', want: '0050-01-01T00:00:00.000Z' },
]

t.test('timestamps', async (t) => {
  for (const row of rows) {
    const got = normaliseTimestamp(row.in)
    t.equal(E.isRight(got) ? got.right : null, row.want, row.desc)
  }
})

t.test('text order of the canonical form is time order', async (t) => {
  const date = fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9000-01-01T00:00:00Z'), noInvalidDate: true })
  fc.assert(
    fc.property(date, date, (a, b) => {
      const ta = normaliseTimestamp(a.toISOString())
      const tb = normaliseTimestamp(b.toISOString())
      if (E.isLeft(ta) || E.isLeft(tb)) return false
      return Math.sign(a.getTime() - b.getTime()) === (ta.right < tb.right ? -1 : ta.right > tb.right ? 1 : 0)
    }),
  )
  t.pass('ordered')
})

import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { parseGoDuration, toMillis, wholeSeconds } from '../../../core/config/duration.js'

const S = 1_000_000_000n

const rows: ReadonlyArray<{ desc: string; in: string; want: bigint | null }> = [
  { desc: 'seconds', in: '90s', want: 90n * S },
  { desc: 'minutes and seconds', in: '1m30s', want: 90n * S },
  { desc: 'hours', in: '2h', want: 7200n * S },
  { desc: 'fraction of an hour', in: '1.5h', want: 5400n * S },
  { desc: 'milliseconds', in: '300ms', want: 300_000_000n },
  { desc: 'micro with us', in: '7us', want: 7000n },
  { desc: 'micro sign', in: '7\u00b5s', want: 7000n },
  { desc: 'Greek mu', in: '7\u03bcs', want: 7000n },
  { desc: 'nanoseconds', in: '12ns', want: 12n },
  { desc: 'bare zero', in: '0', want: 0n },
  { desc: 'signed zero', in: '-0', want: 0n },
  { desc: 'plus sign', in: '+5s', want: 5n * S },
  { desc: 'negative', in: '-1m', want: -60n * S },
  { desc: 'leading dot', in: '.5s', want: S / 2n },
  { desc: 'trailing dot', in: '5.s', want: 5n * S },
  { desc: 'fraction truncated to ns', in: '1.0000000009s', want: S },
  { desc: 'units in any order', in: '1s1h', want: 3601n * S },
  { desc: 'largest', in: '9223372036854775807ns', want: 9223372036854775807n },
  { desc: 'most negative', in: '-9223372036854775808ns', want: -9223372036854775808n },
  { desc: 'overflow', in: '9223372036854775808ns', want: null },
  { desc: 'overflow in hours', in: '3000000h', want: null },
  { desc: 'empty', in: '', want: null },
  { desc: 'sign only', in: '-', want: null },
  { desc: 'number without unit', in: '90', want: null },
  { desc: 'unknown unit', in: '3d', want: null },
  { desc: 'dot only', in: '.s', want: null },
  { desc: 'space', in: '1 s', want: null },
  { desc: 'unit without number', in: 's', want: null },
  { desc: 'two signs', in: '--1s', want: null },
]

t.test('Go duration text', async (t) => {
  for (const row of rows) {
    const got = parseGoDuration(row.in)
    t.same(E.isRight(got) ? got.right : null, row.want, row.desc)
  }
})

t.test('errors quote the text', async (t) => {
  const got = parseGoDuration('3d')
  t.ok(E.isLeft(got) && got.left.includes('"3d"') && got.left.includes('unit'))
})

const UNIT_NS: ReadonlyArray<[string, bigint]> = [
  ['h', 3600n * S],
  ['m', 60n * S],
  ['s', S],
  ['ms', 1_000_000n],
  ['us', 1000n],
  ['ns', 1n],
]

t.test('a sum of whole terms parses to its value', async (t) => {
  const term = fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom(...UNIT_NS))
  fc.assert(
    fc.property(fc.boolean(), fc.array(term, { minLength: 1, maxLength: 5 }), (negative, terms) => {
      const text = (negative ? '-' : '') + terms.map(([n, [u]]) => `${n}${u}`).join('')
      const total = terms.reduce((acc, [n, [, ns]]) => acc + BigInt(n) * ns, 0n)
      const got = parseGoDuration(text)
      return E.isRight(got) && got.right === (negative ? -total : total)
    }),
  )
  t.pass('sums match')
})

t.test('never throws on any text', async (t) => {
  fc.assert(fc.property(fc.string(), (s) => E.isLeft(parseGoDuration(s)) || E.isRight(parseGoDuration(s))))
  t.pass('total')
})

t.test('truncation toward zero', async (t) => {
  t.equal(wholeSeconds(2_999_999_999n), 2n)
  t.equal(wholeSeconds(-2_999_999_999n), -2n)
  t.equal(toMillis(1_999_999n), 1)
})

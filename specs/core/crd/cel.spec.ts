// The regular expressions CEL rules use must accept exactly what the controller's parsers accept
// (core/config). JavaScript's RegExp reads these patterns as RE2 does: they use only classes,
// groups, alternation and counted repetition.
import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { COMMUNITY_RE, COMMUNITY_SHAPED_RE, GO_DURATION_RE, celString, decimalAtMost } from '../../../core/crd/cel.js'
import { parseCommunity } from '../../../core/config/communityValue.js'
import { parseGoDuration } from '../../../core/config/duration.js'

const anchored = (re: string): RegExp => new RegExp(`^(${re})$`)

t.test('decimalAtMost matches decimal text up to max, leading zeros allowed', async (t) => {
  const rows: ReadonlyArray<{ max: number; yes: string[]; no: string[] }> = [
    { max: 0, yes: ['0', '000'], no: ['1', '', '-0'] },
    { max: 9, yes: ['0', '9', '09'], no: ['10', 'a'] },
    { max: 10, yes: ['10', '7', '010'], no: ['11', '20'] },
    { max: 65535, yes: ['65535', '65529', '0065535', '9999', '60000'], no: ['65536', '65540', '70000', '100000', '655350'] },
    { max: 4294967295, yes: ['4294967295', '4294967289', '999999999', '0'], no: ['4294967296', '4294967300', '5000000000', '10000000000'] },
  ]
  for (const row of rows) {
    const re = anchored(decimalAtMost(row.max))
    for (const y of row.yes) t.ok(re.test(y), `${y} <= ${row.max}`)
    for (const n of row.no) t.notOk(re.test(n), `${n} refused for max ${row.max}`)
  }
})

t.test('decimalAtMost agrees with the numbers (property)', async () => {
  fc.assert(
    fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), fc.nat({ max: 3 }), (max, n, zeros) => {
      const text = `${'0'.repeat(zeros)}${n}`
      return anchored(decimalAtMost(max)).test(text) === n <= max
    }),
    { numRuns: 2000 },
  )
})

// Texts built from community-like pieces, so both the valid and the almost-valid are common.
const piece = fc.oneof(
  fc.constantFrom('0', '65535', '65536', '4294967295', '4294967296', 'large', 'LARGE', '', 'x', '007', ' 1'),
  fc.nat({ max: 5_000_000_000 }).map(String),
)
const communityText = fc.array(piece, { minLength: 1, maxLength: 5 }).map((ps) => ps.join(':'))

t.test('COMMUNITY_RE accepts exactly what parseCommunity accepts', async () => {
  fc.assert(
    fc.property(communityText, (text) => new RegExp(COMMUNITY_RE).test(text) === (parseCommunity(text)._tag === 'Community')),
    { numRuns: 3000 },
  )
})

t.test('COMMUNITY_SHAPED_RE is the controller\'s "community syntax" (two or four fields)', async () => {
  fc.assert(
    fc.property(communityText, (text) => new RegExp(COMMUNITY_SHAPED_RE).test(text) === (parseCommunity(text)._tag !== 'NotCommunitySyntax')),
    { numRuns: 3000 },
  )
})

const durationText = fc
  .array(fc.constantFrom('1', '0', '.', '5', '90', 's', 'm', 'h', 'ms', 'us', 'µs', 'ns', 'x', '-', '+', ' '), { minLength: 1, maxLength: 6 })
  .map((ps) => ps.join(''))

t.test('GO_DURATION_RE accepts exactly the durations parseGoDuration reads (short of overflow)', async () => {
  fc.assert(
    fc.property(durationText, (text) => {
      const parsed = parseGoDuration(text)
      const tooLarge = E.isLeft(parsed) && parsed.left.endsWith('too large')
      return tooLarge || new RegExp(GO_DURATION_RE).test(text) === E.isRight(parsed)
    }),
    { numRuns: 3000 },
  )
})

t.test('GO_DURATION_RE examples', async (t) => {
  const re = new RegExp(GO_DURATION_RE)
  for (const yes of ['90s', '1m30s', '1.5h', '.5s', '1.s', '0', '-1s', '+0', '300ms', '10µs']) t.ok(re.test(yes), yes)
  for (const no of ['', '90', 's', '1 s', 'ninety', '1d', '.s', '--1s']) t.notOk(re.test(no), JSON.stringify(no))
})

t.test('celString quotes for CEL', async (t) => {
  t.equal(celString("it's"), "'it\\'s'")
  t.equal(celString('a\\b'), "'a\\\\b'")
})

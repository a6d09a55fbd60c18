// The regular expressions CEL rules use must accept exactly what the controller's parsers accept
// (core/config). JavaScript's RegExp reads these patterns as RE2 does: they use only classes,
// groups, alternation and counted repetition.
import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { COMMUNITY_RE, COMMUNITY_SHAPED_RE, GO_DURATION_RE, LABEL_KEY_RE, LABEL_VALUE_RE, MAX_LABEL_KEY, celString, decimalAtMost } from '../../../core/crd/cel.js'
import { labelKeyProblem, labelValueProblem } from '../../../core/config/selector.js'
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

// Label texts built from pieces near the edges of the syntax: lengths 62-64, dots, dashes, slashes.
const labelPiece = fc.oneof(
  fc.constantFrom('a', 'Z', '0', '-', '_', '.', '/', 'example.com', 'x'.repeat(62), 'x'.repeat(63), 'A', ' ', 'é', ''),
  fc.stringMatching(/^[-a-zA-Z0-9_.]{0,8}$/),
)
const labelText = fc.array(labelPiece, { minLength: 0, maxLength: 5 }).map((ps) => ps.join(''))

t.test('LABEL_KEY_RE accepts exactly the keys labelKeyProblem accepts (prefixes up to 253 characters)', async () => {
  fc.assert(
    fc.property(labelText, (text) => {
      const prefixTooLong = text.includes('/') && (text.split('/')[0] ?? '').length > 253
      return prefixTooLong || text.length > MAX_LABEL_KEY || new RegExp(LABEL_KEY_RE).test(text) === (labelKeyProblem(text) === undefined)
    }),
    { numRuns: 3000 },
  )
})

t.test('LABEL_VALUE_RE accepts exactly the values labelValueProblem accepts', async () => {
  fc.assert(
    fc.property(labelText, (text) => new RegExp(LABEL_VALUE_RE).test(text) === (labelValueProblem(text) === undefined)),
    { numRuns: 3000 },
  )
})

t.test('label syntax examples', async (t) => {
  const key = new RegExp(LABEL_KEY_RE)
  for (const yes of ['app', 'example.com/app', 'a', 'A_b.c-d', `${'x'.repeat(63)}`, 'k8s.io/x']) t.ok(key.test(yes), yes)
  for (const no of ['', '-app', 'app-', 'a/b/c', 'Example.com/app', '/app', 'example.com/', `${'x'.repeat(64)}`, 'with space']) t.notOk(key.test(no), JSON.stringify(no))
  const value = new RegExp(LABEL_VALUE_RE)
  for (const yes of ['', 'web', 'v1.2_3-x', 'x'.repeat(63)]) t.ok(value.test(yes), JSON.stringify(yes))
  for (const no of ['-web', 'web.', 'a/b', 'x'.repeat(64), 'not valid']) t.notOk(value.test(no), JSON.stringify(no))
})

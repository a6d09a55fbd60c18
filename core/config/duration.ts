// Go duration text ("90s", "1m30s", "1.5h", "300ms"), as metav1.Duration fields carry it on the
// wire. Follows Go's time.ParseDuration: an optional sign, then one or more decimal numbers each
// with a unit (ns, us, µs, μs, ms, s, m, h); "0" alone needs no unit; the total must fit an int64
// of nanoseconds. Values are exact bigints, so there is no float rounding.
import * as E from 'fp-ts/lib/Either.js'

const UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // micro sign
  ['\u03bcs', 1_000n], // Greek mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
])

const INT64_MAX = (1n << 63n) - 1n

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9'

/** Nanoseconds, or a sentence saying what is wrong with the text. */
export const parseGoDuration = (text: string): E.Either<string, bigint> => {
  const bad = (why: string): E.Either<string, bigint> => E.left(`"${text}" is not a duration: ${why}`)
  let i = 0
  let negative = false
  if (text[0] === '-' || text[0] === '+') {
    negative = text[0] === '-'
    i = 1
  }
  if (text.slice(i) === '0') return E.right(0n)
  if (i === text.length) return bad('expected a number with a unit, like "90s" or "1m30s"')
  let total = 0n
  while (i < text.length) {
    if (!(text[i] === '.' || isDigit(text[i]))) return bad(`unexpected "${text[i]}"`)
    let whole = 0n
    const wholeStart = i
    while (isDigit(text[i])) whole = whole * 10n + BigInt(Number(text[i++]))
    const wholeDigits = i - wholeStart
    let fraction = 0n
    let scale = 1n
    let fractionDigits = 0
    if (text[i] === '.') {
      i++
      while (isDigit(text[i])) {
        fraction = fraction * 10n + BigInt(Number(text[i++]))
        scale *= 10n
        fractionDigits++
      }
    }
    if (wholeDigits === 0 && fractionDigits === 0) return bad('a number needs at least one digit')
    const unitStart = i
    while (i < text.length && text[i] !== '.' && !isDigit(text[i])) i++
    const unitText = text.slice(unitStart, i)
    if (unitText === '') return bad('missing unit (one of ns, us, ms, s, m, h)')
    const unit = UNITS.get(unitText)
    if (unit === undefined) return bad(`unknown unit "${unitText}" (one of ns, us, ms, s, m, h)`)
    // Go truncates each term's fraction to whole nanoseconds before adding.
    total += whole * unit + (fraction * unit) / scale
    if (total > INT64_MAX + (negative ? 1n : 0n)) return bad('too large')
  }
  return E.right(negative ? -total : total)
}

/** Whole seconds, truncated toward zero as Go's int(d.Seconds()) does. */
export const wholeSeconds = (nanos: bigint): bigint => nanos / 1_000_000_000n

/** Milliseconds, truncated toward zero: the unit the domain model keeps. */
export const toMillis = (nanos: bigint): number => Number(nanos / 1_000_000n)

// RFC 3339 timestamps (metadata.creationTimestamp) in one canonical text form, so they can be
// compared as strings: UTC, millisecond precision, fixed width ("2024-05-01T10:00:00.000Z").
// Lexical order of that form is time order for years 0000-9999. No clock is read: this only
// converts text that is given.
import * as E from 'fp-ts/lib/Either.js'

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/

export const normaliseTimestamp = (text: string): E.Either<string, string> => {
  const m = RFC3339.exec(text)
  const bad = E.left(`${JSON.stringify(text)} is not an RFC 3339 timestamp`)
  if (m === null) return bad
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3))
  const sign = m[9] === '-' ? -1 : 1
  const offsetMinutes = m[8] === undefined ? sign * (Number(m[10]) * 60 + Number(m[11])) : 0
  if (Number(m[10] ?? 0) > 23 || Number(m[11] ?? 0) > 59) return bad
  const d = new Date(0)
  d.setUTCFullYear(year, month - 1, day)
  d.setUTCHours(hour, minute, second, millis)
  // Date rolls over out-of-range fields (February 30th becomes March 2nd); refuse those instead.
  if (
    d.getUTCFullYear() !== year ||
    d.getUTCMonth() !== month - 1 ||
    d.getUTCDate() !== day ||
    d.getUTCHours() !== hour ||
    d.getUTCMinutes() !== minute ||
    d.getUTCSeconds() !== second
  )
    return bad
  const utc = new Date(d.getTime() - offsetMinutes * 60_000)
  return E.right(utc.toISOString())
}

/** metav1.Time's text for a time given in milliseconds: UTC, whole seconds ("2024-05-01T10:00:00Z"). */
export const rfc3339Seconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

// X.509 Time (RFC 5280 §4.1.2.5): UTCTime for the years 1950 through 2049, GeneralizedTime for the
// rest, always in UTC with seconds and no fraction. Input is whole seconds since the epoch.
import { asciiBytes, tlv, type Bytes } from './der.js'

/** The instants RFC 5280 can express: 1950-01-01T00:00:00Z through 9999-12-31T23:59:59Z. */
const EARLIEST_SECONDS = -631_152_000
const LATEST_SECONDS = 253_402_300_799

const UTC_TIME_END = 2_524_608_000 // 2050-01-01T00:00:00Z

export const isCertificateTime = (seconds: number): boolean =>
  Number.isInteger(seconds) && seconds >= EARLIEST_SECONDS && seconds <= LATEST_SECONDS

const digits = (seconds: number): string => {
  // A fixed instant, not the clock: toISOString is a pure conversion.
  const iso = new Date(seconds * 1000).toISOString() // YYYY-MM-DDTHH:MM:SS.sssZ
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19)
}

/** The caller has checked isCertificateTime. */
export const derTime = (seconds: number): Bytes =>
  seconds < UTC_TIME_END ? tlv(0x17, asciiBytes(`${digits(seconds).slice(2)}Z`)) : tlv(0x18, asciiBytes(`${digits(seconds)}Z`))

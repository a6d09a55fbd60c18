// Inclusive address ranges: what a pool's `addresses` entries become, whether written as a CIDR or as
// "start-end". All pool arithmetic (membership, overlap, counting) works on ranges and never
// enumerates them, so a /48 costs the same as a /30.
import * as E from 'fp-ts/lib/Either.js'
import { type Family, type IP, compareIP, formatIP, parseIP } from './address.js'
import { type Prefix, formatPrefix, parsePrefix, prefixLast } from './prefix.js'

declare const rangeBrand: unique symbol
export interface AddressRange {
  readonly family: Family
  readonly first: bigint
  readonly last: bigint
  /** How the user wrote it, for messages: "192.0.2.0/24" or "192.0.2.1-192.0.2.5". */
  readonly text: string
  readonly [rangeBrand]: true
}

const rangeFromPrefix = (p: Prefix): AddressRange =>
  ({
    family: p.network.family,
    first: p.network.value,
    last: prefixLast(p).value,
    text: formatPrefix(p),
  }) as AddressRange

export const mkRange = (first: IP, last: IP, text?: string): E.Either<string, AddressRange> => {
  if (first.family !== last.family)
    return E.left(`range ${formatIP(first)}-${formatIP(last)} mixes IPv4 and IPv6`)
  if (compareIP(first, last) > 0)
    return E.left(`range ${formatIP(first)}-${formatIP(last)} ends before it starts`)
  return E.right({
    family: first.family,
    first: first.value,
    last: last.value,
    text: text ?? `${formatIP(first)}-${formatIP(last)}`,
  } as AddressRange)
}

/**
 * Parses a pool `addresses` entry: a CIDR ("192.0.2.0/24") or a range ("192.0.2.1-192.0.2.9",
 * spaces around the dash allowed as MetalLB allows them). A bare address is refused, as in MetalLB.
 */
export const parseAddressEntry = (text: string): E.Either<string, AddressRange> => {
  const trimmed = text.trim()
  if (trimmed.includes('/')) {
    const p = parsePrefix(trimmed)
    return E.isLeft(p) ? p : E.right(rangeFromPrefix(p.right))
  }
  const dash = trimmed.indexOf('-')
  if (dash < 0) return E.left(`"${text}" is neither a CIDR nor a range (a single address needs /32 or /128)`)
  const first = parseIP(trimmed.slice(0, dash).trim())
  const last = parseIP(trimmed.slice(dash + 1).trim())
  if (E.isLeft(first)) return E.left(`invalid range "${text}": ${first.left}`)
  if (E.isLeft(last)) return E.left(`invalid range "${text}": ${last.left}`)
  return mkRange(first.right, last.right, trimmed)
}

export const rangeSize = (r: AddressRange): bigint => r.last - r.first + 1n

export const rangeContains = (r: AddressRange, ip: IP): boolean =>
  ip.family === r.family && ip.value >= r.first && ip.value <= r.last

export const rangesOverlap = (a: AddressRange, b: AddressRange): boolean =>
  a.family === b.family && a.first <= b.last && b.first <= a.last


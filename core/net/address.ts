// IP addresses as branded bigints. One representation for both families, so containment, ordering
// and arithmetic are the same code for IPv4 and IPv6. Text forms: dotted quad for IPv4 and RFC 5952
// (lower case, longest zero run compressed, leftmost on a tie, single zero groups not compressed)
// for IPv6. IPv4-mapped and zoned IPv6 text is rejected: Kubernetes never puts either in a pool.
import * as E from 'fp-ts/lib/Either.js'

export type Family = 4 | 6

declare const ipBrand: unique symbol
export interface IP {
  readonly family: Family
  readonly value: bigint
  readonly [ipBrand]: true
}

export const familyBits = (family: Family): number => (family === 4 ? 32 : 128)
export const familyMax = (family: Family): bigint => (1n << BigInt(familyBits(family))) - 1n

/** For values already known to be in range (arithmetic on a checked range). */
export const unsafeIp = (family: Family, value: bigint): IP => ({ family, value }) as IP

const V4_OCTET = /^(0|[1-9][0-9]{0,2})$/

const parseV4Value = (text: string): bigint | undefined => {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  let value = 0n
  for (const part of parts) {
    // Leading zeros are refused: Go's netip (what MetalLB and Kubernetes use) refuses them too,
    // because some stacks read them as octal.
    if (!V4_OCTET.test(part)) return undefined
    const octet = Number(part)
    if (octet > 255) return undefined
    value = (value << 8n) | BigInt(octet)
  }
  return value
}

const V6_GROUP = /^[0-9a-fA-F]{1,4}$/

const parseGroups = (text: string): bigint[] | undefined => {
  if (text === '') return []
  const groups: bigint[] = []
  for (const g of text.split(':')) {
    if (!V6_GROUP.test(g)) return undefined
    groups.push(BigInt(parseInt(g, 16)))
  }
  return groups
}

const parseV6Value = (text: string): bigint | undefined => {
  if (text.includes('%')) return undefined
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  let groups: bigint[]
  if (halves.length === 2) {
    const head = parseGroups(halves[0] ?? '')
    const tail = parseGroups(halves[1] ?? '')
    if (head === undefined || tail === undefined || head.length + tail.length > 7) return undefined
    groups = [...head, ...Array<bigint>(8 - head.length - tail.length).fill(0n), ...tail]
  } else {
    const all = parseGroups(text)
    if (all === undefined || all.length !== 8) return undefined
    groups = all
  }
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n)
}

export const parseIP = (text: string): E.Either<string, IP> => {
  if (text.includes(':')) {
    const v = parseV6Value(text)
    return v === undefined ? E.left(`"${text}" is not a valid IPv6 address`) : E.right(unsafeIp(6, v))
  }
  const v = parseV4Value(text)
  return v === undefined ? E.left(`"${text}" is not a valid IP address`) : E.right(unsafeIp(4, v))
}

// One bigint conversion per address, then plain numbers: the speaker formats every Service IP several
// times a pass, and sixteen bigint shifts per IPv6 address were a tenth of a pass at 10,000 Services.
const formatV4 = (value: bigint): string => {
  const n = Number(value)
  return `${(n >>> 24) & 0xff}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`
}

const formatV6 = (value: bigint): string => {
  const digits = value.toString(16).padStart(32, '0')
  const groups: number[] = []
  for (let i = 0; i < 32; i += 4) groups.push(parseInt(digits.slice(i, i + 4), 16))
  // RFC 5952 §4.2: compress the longest run of two or more zero groups, the first one on a tie.
  let bestStart = -1
  let bestLen = 1
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) {
      bestStart = i
      bestLen = j - i
    }
    i = j
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':')
  if (bestStart < 0) return hex(groups)
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`
}

export const formatIP = (ip: IP): string => (ip.family === 4 ? formatV4(ip.value) : formatV6(ip.value))

/** Total order: all IPv4 before all IPv6, then numeric. */
export const compareIP = (a: IP, b: IP): number =>
  a.family !== b.family ? a.family - b.family : a.value < b.value ? -1 : a.value > b.value ? 1 : 0

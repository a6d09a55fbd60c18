// CIDR prefixes: a network address plus a length. Host bits in the text are masked off, as Go's
// net.ParseCIDR (which MetalLB uses) does, so "192.0.2.7/24" means 192.0.2.0/24 in both.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type Family, type IP, familyBits, familyMax, formatIP, parseIP, unsafeIp } from './address.js'

declare const prefixBrand: unique symbol
export interface Prefix {
  readonly network: IP
  readonly length: number
  readonly [prefixBrand]: true
}

const hostMask = (family: Family, length: number): bigint =>
  (1n << BigInt(familyBits(family) - length)) - 1n

export const mkPrefix = (ip: IP, length: number): E.Either<string, Prefix> => {
  const bits = familyBits(ip.family)
  if (!Number.isInteger(length) || length < 0 || length > bits)
    return E.left(`prefix length ${length} is outside 0..${bits} for IPv${ip.family}`)
  const network = unsafeIp(ip.family, ip.value & (familyMax(ip.family) ^ hostMask(ip.family, length)))
  return E.right({ network, length } as Prefix)
}

const LENGTH = /^(0|[1-9][0-9]{0,2})$/

export const parsePrefix = (text: string): E.Either<string, Prefix> => {
  const slash = text.indexOf('/')
  if (slash < 0) return E.left(`"${text}" is not a CIDR (expected address/length)`)
  const lengthText = text.slice(slash + 1)
  if (!LENGTH.test(lengthText)) return E.left(`"${text}" has an invalid prefix length`)
  return pipe(
    parseIP(text.slice(0, slash)),
    E.chain((ip) => mkPrefix(ip, Number(lengthText))),
    E.mapLeft((why) => `"${text}" is not a valid CIDR: ${why}`),
  )
}

export const prefixLast = (p: Prefix): IP =>
  unsafeIp(p.network.family, p.network.value | hostMask(p.network.family, p.length))

export const formatPrefix = (p: Prefix): string => `${formatIP(p.network)}/${p.length}`

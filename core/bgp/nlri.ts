// Prefixes as BGP carries them (RFC 4271 §4.3, RFC 4760 §5): a length in bits, then only the bytes
// that length needs. Trailing bits past the length are ignored on decode, as the RFC allows.
import * as E from 'fp-ts/lib/Either.js'
import { type Family, familyBits, unsafeIp } from '../net/address.js'
import { type Prefix, mkPrefix } from '../net/prefix.js'

export const encodePrefix = (p: Prefix): number[] => {
  const bits = familyBits(p.network.family)
  const n = Math.ceil(p.length / 8)
  const out = [p.length]
  for (let i = 0; i < n; i++) out.push(Number((p.network.value >> BigInt(bits - 8 * (i + 1))) & 0xffn))
  return out
}

type NlriError = 'Truncated' | 'BadLength'

/** Every prefix in `b[from, to)`; Left when a length is too long for the family or bytes are missing. */
export const decodePrefixes = (b: Uint8Array, from: number, to: number, family: Family): E.Either<NlriError, Prefix[]> => {
  const bits = familyBits(family)
  const out: Prefix[] = []
  let at = from
  while (at < to) {
    const length = b[at] ?? 0
    if (length > bits) return E.left('BadLength')
    const n = Math.ceil(length / 8)
    if (at + 1 + n > to) return E.left('Truncated')
    let value = 0n
    for (let i = 0; i < n; i++) value = (value << 8n) | BigInt(b[at + 1 + i] ?? 0)
    value <<= BigInt(bits - 8 * n)
    const p = mkPrefix(unsafeIp(family, value), length)
    // mkPrefix accepts every length checked above.
    if (E.isRight(p)) out.push(p.right)
    at += 1 + n
  }
  return E.right(out)
}

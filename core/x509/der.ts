// DER (ITU-T X.690 §10) encoders for the handful of ASN.1 types an X.509 certificate uses, and a
// bounds-checked reader for one TLV. Pure byte building; which fields a certificate holds is
// certificate.ts's business. Lengths use the definite form, shortest encoding (X.690 §10.1).

export type Bytes = Uint8Array

const concat = (parts: readonly Bytes[]): Bytes => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** Short form below 128; otherwise 0x80|count then the big-endian length (X.690 §8.1.3). */
export const derLength = (n: number): Bytes => {
  if (n < 0x80) return Uint8Array.of(n)
  const octets: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) octets.unshift(v % 256)
  return Uint8Array.from([0x80 | octets.length, ...octets])
}

export const tlv = (tag: number, content: Bytes): Bytes => concat([Uint8Array.of(tag), derLength(content.length), content])

export const sequence = (parts: readonly Bytes[]): Bytes => tlv(0x30, concat(parts))

const compareBytes = (a: Bytes, b: Bytes): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0)
  return a.length - b.length
}

/** SET OF: DER orders the encoded elements as octet strings (X.690 §11.6). */
export const setOf = (parts: readonly Bytes[]): Bytes => tlv(0x31, concat([...parts].sort(compareBytes)))

/** Minimal two's complement of a non-negative integer (X.690 §8.3): a leading 0x00 when the top bit is set. */
export const derInteger = (value: bigint): Bytes => {
  const octets: number[] = []
  for (let v = value; v > 0n; v >>= 8n) octets.unshift(Number(v & 0xffn))
  if (octets.length === 0 || (octets[0] ?? 0) >= 0x80) octets.unshift(0)
  return tlv(0x02, Uint8Array.from(octets))
}

export const derBoolean = (value: boolean): Bytes => tlv(0x01, Uint8Array.of(value ? 0xff : 0x00))

export const derNull: Bytes = Uint8Array.of(0x05, 0x00)

/** OBJECT IDENTIFIER from its arcs: first two folded into one, each in base 128 (X.690 §8.19). */
export const derOid = (arcs: readonly number[]): Bytes => {
  const [first = 0, second = 0, ...rest] = arcs
  const octets: number[] = []
  for (const arc of [first * 40 + second, ...rest]) {
    const group: number[] = [arc % 128]
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) group.unshift(0x80 | v % 128)
    octets.push(...group)
  }
  return tlv(0x06, Uint8Array.from(octets))
}

/** BIT STRING whose length is a whole number of octets (keys, signatures). */
export const derBitString = (bytes: Bytes): Bytes => tlv(0x03, concat([Uint8Array.of(0), bytes]))

/**
 * BIT STRING of a NamedBitList (X.690 §11.2.2): bit 0 is the first octet's top bit, and trailing
 * zero bits are dropped, the count of unused bits in the last octet said up front.
 */
export const derNamedBits = (bits: readonly number[]): Bytes => {
  if (bits.length === 0) return tlv(0x03, Uint8Array.of(0))
  const highest = Math.max(...bits)
  const octets = new Uint8Array(Math.floor(highest / 8) + 1)
  for (const b of bits) octets[Math.floor(b / 8)] = (octets[Math.floor(b / 8)] ?? 0) | (0x80 >> b % 8)
  return tlv(0x03, concat([Uint8Array.of(7 - (highest % 8)), octets]))
}

export const derOctetString = (bytes: Bytes): Bytes => tlv(0x04, bytes)

export const derUtf8String = (text: string): Bytes => tlv(0x0c, new TextEncoder().encode(text))

/** The octets of ASCII text; the caller has checked it is ASCII. */
export const asciiBytes = (text: string): Bytes => Uint8Array.from(text, (c) => c.charCodeAt(0))

/** [n] EXPLICIT: a constructed context tag around a complete encoding. */
export const explicit = (n: number, inner: Bytes): Bytes => tlv(0xa0 | n, inner)

/** [n] IMPLICIT of a primitive type: the context tag replaces the type's own. */
export const implicitPrimitive = (n: number, content: Bytes): Bytes => tlv(0x80 | n, content)

interface Tlv {
  readonly tag: number
  /** Where the content starts and ends (exclusive) in the buffer read. */
  readonly start: number
  readonly end: number
}

/** Reads one TLV at `at` (single-octet tags only); undefined when it runs past the end or is not DER. */
export const readTlv = (bytes: Bytes, at: number): Tlv | undefined => {
  const tag = bytes[at]
  const first = bytes[at + 1]
  if (tag === undefined || first === undefined || (tag & 0x1f) === 0x1f) return undefined
  let length = first
  let start = at + 2
  if (first >= 0x80) {
    const count = first & 0x7f
    if (count === 0 || count > 4) return undefined
    length = 0
    for (let i = 0; i < count; i++) {
      const b = bytes[start + i]
      if (b === undefined || (i === 0 && b === 0)) return undefined
      length = length * 256 + b
    }
    if (length < 0x80) return undefined
    start += count
  }
  return start + length > bytes.length ? undefined : { tag, start, end: start + length }
}

// The one bounds-checked byte reader every binary codec uses (core/packet, core/bgp,
// core/membership): the decode result, the one Truncated error every codec reports, and two ways to
// read big-endian integers that share one bounds check. Positional reads (`u8(b, at)`) follow a
// `needBytes` check over the whole field; a cursor (`cursor(b, start)`) checks each read itself and
// remembers where it ran out. Nothing here throws on any bytes.
import * as E from 'fp-ts/lib/Either.js'

/** The input ended before a field did: what was being read, where, and how many bytes were missing. */
export interface Truncated {
  readonly _tag: 'Truncated'
  readonly what: string
  readonly at: number
  readonly need: number
  readonly have: number
}

/** Bytes that are there but wrong; codecs with named reasons (membership) use their own tags with `at`. */
interface Invalid {
  readonly _tag: 'Invalid'
  readonly what: string
  readonly at: number
  readonly detail: string
}

export type DecodeError = Truncated | Invalid

export interface Decoded<A> {
  readonly value: A
  /** Offset of the first byte after what was decoded. */
  readonly next: number
}

export type DecodeResult<A> = E.Either<DecodeError, Decoded<A>>

const truncated = (what: string, at: number, need: number, have: number): Truncated => ({ _tag: 'Truncated', what, at, need, have })

export const invalid = (what: string, at: number, detail: string): Invalid => ({ _tag: 'Invalid', what, at, detail })

/** Left(Truncated) unless `need` bytes are available at `at`; also refuses a negative or fractional offset. */
export const needBytes = (bytes: Uint8Array, at: number, need: number, what: string): E.Either<DecodeError, void> => {
  if (!Number.isSafeInteger(at) || at < 0) return E.left(invalid(what, 0, `bad offset ${at}`))
  const have = Math.max(0, bytes.length - at)
  return have < need ? E.left(truncated(what, at, need, have)) : E.right(undefined)
}

// Readers for offsets already checked by needBytes. `?? 0` satisfies noUncheckedIndexedAccess; it
// never applies after a successful check.
export const u8 = (b: Uint8Array, at: number): number => b[at] ?? 0
export const u16 = (b: Uint8Array, at: number): number => (u8(b, at) << 8) | u8(b, at + 1)
export const u32 = (b: Uint8Array, at: number): number => ((u16(b, at) << 16) >>> 0) + u16(b, at + 2)

export const formatDecodeError = (e: DecodeError): string =>
  e._tag === 'Truncated'
    ? `${e.what}: truncated at ${e.at} (need ${e.need} bytes, have ${e.have})`
    : `${e.what}: invalid at ${e.at}: ${e.detail}`

/** Reads in order from a start offset; a read past the end (or from a bad start) gives undefined. */
export interface Cursor {
  readonly offset: () => number
  readonly u8: () => number | undefined
  readonly u16: () => number | undefined
  readonly u32: () => number | undefined
  readonly bytes: (n: number) => Uint8Array | undefined
  /** Why the last read gave undefined (the one Truncated shape; a bad start reads as 0 bytes there). */
  readonly truncation: (what: string) => Truncated
}

export const cursor = (buf: Uint8Array, start: number): Cursor => {
  let at = start
  let short: { readonly at: number; readonly need: number } = { at, need: 0 }
  /** Reads `n` bytes with `read` if they are there, and moves past them. */
  const take = <A>(n: number, read: (from: number) => A): A | undefined => {
    if (E.isLeft(needBytes(buf, at, n, ''))) {
      short = { at, need: n }
      return undefined
    }
    const v = read(at)
    at += n
    return v
  }
  return {
    offset: () => at,
    u8: () => take(1, (i) => u8(buf, i)),
    u16: () => take(2, (i) => u16(buf, i)),
    u32: () => take(4, (i) => u32(buf, i)),
    bytes: (n) => take(n, (i) => buf.subarray(i, i + n)),
    truncation: (what) => truncated(what, short.at, short.need, Number.isSafeInteger(short.at) && short.at >= 0 ? Math.max(0, buf.length - short.at) : 0),
  }
}

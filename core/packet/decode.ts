// What every codec in core/packet shares: the decode result, the named decode errors and the
// bounds-checked readers. A decoder reads through these helpers only, so no read can run past the
// end of the buffer and no decoder throws on any input.
import * as E from 'fp-ts/lib/Either.js'

export type DecodeError =
  | { readonly _tag: 'Truncated'; readonly what: string; readonly at: number; readonly need: number; readonly have: number }
  | { readonly _tag: 'Invalid'; readonly what: string; readonly at: number; readonly detail: string }

export interface Decoded<A> {
  readonly value: A
  /** Offset of the first byte after what was decoded. */
  readonly next: number
}

export type DecodeResult<A> = E.Either<DecodeError, Decoded<A>>

const truncated = (what: string, at: number, need: number, have: number): DecodeError => ({
  _tag: 'Truncated',
  what,
  at,
  need,
  have,
})

export const invalid = (what: string, at: number, detail: string): DecodeError => ({ _tag: 'Invalid', what, at, detail })

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

export const putU16 = (b: Uint8Array, at: number, v: number): void => {
  b[at] = (v >>> 8) & 0xff
  b[at + 1] = v & 0xff
}
export const putU32 = (b: Uint8Array, at: number, v: number): void => {
  putU16(b, at, (v >>> 16) & 0xffff)
  putU16(b, at + 2, v & 0xffff)
}

export const formatDecodeError = (e: DecodeError): string =>
  e._tag === 'Truncated'
    ? `${e.what}: truncated at ${e.at} (need ${e.need} bytes, have ${e.have})`
    : `${e.what}: invalid at ${e.at}: ${e.detail}`

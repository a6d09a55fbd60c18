// Which shared keys a speaker signs and verifies with while Secret `memberlist` is rotated. The
// kubelet updates the mounted Secret on each node at its own moment (up to a minute or two apart),
// so for a while some speakers know only the old key and some the new one. A speaker that has the
// new key therefore signs every datagram with both keys (two tags, new first) and accepts both,
// for a grace period; a speaker still on the old key verifies the old tag and nothing splits. After
// the grace only the new key signs and verifies. Pure: the shell reads the file and the clock and
// computes the HMACs.

/** A key shorter than this is not a secret (MetalLB's Secret holds 128 random bytes, base64). */
export const KEY_MIN_BYTES = 16

export interface KeyRing {
  readonly current: Uint8Array
  /** The key before the last rotation, still used until `until` (the caller's clock, ms). */
  readonly previous?: { readonly key: Uint8Array; readonly until: number }
}

type KeyRefusal = 'TooShort'

type KeyChange =
  | { readonly _tag: 'Rotated'; readonly ring: KeyRing }
  /** The file holds the key we sign with already (an unrelated change in the folder). */
  | { readonly _tag: 'Unchanged' }
  /** The new content is no key: we keep what we have and say why. */
  | { readonly _tag: 'Refused'; readonly reason: KeyRefusal; readonly length: number }

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])

/** Checks a key read at the edge; undefined when it is usable. */
export const refusal = (key: Uint8Array): KeyRefusal | undefined => (key.length < KEY_MIN_BYTES ? 'TooShort' : undefined)

export const keyRing = (current: Uint8Array): KeyRing => ({ current })

/** The previous key while its grace lasts. */
const previousAt = (ring: KeyRing, now: number): Uint8Array | undefined =>
  ring.previous !== undefined && now < ring.previous.until ? ring.previous.key : undefined

/**
 * A new key from the file at `now`: it signs from now on; the one it replaces keeps signing and
 * verifying for `graceMs`. A key that comes back (rotated away and back) is just the new current.
 */
export const rotate = (ring: KeyRing, key: Uint8Array, now: number, graceMs: number): KeyChange => {
  const why = refusal(key)
  if (why !== undefined) return { _tag: 'Refused', reason: why, length: key.length }
  if (sameBytes(key, ring.current)) return { _tag: 'Unchanged' }
  return { _tag: 'Rotated', ring: { current: key, previous: { key: ring.current, until: now + Math.max(0, graceMs) } } }
}

/** The keys each datagram is signed with, in tag order (current first). */
export const signingKeys = (ring: KeyRing, now: number): readonly Uint8Array[] => {
  const prev = previousAt(ring, now)
  return prev === undefined ? [ring.current] : [ring.current, prev]
}

/** The keys a datagram's tag may match. */
export const verifyingKeys = signingKeys

/** Whether the grace of the previous key is over at `now` (the shell drops it, and says so once). */
export const graceOver = (ring: KeyRing, now: number): boolean => ring.previous !== undefined && now >= ring.previous.until

// Message authentication with the cluster's shared key (a Secret in production): HMAC-SHA256 over
// the signed part of each datagram. Several keys may verify at once so the Secret can be rotated
// without a flag day: the first key signs, any listed key is accepted.
import { createHmac, timingSafeEqual } from 'node:crypto'

export const TAG_LENGTH = 32
export const KEY_MIN_BYTES = 16

export const sign = (key: Uint8Array, signed: Uint8Array): Uint8Array => createHmac('sha256', key).update(signed).digest()

export const verify = (keys: readonly Uint8Array[], signed: Uint8Array, tag: Uint8Array): boolean => {
  if (tag.length !== TAG_LENGTH) return false
  let ok = false
  // Check every key (no early exit) so timing does not tell which one matched.
  for (const k of keys) ok = timingSafeEqual(sign(k, signed), tag) || ok
  return ok
}

/** Normalises the key option and refuses keys too short to be a secret. */
export const keyList = (key: Uint8Array | readonly Uint8Array[]): readonly Uint8Array[] => {
  const list = key instanceof Uint8Array ? [key] : [...key]
  if (list.length === 0) throw new Error('membership: no key')
  for (const k of list) if (k.length < KEY_MIN_BYTES) throw new Error(`membership: key shorter than ${KEY_MIN_BYTES} bytes`)
  return list
}

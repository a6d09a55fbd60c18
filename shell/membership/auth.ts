// Message authentication with the cluster's shared key (Secret `memberlist`): HMAC-SHA256 over the
// signed part of each datagram. While the Secret is rotated a datagram carries one tag per signing
// key (core/membership/keyRing.ts decides which), so speakers that know only the old key and those
// that know the new one both find a tag they can check.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { TAG_MAX } from '../../core/membership/codec.js'

export const TAG_LENGTH = 32
/** Tags one datagram can carry (the codec's tag field holds at most TAG_MAX bytes). */
export const TAGS_MAX = Math.floor(TAG_MAX / TAG_LENGTH)

export const sign = (key: Uint8Array, signed: Uint8Array): Uint8Array => createHmac('sha256', key).update(signed).digest()

/** One tag per key, concatenated in the order given (at most TAGS_MAX keys are used). */
export const tagFor = (keys: readonly Uint8Array[], signed: Uint8Array): Uint8Array => Buffer.concat(keys.slice(0, TAGS_MAX).map((k) => sign(k, signed)))

/** Whether any tag in `tag` is the HMAC of `signed` under any of `keys`. */
export const verify = (keys: readonly Uint8Array[], signed: Uint8Array, tag: Uint8Array): boolean => {
  if (tag.length === 0 || tag.length % TAG_LENGTH !== 0 || tag.length / TAG_LENGTH > TAGS_MAX) return false
  const expected = keys.map((k) => sign(k, signed))
  let ok = false
  // Compare every pair (no early exit) so timing does not tell which one matched.
  for (let at = 0; at < tag.length; at += TAG_LENGTH) {
    const one = tag.subarray(at, at + TAG_LENGTH)
    for (const e of expected) ok = timingSafeEqual(e, one) || ok
  }
  return ok
}

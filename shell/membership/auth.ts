// Message authentication with the cluster's shared key (Secret `memberlist`): HMAC-SHA256 over the
// signed part of each datagram. While the Secret is rotated a datagram carries one tag per signing
// key (core/membership/keyRing.ts decides which), so speakers that know only the old key and those
// that know the new one both find a tag they can check.
//
// HMAC as RFC 2104 builds it, from two SHA-256 states primed once per key with its inner and outer
// pads and copied for each datagram: Node 20's createHmac looks the digest up in OpenSSL and imports
// the key on every call, about 0.1 ms each at the detector's 40 a second; the copies take a fifth
// of that (README, "Side by side with MetalLB").
import { type Hash, createHash, timingSafeEqual } from 'node:crypto'
import { TAG_MAX } from '../../core/membership/codec.js'

export const TAG_LENGTH = 32
/** Tags one datagram can carry (the codec's tag field holds at most TAG_MAX bytes). */
export const TAGS_MAX = Math.floor(TAG_MAX / TAG_LENGTH)

/** SHA-256's block: a longer key is hashed first, a shorter one padded with zeros (RFC 2104). */
const BLOCK = 64

interface Primed {
  readonly inner: Hash
  readonly outer: Hash
}

/** Keys are never changed in place (keyRing.ts replaces them), so their object is the cache key. */
const primedByKey = new WeakMap<Uint8Array, Primed>()

const prime = (key: Uint8Array): Primed => {
  const k = key.length > BLOCK ? createHash('sha256').update(key).digest() : key
  const ipad = Buffer.alloc(BLOCK, 0x36)
  const opad = Buffer.alloc(BLOCK, 0x5c)
  for (let i = 0; i < k.length; i++) {
    ipad[i] = (ipad[i] ?? 0) ^ (k[i] ?? 0)
    opad[i] = (opad[i] ?? 0) ^ (k[i] ?? 0)
  }
  return { inner: createHash('sha256').update(ipad), outer: createHash('sha256').update(opad) }
}

const primedFor = (key: Uint8Array): Primed => {
  const known = primedByKey.get(key)
  if (known !== undefined) return known
  const p = prime(key)
  primedByKey.set(key, p)
  return p
}

export const sign = (key: Uint8Array, signed: Uint8Array): Uint8Array => {
  const { inner, outer } = primedFor(key)
  return outer.copy().update(inner.copy().update(signed).digest()).digest()
}

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

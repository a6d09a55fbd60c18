// The SHA-256 digest of an election key ("<node>#<ip>"), as eight 32-bit words that compare like
// MetalLB's bytes.Compare on the digest. A cluster-wide plan hashes every eligible node for every
// Service IP, so the text is read without a TextEncoder when it is ASCII.
import { sha256Words } from '../crypto/sha256.js'

const utf8 = new TextEncoder()

/** The text's UTF-8 bytes: charCodeAt for ASCII (node names and IP texts always are), the encoder otherwise. */
const bytesOf = (text: string): Uint8Array => {
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c > 0x7f) return utf8.encode(text)
    out[i] = c
  }
  return out
}

/** The digest of `text`'s UTF-8 bytes, as big-endian words (which compare like the digest's bytes). */
export const digestWords = (text: string): Uint32Array => sha256Words(bytesOf(text))

/** Digests in byte order, as Go's bytes.Compare orders them: negative when `a` comes first. */
export const compareDigests = (a: Uint32Array, b: Uint32Array): number => {
  for (let i = 0; i < 8; i++) {
    const x = a[i] ?? 0
    const y = b[i] ?? 0
    if (x !== y) return x < y ? -1 : 1
  }
  return 0
}

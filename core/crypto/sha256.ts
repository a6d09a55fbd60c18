// SHA-256 (FIPS 180-4 §6.2) over bytes, pure and synchronous. MetalLB's layer-2 owner election sorts
// the eligible nodes by sha256("<node>#<ip>"), so the core needs the same digest without reaching for
// node:crypto (which the purity rule keeps out of core/).

// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])

// FIPS 180-4 §5.3.3: the initial hash value, square roots of the first 8 primes.
const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]

// Scratch space for the message schedule, reused by every call. Safe: a call runs to completion
// without yielding, nothing outside this module sees it, and results are always fresh arrays.
const W = new Int32Array(64)

/**
 * FIPS 180-4 §5.1.1 and §6.2: the digest as eight big-endian 32-bit words. The padded message is
 * read a word at a time (the bytes, one 0x80, zeros, the bit length) instead of being copied, and
 * the arithmetic stays in 32-bit integers: the L2 election hashes 100,000 keys for 1,000 Services on
 * 100 nodes, so this loop is hot.
 */
export const sha256Words = (message: Uint8Array): Uint32Array => {
  const n = message.length
  const blocks = Math.ceil((n + 9) / 64)
  const bits = n * 8
  const [i0, i1, i2, i3, i4, i5, i6, i7] = H0 as [number, number, number, number, number, number, number, number]
  let h0 = i0 | 0
  let h1 = i1 | 0
  let h2 = i2 | 0
  let h3 = i3 | 0
  let h4 = i4 | 0
  let h5 = i5 | 0
  let h6 = i6 | 0
  let h7 = i7 | 0
  for (let block = 0; block < blocks; block++) {
    const base = block * 64
    for (let t = 0; t < 16; t++) {
      let word = 0
      for (let j = 0; j < 4; j++) {
        const at = base + 4 * t + j
        word = (word << 8) | (at < n ? (message[at] ?? 0) : at === n ? 0x80 : 0)
      }
      W[t] = word
    }
    if (block === blocks - 1) {
      // The length in bits, split in two 32-bit halves (a JS number holds up to 2^53 exactly).
      W[14] = Math.floor(bits / 0x100000000) | 0
      W[15] = bits | 0
    }
    // §6.2.2 step 1: the rest of the message schedule.
    for (let t = 16; t < 64; t++) {
      const w15 = W[t - 15] ?? 0
      const w2 = W[t - 2] ?? 0
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10)
      W[t] = ((W[t - 16] ?? 0) + s0 + (W[t - 7] ?? 0) + s1) | 0
    }
    // §6.2.2 steps 2-3: eight working variables, 64 rounds (§4.1.2 functions inlined).
    let a = h0
    let b = h1
    let c = h2
    let d = h3
    let e = h4
    let f = h5
    let g = h6
    let h = h7
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
      const ch = (e & f) ^ (~e & g)
      const t1 = (h + S1 + ch + (K[t] ?? 0) + (W[t] ?? 0)) | 0
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
      const maj = (a & b) ^ (a & c) ^ (b & c)
      h = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = b
      b = a
      a = (t1 + S0 + maj) | 0
    }
    // §6.2.2 step 4: the intermediate hash value.
    h0 = (h0 + a) | 0
    h1 = (h1 + b) | 0
    h2 = (h2 + c) | 0
    h3 = (h3 + d) | 0
    h4 = (h4 + e) | 0
    h5 = (h5 + f) | 0
    h6 = (h6 + g) | 0
    h7 = (h7 + h) | 0
  }
  return Uint32Array.of(h0, h1, h2, h3, h4, h5, h6, h7)
}

export const sha256 = (message: Uint8Array): Uint8Array => {
  const words = sha256Words(message)
  const digest = new Uint8Array(32)
  const out = new DataView(digest.buffer)
  words.forEach((word, i) => out.setUint32(4 * i, word))
  return digest
}

/** UTF-8 text in, digest out: what the L2 election hashes ("<node>#<ip>"). */
export const sha256Text = (text: string): Uint8Array => sha256(new TextEncoder().encode(text))

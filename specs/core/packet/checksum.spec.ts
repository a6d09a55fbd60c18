import t from 'tap'
import fc from 'fast-check'
import { icmpv6Checksum, internetChecksum } from '../../../core/packet/checksum.js'
import { ipv6At } from '../../../core/packet/ipBytes.js'
import { anyV6 } from './arbitraries.js'
import { bytes, checksumOf } from './build.js'
import { captures } from './captures.js'

t.test('RFC 1071 §3 example: the sum of 0001 f203 f4f5 f6f7 is ddf2', async (t) => {
  t.equal(internetChecksum(bytes('0001f203f4f5f6f7')), ~0xddf2 & 0xffff)
  t.equal(internetChecksum(bytes('')), 0xffff)
  t.equal(internetChecksum(bytes('ff')), ~0xff00 & 0xffff, 'odd length pads with a zero byte')
})

t.test('agrees with the builder on random bytes, including long ones that carry many times', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), (b) => internetChecksum(b) === checksumOf(b)))
  t.equal(internetChecksum(new Uint8Array(65535).fill(0xff)), checksumOf(new Uint8Array(65535).fill(0xff)))
  t.pass('ok')
})

t.test('every captured ICMPv6 message checks out to zero (RFC 4443 §2.3)', async (t) => {
  for (const [name, hex] of Object.entries(captures)) {
    const f = bytes(hex)
    if (f[12] !== 0x86 || f[13] !== 0xdd) continue
    const len = ((f[18] ?? 0) << 8) | (f[19] ?? 0)
    t.equal(icmpv6Checksum(ipv6At(f, 22), ipv6At(f, 38), f.subarray(54, 54 + len)), 0, name)
  }
})

t.test('a computed checksum makes the message verify, and any one-bit change breaks it', async (t) => {
  fc.assert(
    fc.property(anyV6, anyV6, fc.uint8Array({ minLength: 4, maxLength: 64 }), fc.nat(), (src, dst, msg, bit) => {
      const m = Uint8Array.from(msg)
      m[2] = 0
      m[3] = 0
      const sum = icmpv6Checksum(src, dst, m)
      m[2] = sum >> 8
      m[3] = sum & 0xff
      if (icmpv6Checksum(src, dst, m) !== 0) return false
      const i = bit % (m.length * 8)
      const flipped = Uint8Array.from(m)
      flipped[i >> 3] = (flipped[i >> 3] ?? 0) ^ (1 << (i & 7))
      // A one-bit change moves the one's complement sum by ±2^k, never by a multiple of 0xffff,
      // so the Internet checksum catches every single-bit error.
      return icmpv6Checksum(src, dst, flipped) !== 0
    }),
  )
  t.pass('ok')
})

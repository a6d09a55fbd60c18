import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { formatIP } from '../../../core/net/address.js'
import * as ipv6 from '../../../core/packet/ipv6.js'
import { anyV6, mutated, v6Text } from './arbitraries.js'
import { bytes, hexOf, u16Hex, v6Hex } from './build.js'
import { captures } from './captures.js'

const anyHeader = fc.record({
  trafficClass: fc.integer({ min: 0, max: 255 }),
  flowLabel: fc.integer({ min: 0, max: 0xfffff }),
  payloadLength: fc.integer({ min: 0, max: 64 }),
  nextHeader: fc.integer({ min: 0, max: 255 }),
  hopLimit: fc.integer({ min: 0, max: 255 }),
  src: anyV6,
  dst: anyV6,
})

t.test('encode matches the builder (RFC 8200 §3)', async (t) => {
  fc.assert(
    fc.property(anyHeader, (h) => {
      const first = (0x60000000 + h.trafficClass * 0x100000 + h.flowLabel).toString(16).padStart(8, '0')
      const want = first + u16Hex(h.payloadLength) + h.nextHeader.toString(16).padStart(2, '0') + h.hopLimit.toString(16).padStart(2, '0') + v6Hex(v6Text(h.src)) + v6Hex(v6Text(h.dst))
      return hexOf(ipv6.encode(h)) === want && ipv6.encodingLength(h) === 40
    }),
  )
  t.pass('ok')
})

t.test('round trip with the payload present', async (t) => {
  fc.assert(
    fc.property(anyHeader, (h) => {
      const buf = new Uint8Array(40 + h.payloadLength)
      buf.set(ipv6.encode(h))
      const back = ipv6.decode(buf, 0)
      return E.isRight(back) && back.right.next === 40 && back.right.value.flowLabel === h.flowLabel && back.right.value.trafficClass === h.trafficClass && back.right.value.src.value === h.src.value && back.right.value.dst.value === h.dst.value && back.right.value.hopLimit === h.hopLimit && back.right.value.nextHeader === h.nextHeader
    }),
  )
  t.pass('ok')
})

t.test('decodes a captured header', async (t) => {
  const h = ipv6.decode(bytes(captures.nsFor10), 14)
  if (E.isLeft(h)) return t.fail('decode')
  t.equal(h.right.value.flowLabel, 0x6a79d)
  t.equal(h.right.value.payloadLength, 32)
  t.equal(h.right.value.nextHeader, 58)
  t.equal(h.right.value.hopLimit, 255)
  t.equal(formatIP(h.right.value.src), 'fe80::5eff:fe10:a')
  t.equal(formatIP(h.right.value.dst), 'ff02::1:ff00:10')
})

t.test('refuses other versions and a payload longer than the bytes', async (t) => {
  const v4 = bytes(captures.nsFor10)
  v4[14] = 0x45
  t.match(ipv6.decode(v4, 14), { left: { _tag: 'Invalid', at: 14 } })
  const long = bytes(captures.nsFor10)
  long[19] = 33
  t.match(ipv6.decode(long, 14), { left: { _tag: 'Truncated', what: 'ipv6 payload', need: 33, have: 32 } })
})

t.test('never throws', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 90 }), fc.integer({ min: -1, max: 90 }), (b, at) => {
    ipv6.decode(b, at)
    return true
  }))
  fc.assert(fc.property(mutated(fc.constant(bytes(captures.nsFor10))), (b) => {
    ipv6.decode(b, 14)
    return true
  }))
  t.pass('ok')
})

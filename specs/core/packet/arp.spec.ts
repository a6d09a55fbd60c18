import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as arp from '../../../core/packet/arp.js'
import { formatIP } from '../../../core/net/address.js'
import { anyMac, anyV4, mutated, v4Text } from './arbitraries.js'
import { bytes, hexOf, macHex, mkArpFrame, v4Hex } from './build.js'
import { captures } from './captures.js'

const anyPacket: fc.Arbitrary<arp.ArpPacket> = fc.record({
  op: fc.constantFrom('request' as const, 'reply' as const),
  senderMac: anyMac,
  senderIp: anyV4,
  targetMac: anyMac,
  targetIp: anyV4,
})

t.test('encode matches the builder (RFC 826 layout)', async (t) => {
  fc.assert(
    fc.property(anyPacket, (p) => {
      const want = ['0001', '0800', '06', '04', p.op === 'request' ? '0001' : '0002', macHex(p.senderMac), v4Hex(v4Text(p.senderIp)), macHex(p.targetMac), v4Hex(v4Text(p.targetIp))].join('')
      return hexOf(arp.encode(p)) === want && arp.encodingLength(p) === 28
    }),
  )
  t.pass('ok')
})

t.test('round trip', async (t) => {
  fc.assert(
    fc.property(anyPacket, (p) => {
      const back = arp.decode(arp.encode(p), 0)
      return E.isRight(back) && back.right.next === 28 && JSON.stringify(back.right.value, (_, v) => (typeof v === 'bigint' ? v.toString() : v)) === JSON.stringify(p, (_, v) => (typeof v === 'bigint' ? v.toString() : v))
    }),
  )
  t.pass('ok')
})

t.test('decodes captures', async (t) => {
  const req = arp.decode(bytes(captures.arpRequestFor20), 14)
  if (E.isLeft(req)) return t.fail('request did not decode')
  const r = req.right.value
  t.equal(r.op, 'request')
  t.equal(r.senderMac, '02:00:5e:10:00:0a')
  t.equal(formatIP(r.senderIp), '198.51.100.1')
  t.equal(r.targetMac, '00:00:00:00:00:00')
  t.equal(formatIP(r.targetIp), '198.51.100.20')
  t.equal(req.right.next, 42, 'padding after the packet is not consumed')

  const rep = arp.decode(bytes(captures.arpReplyFrom20), 14)
  t.match(rep, { right: { value: { op: 'reply', senderMac: '02:00:5e:10:00:0b', targetMac: '02:00:5e:10:00:0a' } } })

  const garp = arp.decode(bytes(captures.arpGratuitousFromA), 14)
  if (E.isLeft(garp)) return t.fail('gratuitous did not decode')
  t.equal(garp.right.value.senderIp.value, garp.right.value.targetIp.value, 'gratuitous: sender IP = target IP')
})

t.test('refuses what RFC 826 reception checks', async (t) => {
  const at = (f: Uint8Array) => arp.decode(f, 14)
  t.match(at(mkArpFrame({ htype: 6 })), { left: { _tag: 'Invalid', at: 14 } }, 'IEEE 802 hardware type')
  t.match(at(mkArpFrame({ ptype: 0x86dd })), { left: { _tag: 'Invalid', at: 16 } }, 'not IPv4')
  t.match(at(mkArpFrame({ op: 3 })), { left: { _tag: 'Invalid', at: 20 } }, 'RARP request')
  const lens = mkArpFrame()
  lens[18] = 8
  t.match(at(lens), { left: { _tag: 'Invalid', at: 18 } }, 'hardware length 8')
  t.match(arp.decode(mkArpFrame().subarray(0, 41), 14), { left: { _tag: 'Truncated', need: 28, have: 27 } })
})

t.test('never throws', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: -2, max: 70 }), (b, at) => {
    arp.decode(b, at)
    return true
  }))
  fc.assert(fc.property(mutated(fc.constant(bytes(captures.arpRequestFor10))), (b) => {
    arp.decode(b, 14)
    return true
  }))
  t.pass('ok')
})

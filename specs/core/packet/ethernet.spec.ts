import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as eth from '../../../core/packet/ethernet.js'
import { anyMac, mutated } from './arbitraries.js'
import { bytes, hexOf, macHex } from './build.js'
import { captures } from './captures.js'

t.test('encode matches the builder', async (t) => {
  fc.assert(
    fc.property(anyMac, anyMac, fc.integer({ min: 0x600, max: 0xffff }), (dst, src, ethertype) => {
      const got = eth.encode({ dst, src, ethertype })
      return hexOf(got) === macHex(dst) + macHex(src) + ethertype.toString(16).padStart(4, '0') && got.length === eth.encodingLength({ dst, src, ethertype })
    }),
  )
  t.pass('ok')
})

t.test('decodes captured headers', async (t) => {
  const got = eth.decode(bytes(captures.arpReplyFrom20), 0)
  t.same(got, E.right({ value: { dst: '02:00:5e:10:00:0a', src: '02:00:5e:10:00:0b', ethertype: 0x0806 }, next: 14 }))
  const ns = eth.decode(bytes(captures.nsFor10), 0)
  t.match(ns, { right: { value: { dst: '33:33:ff:00:00:10', ethertype: 0x86dd } } })
})

t.test('round trip at any offset', async (t) => {
  fc.assert(
    fc.property(anyMac, anyMac, fc.integer({ min: 0x600, max: 0xffff }), fc.uint8Array({ maxLength: 8 }), (dst, src, ethertype, prefix) => {
      const buf = new Uint8Array(prefix.length + 14)
      buf.set(prefix)
      buf.set(eth.encode({ dst, src, ethertype }), prefix.length)
      const back = eth.decode(buf, prefix.length)
      return E.isRight(back) && back.right.next === buf.length && back.right.value.dst === dst && back.right.value.src === src && back.right.value.ethertype === ethertype
    }),
  )
  t.pass('ok')
})

t.test('refuses 802.3 length fields and short buffers', async (t) => {
  t.match(eth.decode(bytes('ffffffffffff', '020000000001', '05dc'), 0), { left: { _tag: 'Invalid', at: 12 } })
  t.match(eth.decode(bytes('ffffffffffff', '0200000000'), 0), { left: { _tag: 'Truncated', need: 14, have: 11 } })
})

t.test('frame pads to the Ethernet minimum and no further', async (t) => {
  const h = { dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:01', ethertype: 0x0806 } as const
  t.equal(eth.frame(h as eth.EthernetHeader, new Uint8Array(28)).length, 60)
  t.equal(eth.frame(h as eth.EthernetHeader, new Uint8Array(72)).length, 86)
})

t.test('never throws', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: -4, max: 50 }), (b, at) => {
    eth.decode(b, at)
    return true
  }))
  fc.assert(fc.property(mutated(fc.constant(bytes(captures.nsFor10))), (b) => {
    eth.decode(b, 0)
    return true
  }))
  t.pass('ok')
})

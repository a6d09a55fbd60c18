import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { cursor, formatDecodeError, needBytes, u16, u32, u8 } from '../../../core/bytes/reader.js'
import { putU16, putU32, writer } from '../../../core/bytes/writer.js'

t.test('needBytes checks the offset and the length', async (t) => {
  const b = new Uint8Array(10)
  t.ok(E.isRight(needBytes(b, 0, 10, 'x')), 'exactly enough')
  t.ok(E.isRight(needBytes(b, 10, 0, 'x')), 'zero bytes at the end')
  t.match(needBytes(b, 4, 7, 'x'), { left: { _tag: 'Truncated', at: 4, need: 7, have: 6 } })
  t.match(needBytes(b, 12, 1, 'x'), { left: { _tag: 'Truncated', have: 0 } })
  t.match(needBytes(b, -1, 1, 'x'), { left: { _tag: 'Invalid' } })
  t.match(needBytes(b, 1.5, 1, 'x'), { left: { _tag: 'Invalid' } })
  t.match(needBytes(b, Number.NaN, 1, 'x'), { left: { _tag: 'Invalid' } })
})

t.test('readers and writers are big-endian and unsigned', async (t) => {
  const b = new Uint8Array(6)
  putU32(b, 0, 0xfedcba98)
  putU16(b, 4, 0xabcd)
  t.same([...b], [0xfe, 0xdc, 0xba, 0x98, 0xab, 0xcd])
  t.equal(u32(b, 0), 0xfedcba98, 'no sign from the top bit')
  t.equal(u16(b, 4), 0xabcd)
  t.equal(u8(b, 5), 0xcd)
})

t.test('errors print what and where', async (t) => {
  t.equal(
    formatDecodeError({ _tag: 'Truncated', what: 'arp', at: 14, need: 28, have: 3 }),
    'arp: truncated at 14 (need 28 bytes, have 3)',
  )
  t.equal(formatDecodeError({ _tag: 'Invalid', what: 'arp', at: 20, detail: 'bad op' }), 'arp: invalid at 20: bad op')
})

t.test('a cursor reads in order and says where it ran out', async (t) => {
  const c = cursor(Uint8Array.of(0, 1, 0x80, 0, 0, 1, 7, 8, 9), 1)
  t.same([c.u8(), c.u32(), c.u16(), c.offset()], [1, 0x80000001, 0x0708, 8])
  t.equal(c.u16(), undefined, 'one byte left, two wanted')
  t.same(c.truncation('x'), { _tag: 'Truncated', what: 'x', at: 8, need: 2, have: 1 })
  t.same([...(c.bytes(1) ?? [])], [9], 'a failed read moves nothing')
  const bad = cursor(Uint8Array.of(1, 2), -1)
  t.equal(bad.u8(), undefined, 'a negative start reads nothing')
  t.same(bad.truncation('y'), { _tag: 'Truncated', what: 'y', at: -1, need: 1, have: 0 })
})

t.test('cursor reads agree with positional reads and the writer, and never throw', async () => {
  const width = fc.constantFrom(1, 2, 4)
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 24 }), fc.integer({ min: -2, max: 26 }), fc.array(width, { maxLength: 12 }), (bytes, start, widths) => {
      const c = cursor(bytes, start)
      for (const w of widths) {
        const at = c.offset()
        const got = w === 1 ? c.u8() : w === 2 ? c.u16() : c.u32()
        const fits = at >= 0 && at + w <= bytes.length
        if (!fits) return got === undefined && c.offset() === at && c.truncation('p').at === at
        if (got !== (w === 1 ? u8(bytes, at) : w === 2 ? u16(bytes, at) : u32(bytes, at))) return false
      }
      return true
    }),
  )
  fc.assert(
    fc.property(fc.array(fc.tuple(width, fc.nat({ max: 0xffffffff })), { maxLength: 8 }), (fields) => {
      const w = writer(fields.reduce((n, [k]) => n + k, 0))
      for (const [k, v] of fields) (k === 1 ? w.u8 : k === 2 ? w.u16 : w.u32)(v)
      const c = cursor(w.done(), 0)
      return fields.every(([k, v]) => (k === 1 ? c.u8() : k === 2 ? c.u16() : c.u32()) === v % 2 ** (8 * k))
    }),
  )
})

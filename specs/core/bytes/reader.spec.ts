import t from 'tap'
import * as E from 'fp-ts/lib/Either.js'
import { formatDecodeError, needBytes, putU16, putU32, u16, u32, u8 } from '../../../core/packet/decode.js'

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

import t from 'tap'
import fc from 'fast-check'
import { fromHex, toHex } from '../../../core/crypto/hex.js'

t.test('examples', async (t) => {
  t.equal(toHex(Uint8Array.from([0, 1, 0xab, 0xff])), '0001abff')
  t.same(fromHex('00 01:AB ff'), Uint8Array.from([0, 1, 0xab, 0xff]))
  t.same(fromHex(''), new Uint8Array(0))
  t.equal(fromHex('abc'), undefined, 'odd length')
  t.equal(fromHex('zz'), undefined, 'not hex')
})

t.test('round trip and agreement with Buffer', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const hex = toHex(bytes)
      const back = fromHex(hex)
      return hex === Buffer.from(bytes).toString('hex') && back !== undefined && Buffer.from(back).equals(bytes)
    }),
  )
  t.pass('round trip')
})

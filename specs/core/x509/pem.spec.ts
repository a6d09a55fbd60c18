import t from 'tap'
import fc from 'fast-check'
import { base64, pem } from '../../../core/x509/pem.js'

t.test('base64 agrees with Buffer at every padding', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => base64(bytes) === Buffer.from(bytes).toString('base64')))
  t.equal(base64(Uint8Array.of(0xfb, 0xff)), '+/8=', 'the last two alphabet characters')
})

t.test('PEM: 64-character lines between the armour lines (RFC 7468 §2)', async (t) => {
  const text = pem('CERTIFICATE', new Uint8Array(100).fill(7))
  const lines = text.trimEnd().split('\n')
  t.equal(lines[0], '-----BEGIN CERTIFICATE-----')
  t.equal(lines.at(-1), '-----END CERTIFICATE-----')
  t.same(lines.slice(1, -1).map((l) => l.length), [64, 64, 8], 'base64 of 100 bytes is 136 characters: 64 + 64 + 8')
})

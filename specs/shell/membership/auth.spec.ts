import t from 'tap'
import { createHmac } from 'node:crypto'
import { keyList, sign, TAG_LENGTH, verify } from '../../../shell/membership/auth.js'

const k1 = Buffer.alloc(32, 1)
const k2 = Buffer.alloc(32, 2)
const msg = Buffer.from('membership datagram')

t.test('HMAC-SHA256 tags; rotation accepts any listed key; anything else is refused', async (t) => {
  const tag = sign(k1, msg)
  t.equal(tag.length, TAG_LENGTH)
  // RFC 2104 HMAC as node computes it, independently of the module.
  t.same(Buffer.from(tag), createHmac('sha256', k1).update(msg).digest())
  t.ok(verify([k1], msg, tag))
  t.ok(verify([k2, k1], msg, tag), 'old key still accepted during rotation')
  t.notOk(verify([k2], msg, tag), 'wrong key')
  t.notOk(verify([k1], Buffer.from('membership datagraM'), tag), 'changed message')
  t.notOk(verify([k1], msg, tag.subarray(0, 16)), 'truncated tag')
  const flipped = Buffer.from(tag)
  flipped[5] = (flipped[5] ?? 0) ^ 1
  t.notOk(verify([k1], msg, flipped), 'one bit off')
  t.same(keyList(k1), [k1])
  t.throws(() => keyList(Buffer.alloc(15)), /shorter/)
})

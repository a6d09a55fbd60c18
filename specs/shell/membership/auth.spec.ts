import t from 'tap'
import { createHmac } from 'node:crypto'
import { sign, tagFor, TAG_LENGTH, TAGS_MAX, verify } from '../../../shell/membership/auth.js'

const k1 = Buffer.alloc(32, 1)
const k2 = Buffer.alloc(32, 2)
const k3 = Buffer.alloc(32, 3)
const msg = Buffer.from('membership datagram')
// RFC 2104 HMAC as node computes it, independently of the module.
const hmac = (k: Buffer): Buffer => createHmac('sha256', k).update(msg).digest()

t.test('HMAC-SHA256 tags; any listed key verifies; anything else is refused', async (t) => {
  const tag = sign(k1, msg)
  t.equal(tag.length, TAG_LENGTH)
  t.same(Buffer.from(tag), hmac(k1))
  t.ok(verify([k1], msg, tag))
  t.ok(verify([k2, k1], msg, tag), 'the previous key is still accepted during a rotation')
  t.notOk(verify([k2], msg, tag), 'wrong key')
  t.notOk(verify([k1], Buffer.from('membership datagraM'), tag), 'changed message')
  t.notOk(verify([k1], msg, tag.subarray(0, 16)), 'truncated tag')
  t.notOk(verify([k1], msg, new Uint8Array(0)), 'no tag')
  const flipped = Buffer.from(tag)
  flipped[5] = (flipped[5] ?? 0) ^ 1
  t.notOk(verify([k1], msg, flipped), 'one bit off')
})

t.test('during a rotation a datagram carries one tag per signing key, and each side finds its own', async (t) => {
  const both = tagFor([k2, k1], msg)
  t.same(Buffer.from(both), Buffer.concat([hmac(k2), hmac(k1)]), 'new key first, then the previous one')
  t.ok(verify([k1], msg, both), 'a speaker that has only the old key verifies the second tag')
  t.ok(verify([k2], msg, both), 'one that has only the new key verifies the first')
  t.notOk(verify([k3], msg, both), 'a stranger verifies neither')
  t.equal(TAGS_MAX, 2)
  t.equal(tagFor([k1, k2, k3], msg).length, TAGS_MAX * TAG_LENGTH, 'never more tags than the codec carries')
  t.notOk(verify([k1], msg, Buffer.concat([both, hmac(k1)])), 'three tags are refused')
})

t.test('the primed-pad HMAC equals createHmac for every key length, and a key is primed once, not frozen', async (t) => {
  // Key lengths around SHA-256's 64-byte block (a longer key is hashed first) and messages around it.
  for (const keyLength of [16, 32, 63, 64, 65, 128, 200]) {
    for (const msgLength of [0, 1, 55, 64, 300, 1400]) {
      const key = Buffer.alloc(keyLength)
      for (let i = 0; i < keyLength; i++) key[i] = (i * 37 + keyLength) & 0xff
      const m = Buffer.alloc(msgLength, msgLength & 0xff)
      const want = createHmac('sha256', key).update(m).digest()
      t.same(Buffer.from(sign(key, m)), want, `key ${keyLength} B, message ${msgLength} B`)
      t.same(Buffer.from(sign(key, m)), want, `key ${keyLength} B, message ${msgLength} B, again (the primed states are copied, not used up)`)
    }
  }
  const a = Buffer.alloc(32, 9)
  const b = Buffer.alloc(32, 9)
  b[31] = 8
  t.same(Buffer.from(sign(a, msg)), createHmac('sha256', a).update(msg).digest())
  t.same(Buffer.from(sign(b, msg)), createHmac('sha256', b).update(msg).digest(), 'another key object of one byte difference gets its own pads')
})

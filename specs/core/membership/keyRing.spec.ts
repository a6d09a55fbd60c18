// The key ring across a rotation of Secret memberlist (core/membership/keyRing.ts): examples of each
// change, and a property over arbitrary rotation histories: the newest key always signs first, and
// a key replaced less than the grace ago still signs and verifies.
import t from 'tap'
import fc from 'fast-check'
import { KEY_MIN_BYTES, graceOver, keyRing, rotate, signingKeys, verifyingKeys, type KeyRing } from '../../../core/membership/keyRing.js'

const key = (b: number, n = 32): Uint8Array => new Uint8Array(n).fill(b)
const GRACE = 60_000

t.test('rotate: examples', async (t) => {
  const ring = keyRing(key(1))
  const rows: ReadonlyArray<{ desc: string; in: Uint8Array; want: string }> = [
    { desc: 'a new key rotates', in: key(2), want: 'Rotated' },
    { desc: 'the same bytes again (another file in the folder changed) change nothing', in: key(1), want: 'Unchanged' },
    { desc: 'an empty file is refused', in: new Uint8Array(0), want: 'Refused' },
    { desc: `a key shorter than ${KEY_MIN_BYTES} bytes is refused`, in: key(3, KEY_MIN_BYTES - 1), want: 'Refused' },
    { desc: `exactly ${KEY_MIN_BYTES} bytes is a key`, in: key(3, KEY_MIN_BYTES), want: 'Rotated' },
  ]
  for (const row of rows) t.equal(rotate(ring, row.in, 0, GRACE)._tag, row.want, row.desc)
})

t.test('during the grace both keys sign (new first) and verify; after it only the new one', async (t) => {
  const r = rotate(keyRing(key(1)), key(2), 1_000, GRACE)
  if (r._tag !== 'Rotated') return t.fail('no rotation')
  t.same(signingKeys(r.ring, 1_000), [key(2), key(1)], 'at once')
  t.same(verifyingKeys(r.ring, 1_000 + GRACE - 1), [key(2), key(1)], 'until the grace ends')
  t.notOk(graceOver(r.ring, 1_000 + GRACE - 1))
  t.same(signingKeys(r.ring, 1_000 + GRACE), [key(2)], 'then only the new key')
  t.same(verifyingKeys(r.ring, 1_000 + GRACE), [key(2)])
  t.ok(graceOver(r.ring, 1_000 + GRACE))
  const back = rotate(r.ring, key(1), 2_000, GRACE)
  t.same(back._tag === 'Rotated' ? signingKeys(back.ring, 2_000) : [], [key(1), key(2)], 'rotating back: the old key is current again')
  t.same(signingKeys(keyRing(key(1)), 0), [key(1)], 'no rotation, one key')
})

t.test('property: the newest usable key signs first; a key replaced within the grace still verifies', async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ dt: fc.integer({ min: 0, max: 2 * GRACE }), b: fc.integer({ min: 0, max: 5 }), len: fc.constantFrom(0, 8, 16, 32) }), { maxLength: 20 }),
      fc.integer({ min: 0, max: 3 * GRACE }),
      (changes, later) => {
        let ring: KeyRing = keyRing(key(9))
        let now = 0
        let newest = ring.current
        let replacedAt: { key: Uint8Array; at: number } | undefined
        for (const c of changes) {
          now += c.dt
          const k = key(c.b, c.len)
          const r = rotate(ring, k, now, GRACE)
          if (r._tag === 'Rotated') {
            replacedAt = { key: newest, at: now }
            ring = r.ring
            newest = k
          } else if (r._tag === 'Refused' && c.len >= KEY_MIN_BYTES) return false
        }
        const at = now + later
        const signing = signingKeys(ring, at)
        if (signing[0] !== newest || signing.length > 2) return false
        const stillValid = replacedAt !== undefined && at < replacedAt.at + GRACE
        return stillValid === verifyingKeys(ring, at).includes(replacedAt?.key as Uint8Array)
      },
    ),
    { numRuns: 500 },
  )
  t.pass('500 rotation histories')
})

import t from 'tap'
import fc from 'fast-check'
import { createHash } from 'node:crypto'
import { sha256, sha256Text } from '../../../core/crypto/sha256.js'
import { toHex } from '../../../core/crypto/hex.js'

// FIPS 180-4 example vectors (NIST CSRC "SHA256.pdf" and the SHAVS short messages).
const vectors: ReadonlyArray<{ desc: string; in: string; want: string }> = [
  { desc: 'empty string', in: '', want: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
  { desc: '"abc" (one block)', in: 'abc', want: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
  {
    desc: '448-bit message (two blocks)',
    in: 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
    want: '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  },
  {
    desc: '896-bit message',
    in: 'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
    want: 'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
  },
]

t.test('FIPS 180-4 vectors', async (t) => {
  for (const v of vectors) t.equal(toHex(sha256Text(v.in)), v.want, v.desc)
})

t.test('one million "a" (FIPS long message)', async (t) => {
  const million = new Uint8Array(1_000_000).fill(0x61)
  t.equal(toHex(sha256(million)), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0')
})

t.test('agrees with node:crypto on random bytes', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const want = createHash('sha256').update(bytes).digest('hex')
      return toHex(sha256(bytes)) === want
    }),
    { numRuns: 500 },
  )
  t.pass('matches')
})

t.test('agrees with node:crypto at every padding boundary', async (t) => {
  // Lengths 0..200 cover the 55/56/63/64-byte edges where the length field spills into a new block.
  for (let n = 0; n <= 200; n++) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff)
    const want = createHash('sha256').update(bytes).digest('hex')
    if (toHex(sha256(bytes)) !== want) t.fail(`length ${n}`)
  }
  t.pass('all lengths match')
})

t.test('UTF-8 text as the election hashes it', async (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
      return toHex(sha256Text(s)) === createHash('sha256').update(s, 'utf8').digest('hex')
    }),
  )
  t.pass('matches')
})

// The election digest is SHA-256: FIPS 180-2 vectors, agreement with core/crypto's implementation on
// any text (one block, block boundaries, several blocks, non-ASCII), and word order = byte order.
import t from 'tap'
import fc from 'fast-check'
import { sha256Text } from '../../../core/crypto/sha256.js'
import { toHex } from '../../../core/crypto/hex.js'
import { compareDigests, digestWords } from '../../../core/l2/digest.js'

const hexOf = (w: Uint32Array): string => [...w].map((x) => x.toString(16).padStart(8, '0')).join('')

t.test('FIPS 180-2 appendix B vectors', async (t) => {
  t.equal(hexOf(digestWords('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  t.equal(hexOf(digestWords('')), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  t.equal(
    hexOf(digestWords('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    'two blocks',
  )
})

t.test('agrees with core/crypto on every length around the block boundaries', async (t) => {
  for (let n = 0; n <= 130; n++) {
    const text = 'n'.repeat(n)
    t.equal(hexOf(digestWords(text)), toHex(sha256Text(text)), `${n} bytes`)
  }
})

t.test('agrees with core/crypto on any text, ASCII or not', async () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 100 })), (text) => hexOf(digestWords(text)) === toHex(sha256Text(text))),
    { numRuns: 500 },
  )
})

t.test('comparing words orders digests as Go\'s bytes.Compare orders their bytes', async (t) => {
  const byBytes = (a: Uint8Array, b: Uint8Array): number => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) < (b[i] ?? 0) ? -1 : 1
    return 0
  }
  fc.assert(
    fc.property(fc.string(), fc.string(), (x, y) => Math.sign(compareDigests(digestWords(x), digestWords(y))) === byBytes(sha256Text(x), sha256Text(y))),
  )
  t.equal(compareDigests(digestWords('same'), digestWords('same')), 0)
})

import t from 'tap'
import fc from 'fast-check'
import { toHex } from '../../../core/crypto/hex.js'
import { derInteger, derLength, derNamedBits, derOid, readTlv, setOf, tlv } from '../../../core/x509/der.js'

// Expected bytes from X.690 §8 and the DER dumps of well-known certificates, written out by hand.
const lengths = [
  { desc: 'zero', in: 0, want: '00' },
  { desc: 'largest short form', in: 127, want: '7f' },
  { desc: 'smallest long form', in: 128, want: '8180' },
  { desc: 'one octet long form', in: 255, want: '81ff' },
  { desc: 'two octets', in: 256, want: '820100' },
  { desc: 'three octets', in: 70_000, want: '83011170' },
]
const integers = [
  { desc: 'zero is one 0x00 octet', in: 0n, want: '020100' },
  { desc: '127 fits', in: 127n, want: '02017f' },
  { desc: '128 needs a sign octet', in: 128n, want: '02020080' },
  { desc: '256', in: 256n, want: '02020100' },
  { desc: 'version 3 is 2', in: 2n, want: '020102' },
  { desc: '2^64', in: 1n << 64n, want: '0209010000000000000000' },
]
const oids = [
  { desc: 'rsaEncryption prefix (X.690 §8.19.5 example style)', in: [1, 2, 840, 113549], want: '06062a864886f70d' },
  { desc: 'basicConstraints', in: [2, 5, 29, 19], want: '0603551d13' },
  { desc: 'ecdsa-with-SHA256', in: [1, 2, 840, 10045, 4, 3, 2], want: '06082a8648ce3d040302' },
  { desc: 'serverAuth', in: [1, 3, 6, 1, 5, 5, 7, 3, 1], want: '06082b06010505070301' },
  { desc: 'Ed25519', in: [1, 3, 101, 112], want: '06032b6570' },
]
const namedBits = [
  { desc: 'no bits', in: [], want: '030100' },
  { desc: 'digitalSignature alone: 7 unused bits', in: [0], want: '03020780' },
  { desc: 'digitalSignature + keyEncipherment', in: [0, 2], want: '030205a0' },
  { desc: 'digitalSignature + keyCertSign + cRLSign', in: [0, 5, 6], want: '03020186' },
  { desc: 'decipherOnly (bit 8) spills into a second octet', in: [0, 8], want: '0303078080' },
]

t.test('lengths', async (t) => {
  for (const c of lengths) t.equal(toHex(derLength(c.in)), c.want, c.desc)
})
t.test('integers', async (t) => {
  for (const c of integers) t.equal(toHex(derInteger(c.in)), c.want, c.desc)
})
t.test('object identifiers', async (t) => {
  for (const c of oids) t.equal(toHex(derOid(c.in)), c.want, c.desc)
})
t.test('named bit lists drop trailing zero bits', async (t) => {
  for (const c of namedBits) t.equal(toHex(derNamedBits(c.in)), c.want, c.desc)
})

t.test('SET OF sorts its encoded elements', async (t) => {
  t.equal(toHex(setOf([Uint8Array.of(0x02, 0x01, 0x09), Uint8Array.of(0x02, 0x01, 0x01)])), '3106020101020109')
})

t.test('readTlv refuses what is not DER or runs past the end', async (t) => {
  const rows = [
    { desc: 'empty', in: '', want: undefined },
    { desc: 'content past the end', in: '30030101', want: undefined },
    { desc: 'long form for a short length', in: '30810101', want: undefined },
    { desc: 'long form with a leading zero octet', in: '3082000101', want: undefined },
    { desc: 'indefinite length', in: '308000', want: undefined },
    { desc: 'multi-octet tag', in: '1f0100', want: undefined },
    { desc: 'a valid TLV', in: '0403aabbcc', want: { tag: 4, start: 2, end: 5 } },
  ]
  for (const r of rows) t.same(readTlv(Uint8Array.from(Buffer.from(r.in, 'hex')), 0), r.want, r.desc)
})

t.test('readTlv reads back what tlv wrote', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0x1e }), fc.uint8Array({ maxLength: 70_000 }), (tag, content) => {
      const bytes = tlv(tag, content)
      const got = readTlv(bytes, 0)
      return got !== undefined && got.tag === tag && got.end === bytes.length && got.end - got.start === content.length
    }),
    { numRuns: 60 },
  )
  t.pass('round trip')
})

t.test('integers agree with the two-complement bytes of their hex', async (t) => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: (1n << 200n) - 1n }), (n) => {
      let hex = n.toString(16)
      if (hex.length % 2) hex = `0${hex}`
      if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`
      return toHex(derInteger(n)) === `02${(hex.length / 2).toString(16).padStart(2, '0')}${hex}`
    }),
  )
  t.pass('matches')
})

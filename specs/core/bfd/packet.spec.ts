import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { type ControlPacket, decodeControl, encodeControl, encodingLength, formatDiscard } from '../../../core/bfd/packet.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** A tiny builder independent of the encoder: RFC 5880 §4.1 field by field. */
const mk = (f: { vers?: number; diag?: number; sta?: number; flags?: number; mult?: number; len?: number; my?: number; your?: number; tx?: number; rx?: number; echo?: number; tail?: number[] }): Uint8Array => {
  const b = Buffer.alloc(24)
  b[0] = ((f.vers ?? 1) << 5) | (f.diag ?? 0)
  b[1] = ((f.sta ?? 1) << 6) | (f.flags ?? 0)
  b[2] = f.mult ?? 3
  b[3] = f.len ?? 24
  b.writeUInt32BE(f.my ?? 1, 4)
  b.writeUInt32BE(f.your ?? 0, 8)
  b.writeUInt32BE(f.tx ?? 1_000_000, 12)
  b.writeUInt32BE(f.rx ?? 100_000, 16)
  b.writeUInt32BE(f.echo ?? 0, 20)
  return new Uint8Array([...b, ...(f.tail ?? [])])
}

const F = 0x10
const A = 0x04
const M = 0x01

t.test('a hand-written vector (bytes per RFC 5880 §4.1): Up, P and C set, 300 ms, discriminators', async (t) => {
  // 20 e8 03 18 | 00000001 | 00000002 | 000493e0 | 000493e0 | 00000000 (version 1, Up, Poll, mult 3)
  const bytes = Uint8Array.from(Buffer.from('20e803180000000100000002000493e0000493e000000000', 'hex'))
  const got = decodeControl(bytes)
  t.same(got, E.right({
    diag: 0, state: 'Up', poll: true, final: false, controlPlaneIndependent: true, demand: false, detectMult: 3,
    myDiscriminator: 1, yourDiscriminator: 2, desiredMinTxUs: 300_000, requiredMinRxUs: 300_000, requiredMinEchoRxUs: 0,
  }))
  t.equal(encodingLength(), 24)
})

t.test('the encoder writes what the builder writes', async (t) => {
  const p: ControlPacket = {
    diag: 3, state: 'Init', poll: false, final: true, controlPlaneIndependent: false, demand: false, detectMult: 5,
    myDiscriminator: 0xdeadbeef, yourDiscriminator: 7, desiredMinTxUs: 100_000, requiredMinRxUs: 200_000, requiredMinEchoRxUs: 0,
  }
  t.equal(hex(encodeControl(p)), hex(mk({ diag: 3, sta: 2, flags: F, mult: 5, my: 0xdeadbeef, your: 7, tx: 100_000, rx: 200_000 })))
})

const refusals = [
  { desc: 'under 24 bytes', in: mk({}).subarray(0, 23), want: 'Truncated' },
  { desc: 'version 0', in: mk({ vers: 0 }), want: 'BadVersion' },
  { desc: 'version 2', in: mk({ vers: 2 }), want: 'BadVersion' },
  { desc: 'Length below 24', in: mk({ len: 23 }), want: 'BadLength' },
  { desc: 'Length beyond the datagram', in: mk({ len: 25 }), want: 'BadLength' },
  { desc: 'A set and Length below 26', in: mk({ flags: A, len: 24 }), want: 'BadLength' },
  { desc: 'Detect Mult 0', in: mk({ mult: 0 }), want: 'ZeroDetectMult' },
  { desc: 'M set', in: mk({ flags: M }), want: 'Multipoint' },
  { desc: 'My Discriminator 0', in: mk({ my: 0 }), want: 'ZeroMyDiscriminator' },
  { desc: 'Your Discriminator 0 in Up', in: mk({ sta: 3, your: 0 }), want: 'ZeroYourDiscriminator' },
  { desc: 'Your Discriminator 0 in Init', in: mk({ sta: 2, your: 0 }), want: 'ZeroYourDiscriminator' },
  { desc: 'simple password auth section (we use none)', in: mk({ flags: A, len: 29, tail: [1, 5, 1, 0x61, 0x62] }), want: 'AuthenticationNotConfigured' },
  { desc: 'auth section longer than the packet', in: mk({ flags: A, len: 28, tail: [1, 9, 1, 0x61] }), want: 'BadAuthenticationSection' },
  { desc: 'auth length under 3', in: mk({ flags: A, len: 26, tail: [1, 2] }), want: 'BadAuthenticationSection' },
]

t.test('§6.8.6: every packet-level check discards with its reason', async (t) => {
  for (const r of refusals) {
    const got = decodeControl(r.in)
    const tag = E.isLeft(got) ? (got.left._tag === 'Truncated' ? 'Truncated' : got.left.reason) : 'accepted'
    t.equal(tag, r.want, r.desc)
    if (E.isLeft(got)) t.ok(formatDiscard(got.left).length > 0, `${r.desc}: says why`)
  }
})

t.test('accepted: Down and AdminDown with Your Discriminator 0; trailing bytes past Length ignored', async (t) => {
  t.ok(E.isRight(decodeControl(mk({ sta: 1, your: 0 }))), 'Down')
  t.ok(E.isRight(decodeControl(mk({ sta: 0, your: 0 }))), 'AdminDown')
  t.ok(E.isRight(decodeControl(mk({ tail: [9, 9, 9] }))), 'padding after the packet')
})

const states = ['AdminDown', 'Down', 'Init', 'Up'] as const
const packetArb: fc.Arbitrary<ControlPacket> = fc
  .record({
    diag: fc.integer({ min: 0, max: 31 }),
    state: fc.constantFrom(...states),
    poll: fc.boolean(),
    final: fc.boolean(),
    controlPlaneIndependent: fc.boolean(),
    demand: fc.boolean(),
    detectMult: fc.integer({ min: 1, max: 255 }),
    myDiscriminator: fc.integer({ min: 1, max: 0xffffffff }),
    yourDiscriminator: fc.integer({ min: 0, max: 0xffffffff }),
    desiredMinTxUs: fc.integer({ min: 0, max: 0xffffffff }),
    requiredMinRxUs: fc.integer({ min: 0, max: 0xffffffff }),
    requiredMinEchoRxUs: fc.integer({ min: 0, max: 0xffffffff }),
  })
  .map((p) => (p.yourDiscriminator === 0 && (p.state === 'Up' || p.state === 'Init') ? { ...p, yourDiscriminator: 1 } : p))

t.test('property: decode(encode(p)) = p for every packet the checks accept', async (t) => {
  fc.assert(fc.property(packetArb, (p) => {
    const got = decodeControl(encodeControl(p))
    return E.isRight(got) && JSON.stringify(got.right) === JSON.stringify(p)
  }), { numRuns: 2000 })
  t.pass('round trip holds')
})

t.test('property: decode never throws, on random bytes and on mutated good packets', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
    decodeControl(b)
  }), { numRuns: 3000 })
  fc.assert(fc.property(packetArb, fc.array(fc.tuple(fc.nat(40), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.integer({ min: 0, max: 40 }), (p, edits, cut) => {
    const b = Uint8Array.from([...encodeControl(p), 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    for (const [at, v] of edits) if (at < b.length) b[at] = v
    decodeControl(b.subarray(0, cut))
    decodeControl(b)
  }), { numRuns: 3000 })
  t.pass('no throw')
})

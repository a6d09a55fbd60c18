import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { decode, encode, encodeSigned, encodingLength } from '../../../core/membership/codec.js'
import type { Message } from '../../../core/membership/message.js'
import type { Incarnation, ProbeId } from '../../../core/membership/member.js'
import type { NodeName } from '../../../core/model/names.js'
import { messageArb } from './support/arbitraries.js'

// A tiny separate builder for expected bytes, so the vectors do not come from the encoder itself.
const be32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]
const str = (s: string): number[] => [s.length, ...[...s].map((c) => c.charCodeAt(0))]
const bytes = (...parts: Array<number | number[]>): Uint8Array => Uint8Array.from(parts.flat())

const N = (s: string): NodeName => s as NodeName

t.test('round trip, length and signed part, for any message and tag', async () => {
  fc.assert(
    fc.property(messageArb, fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0, max: 5 }), (message, tag, pad) => {
      const wire = encode({ message, tag })
      if (wire.length !== encodingLength({ message, tag })) return false
      const framed = new Uint8Array(pad + wire.length)
      framed.set(wire, pad)
      const d = decode(framed, pad)
      if (E.isLeft(d)) return false
      const signed = encodeSigned(message)
      return (
        d.right.next === framed.length &&
        d.right.value.signedEnd === pad + signed.length &&
        Buffer.from(framed.subarray(pad, d.right.value.signedEnd)).equals(Buffer.from(signed)) &&
        JSON.stringify(d.right.value.packet.message) === JSON.stringify(message) &&
        Buffer.from(d.right.value.packet.tag).equals(Buffer.from(tag))
      )
    }),
    { numRuns: 500 },
  )
})

t.test('decode is total: never throws on arbitrary bytes or offsets', async () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: -3, max: 310 }), (buf, off) => {
      const d = decode(buf, off)
      return E.isLeft(d) || (d.right.next <= buf.length && d.right.next > off)
    }),
    { numRuns: 2000 },
  )
  // Mutations of valid datagrams reach far deeper into the decoder than random bytes.
  fc.assert(
    fc.property(messageArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), (m, flips, cut) => {
      const wire = encode({ message: m, tag: new Uint8Array(32) })
      for (const [at, v] of flips) wire[at % wire.length] = v
      const d1 = decode(wire, 0)
      const d2 = decode(wire.subarray(0, cut % (wire.length + 1)), 0)
      return (E.isLeft(d1) || d1.right.next <= wire.length) && (E.isLeft(d2) || d2.right.next <= wire.length)
    }),
    { numRuns: 2000 },
  )
})

t.test('byte vectors from the layout comment', async (t) => {
  const header = [0x49, 0x4d, 1]
  const rows: ReadonlyArray<{ desc: string; wire: Uint8Array; want: Message; tag: number[] }> = [
    {
      desc: 'Ping from a to b, probe 7, one Suspect update with a suspector, 2-byte tag',
      wire: bytes(header, 1, str('a'), be32(3), [0x01, 0x02], be32(0x03040506), be32(9), be32(7), str('b'), 1, 2, str('c'), be32(4), str('a'), 2, [0xaa, 0xbb]),
      want: {
        header: { sender: N('a'), incarnation: 3 as Incarnation, epoch: 0x0102 * 2 ** 32 + 0x03040506, seq: 9 },
        body: { _tag: 'Ping', probeId: 7 as ProbeId, target: N('b'), updates: [{ status: 'Suspect', name: N('c'), incarnation: 4 as Incarnation, by: N('a') }] },
      },
      tag: [0xaa, 0xbb],
    },
    {
      desc: 'Leave, no tag',
      wire: bytes(header, 7, str('node-1'), be32(0xffffffff), [0, 0], be32(0), be32(0xfffffffe), 0),
      want: { header: { sender: N('node-1'), incarnation: 0xffffffff as Incarnation, epoch: 0, seq: 0xfffffffe }, body: { _tag: 'Leave' } },
      tag: [],
    },
    {
      desc: 'Sync asking for a reply, Dead update without suspector',
      wire: bytes(header, 6, str('x'), be32(1), [0, 0], be32(5), be32(1), 1, 1, 3, str('y.z'), be32(2), 0, 0),
      want: {
        header: { sender: N('x'), incarnation: 1 as Incarnation, epoch: 5, seq: 1 },
        body: { _tag: 'Sync', replyWanted: true, updates: [{ status: 'Dead', name: N('y.z'), incarnation: 2 as Incarnation }] },
      },
      tag: [],
    },
  ]
  for (const row of rows) {
    const d = decode(row.wire, 0)
    t.ok(E.isRight(d), `${row.desc}: decodes`)
    if (E.isRight(d)) t.same(d.right.value.packet.message, row.want, `${row.desc}: fields`)
    t.same([...encode({ message: row.want, tag: Uint8Array.from(row.tag) })], [...row.wire], `${row.desc}: encodes to the same bytes`)
  }
})

// Named rejections, kept forever (a fuzz failure becomes a row here).
t.test('rejections name the problem and the offset', async (t) => {
  const ok = [0x49, 0x4d, 1]
  const rows: ReadonlyArray<{ desc: string; wire: Uint8Array; want: string; at?: number }> = [
    { desc: 'empty', wire: bytes(), want: 'Truncated' },
    { desc: 'wrong magic', wire: bytes(0x49, 0x4e, 1, 7), want: 'BadMagic', at: 0 },
    { desc: 'version 2', wire: bytes(0x49, 0x4d, 2, 7), want: 'BadVersion', at: 2 },
    { desc: 'type 0', wire: bytes(ok, 0, str('a')), want: 'UnknownType', at: 3 },
    { desc: 'type 8', wire: bytes(ok, 8, str('a')), want: 'UnknownType', at: 3 },
    { desc: 'empty sender name', wire: bytes(ok, 7, 0), want: 'BadName', at: 4 },
    { desc: 'upper-case sender name', wire: bytes(ok, 7, str('A')), want: 'BadName', at: 4 },
    { desc: 'name ending in a dash', wire: bytes(ok, 7, str('a-')), want: 'BadName', at: 4 },
    { desc: 'name longer than the buffer', wire: bytes(ok, 7, 9, 0x61), want: 'Truncated' },
    { desc: 'header cut short', wire: bytes(ok, 7, str('a'), be32(1), [0, 0]), want: 'Truncated' },
    { desc: 'status 5', wire: bytes(ok, 5, str('a'), be32(0), [0, 0], be32(0), be32(0), 1, 5, str('b'), be32(0), 0, 0), want: 'BadStatus', at: 21 },
    { desc: 'Sync flag bit 1', wire: bytes(ok, 6, str('a'), be32(0), [0, 0], be32(0), be32(0), 2, 0, 0), want: 'BadFlags', at: 20 },
    { desc: 'tag of 65 bytes', wire: bytes(ok, 7, str('a'), be32(0), [0, 0], be32(0), be32(0), 65, new Array(65).fill(0)), want: 'TagTooLong', at: 20 },
    { desc: 'tag shorter than its length', wire: bytes(ok, 7, str('a'), be32(0), [0, 0], be32(0), be32(0), 4, 1, 2), want: 'Truncated' },
  ]
  for (const row of rows) {
    const d = decode(row.wire, 0)
    t.ok(E.isLeft(d), `${row.desc}: rejected`)
    if (E.isLeft(d)) {
      t.equal(d.left._tag, row.want, `${row.desc}: ${row.want}`)
      if (row.at !== undefined) t.equal(d.left.at, row.at, `${row.desc}: at ${row.at}`)
    }
  }
})

t.test('a cut datagram reports the shared Truncated shape: what, where, how many bytes were missing', async (t) => {
  const d = decode(Uint8Array.of(0x49, 0x4d, 1, 7, 3, 0x61), 0)
  t.match(d, { left: { _tag: 'Truncated', what: 'membership datagram', at: 5, need: 3, have: 1 } })
})

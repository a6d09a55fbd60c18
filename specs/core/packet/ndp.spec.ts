import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { formatIP } from '../../../core/net/address.js'
import * as ndp from '../../../core/packet/ndp.js'
import { anyMac, anyV6, mutated, v6Text } from './arbitraries.js'
import { bytes, hexOf, macHex, v6Hex } from './build.js'
import { captures } from './captures.js'

const anyOption: fc.Arbitrary<ndp.NdpOption> = fc.oneof(
  anyMac.map((mac) => ({ _tag: 'SourceLinkLayer' as const, mac })),
  anyMac.map((mac) => ({ _tag: 'TargetLinkLayer' as const, mac })),
  fc
    .tuple(fc.integer({ min: 3, max: 255 }), fc.integer({ min: 1, max: 4 }), fc.uint8Array({ maxLength: 30 }))
    .map(([type, units, data]) => {
      const b = new Uint8Array(units * 8)
      b[0] = type
      b[1] = units
      b.set(data.subarray(0, b.length - 2), 2)
      return { _tag: 'Unknown' as const, type, bytes: b }
    }),
)

const anyMessage: fc.Arbitrary<ndp.NdpMessage> = fc.oneof(
  fc.record({
    _tag: fc.constant('NeighborSolicitation' as const),
    code: fc.integer({ min: 0, max: 255 }),
    checksum: fc.integer({ min: 0, max: 0xffff }),
    target: anyV6,
    options: fc.array(anyOption, { maxLength: 4 }),
  }),
  fc.record({
    _tag: fc.constant('NeighborAdvertisement' as const),
    code: fc.integer({ min: 0, max: 255 }),
    checksum: fc.integer({ min: 0, max: 0xffff }),
    target: anyV6,
    options: fc.array(anyOption, { maxLength: 4 }),
    router: fc.boolean(),
    solicited: fc.boolean(),
    override: fc.boolean(),
  }),
)

/** The builder's view of a message: RFC 4861 §4.3/§4.4 byte by byte. */
const builderHex = (m: ndp.NdpMessage): string => {
  const word = m._tag === 'NeighborAdvertisement' ? (m.router ? 0x80000000 : 0) + (m.solicited ? 0x40000000 : 0) + (m.override ? 0x20000000 : 0) : 0
  const opts = m.options
    .map((o) => (o._tag === 'Unknown' ? hexOf(o.bytes) : (o._tag === 'SourceLinkLayer' ? '0101' : '0201') + macHex(o.mac)))
    .join('')
  return (
    (m._tag === 'NeighborSolicitation' ? '87' : '88') +
    m.code.toString(16).padStart(2, '0') +
    m.checksum.toString(16).padStart(4, '0') +
    word.toString(16).padStart(8, '0') +
    v6Hex(v6Text(m.target)) +
    opts
  )
}

const json = (x: unknown): string => JSON.stringify(x, (_, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? hexOf(v) : v))

t.test('encode matches the builder', async (t) => {
  fc.assert(fc.property(anyMessage, (m) => hexOf(ndp.encode(m)) === builderHex(m) && ndp.encodingLength(m) === builderHex(m).length / 2))
  t.pass('ok')
})

t.test('round trip', async (t) => {
  fc.assert(
    fc.property(anyMessage, (m) => {
      const enc = ndp.encode(m)
      const back = ndp.decode(enc, 0)
      return E.isRight(back) && back.right.next === enc.length && json(back.right.value) === json(m)
    }),
  )
  t.pass('ok')
})

t.test('decodes captured messages', async (t) => {
  const ns = ndp.decode(bytes(captures.nsFor20), 54)
  if (E.isLeft(ns)) return t.fail('ns')
  t.equal(ns.right.value._tag, 'NeighborSolicitation')
  t.equal(formatIP(ns.right.value.target), '2001:db8:100::20')
  t.equal(ndp.sourceLinkLayer(ns.right.value), '02:00:5e:10:00:0a')
  t.equal(ndp.targetLinkLayer(ns.right.value), undefined)

  const na = ndp.decode(bytes(captures.naFrom20), 54)
  if (E.isLeft(na) || na.right.value._tag !== 'NeighborAdvertisement') return t.fail('na')
  t.match(na.right.value, { router: false, solicited: true, override: true, code: 0, checksum: 0xfc3a })
  t.equal(ndp.targetLinkLayer(na.right.value), '02:00:5e:10:00:0b')

  const bare = ndp.decode(bytes(captures.naNoOptions), 54)
  t.match(bare, { right: { value: { _tag: 'NeighborAdvertisement', solicited: true, override: false, options: [] } } })

  const dad = ndp.decode(bytes(captures.dadProbe), 54)
  if (E.isLeft(dad)) return t.fail('dad')
  t.equal(dad.right.value.options.length, 1)
  t.match(dad.right.value.options[0], { _tag: 'Unknown', type: 14 }, 'RFC 7527 nonce kept as unknown')

  t.match(ndp.decode(bytes(captures.routerSolicitation), 54), { left: { _tag: 'Invalid', what: 'ndp message' } })
})

t.test('option rules (RFC 4861 §4.6, RFC 2464 §8)', async (t) => {
  const head = '8700000000000000' + v6Hex('2001:db8::1')
  t.match(ndp.decode(bytes(head, '0100'), 0), { left: { _tag: 'Invalid', at: 25, detail: 'option length zero' } })
  t.match(ndp.decode(bytes(head, '0102', '00'.repeat(14)), 0), { left: { _tag: 'Invalid', at: 25 } }, 'SLLA of 16 bytes')
  t.match(ndp.decode(bytes(head, '0101', '0200'), 0), { left: { _tag: 'Invalid', at: 24 } }, 'option runs past the end')
  t.match(ndp.decode(bytes(head, '01'), 0), { left: { _tag: 'Invalid' } }, 'lone trailing byte')
  t.match(ndp.decode(bytes(head.slice(0, 46)), 0), { left: { _tag: 'Truncated', need: 24, have: 23 } })
  // `end` bounds the message: padding after the IPv6 payload is not read as options.
  t.match(ndp.decode(bytes(head, '0000000000000000'), 0, 24), { right: { value: { options: [] }, next: 24 } })
})

t.test('never throws', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), fc.integer({ min: -1, max: 80 }), fc.integer({ min: -1, max: 100 }), (b, at, end) => {
    ndp.decode(b, at, end)
    return true
  }))
  fc.assert(fc.property(mutated(fc.constantFrom(bytes(captures.nsFor10), bytes(captures.naFrom20))), (b) => {
    ndp.decode(b, 54)
    return true
  }))
  t.pass('ok')
})

// Inputs that once misbehaved (or nearly did) in development, replayed forever.
const kept: ReadonlyArray<{ desc: string; bytes: Uint8Array; offset: number; end: number; want: 'Invalid' | 'Truncated' }> = [
  // A negative end once reached Uint8Array#subarray, which counts it from the back of the buffer.
  { desc: 'negative end', bytes: bytes('8700000000000000', v6Hex('2001:db8::1'), '0101020000000001'), offset: 0, end: -1, want: 'Truncated' },
  { desc: 'end before offset', bytes: bytes('8700000000000000', v6Hex('2001:db8::1')), offset: 8, end: 4, want: 'Truncated' },
  { desc: 'fractional end', bytes: bytes('8700000000000000', v6Hex('2001:db8::1')), offset: 0, end: 23.5, want: 'Truncated' },
  // A Router Solicitation is shorter than 24 bytes: reported as the wrong type, not as truncated.
  { desc: 'short non-ND ICMPv6', bytes: bytes('8500bef700000000'), offset: 0, end: 8, want: 'Invalid' },
]

t.test('kept vectors', async (t) => {
  for (const k of kept) t.match(ndp.decode(k.bytes, k.offset, k.end), { left: { _tag: k.want } }, k.desc)
})

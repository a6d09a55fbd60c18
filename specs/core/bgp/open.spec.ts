import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { AS_TRANS, type Capability, type Open, decodeOpen, encodeOpen } from '../../../core/bgp/open.js'
import { u32 } from './arbitraries.js'

const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'))
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

// Built by hand from RFC 4271 §4.2 and RFC 5492: AS 64512, hold 90 s, id 192.0.2.1, capabilities
// IPv4 and IPv6 unicast, route refresh, four-octet AS 64512, in one optional parameter.
const VECTOR = bytes(`04 fc00 005a c0000201 16 02 14
  01 04 0001 00 01  01 04 0002 00 01  02 00  41 04 0000fc00`)
const VECTOR_OPEN: Open = {
  asn: 64512,
  holdTimeSeconds: 90,
  routerId: 0xc0000201,
  capabilities: [{ _tag: 'Multiprotocol', afi: 1, safi: 1 }, { _tag: 'Multiprotocol', afi: 2, safi: 1 }, { _tag: 'RouteRefresh' }, { _tag: 'FourOctetAs', asn: 64512 }],
}

t.test('the hand-built OPEN decodes, and encodes back byte for byte', async (t) => {
  t.same(decodeOpen(VECTOR), E.right(VECTOR_OPEN))
  t.equal(hex(encodeOpen(VECTOR_OPEN)), hex(VECTOR))
})

t.test('a four-octet AS travels as AS_TRANS in the two-octet field', async (t) => {
  const open: Open = { asn: 4200000000, holdTimeSeconds: 3, routerId: 1, capabilities: [{ _tag: 'FourOctetAs', asn: 4200000000 }] }
  const body = encodeOpen(open)
  t.equal((body[1] ?? 0) * 256 + (body[2] ?? 0), AS_TRANS)
  t.same(decodeOpen(body), E.right(open))
})

t.test('a bad OPEN gets the NOTIFICATION RFC 4271 §6.2 names', async (t) => {
  const withByte = (at: number, v: number): Uint8Array => {
    const b = Uint8Array.from(VECTOR)
    b[at] = v
    return b
  }
  t.same(decodeOpen(withByte(0, 3)), E.left({ code: 2, subcode: 1, data: Uint8Array.of(0, 4) }), 'version 3: Unsupported Version, with the version we speak')
  const hold1 = Uint8Array.from(VECTOR)
  hold1[3] = 0
  hold1[4] = 1
  t.same(decodeOpen(hold1), E.left({ code: 2, subcode: 6, data: new Uint8Array(0) }), 'hold time 1 s: Unacceptable Hold Time')
  const zeroId = Uint8Array.from(VECTOR)
  zeroId.fill(0, 5, 9)
  t.same(decodeOpen(zeroId), E.left({ code: 2, subcode: 3, data: new Uint8Array(0) }), 'identifier 0: Bad BGP Identifier')
  t.same(decodeOpen(withByte(10, 1)), E.left({ code: 2, subcode: 4, data: new Uint8Array(0) }), 'parameter type 1 (authentication): Unsupported Optional Parameter')
  t.same(decodeOpen(withByte(2, 0x01)), E.left({ code: 2, subcode: 2, data: Uint8Array.of(0xfc, 0x01) }), 'two-octet AS disagreeing with the capability: Bad Peer AS')
  t.same(decodeOpen(withByte(9, 0x17)), E.left({ code: 2, subcode: 0, data: new Uint8Array(0) }), 'parameter length past the end')
  t.same(decodeOpen(withByte(13, 0x05)), E.left({ code: 2, subcode: 0, data: new Uint8Array(0) }), 'a multiprotocol capability of 5 bytes')
})

const capabilityArb: fc.Arbitrary<Capability> = fc.oneof(
  fc.record({ _tag: fc.constant('Multiprotocol' as const), afi: fc.integer({ min: 0, max: 0xffff }), safi: fc.integer({ min: 0, max: 255 }) }),
  fc.constant<Capability>({ _tag: 'RouteRefresh' }),
  fc.record({
    _tag: fc.constant('ExtendedNextHop' as const),
    families: fc.array(fc.record({ afi: fc.integer({ min: 0, max: 0xffff }), safi: fc.integer({ min: 0, max: 0xffff }), nextHopAfi: fc.integer({ min: 0, max: 0xffff }) }), { minLength: 1, maxLength: 6 }),
  }),
  fc.record({ _tag: fc.constant('Unknown' as const), code: fc.constantFrom(66, 69, 70, 73, 128), value: fc.uint8Array({ maxLength: 8 }) }),
  fc.record({
    _tag: fc.constant('GracefulRestart' as const),
    restarted: fc.boolean(),
    restartSeconds: fc.integer({ min: 0, max: 0xfff }),
    families: fc.array(fc.record({ afi: fc.integer({ min: 0, max: 0xffff }), safi: fc.integer({ min: 0, max: 255 }), forwardingKept: fc.boolean() }), { maxLength: 4 }),
  }),
)

// Built by hand from RFC 4724 §3: code 64, length 10, R bit and 120 s (0x8078), then IPv4 unicast
// with F and IPv6 unicast without.
t.test('the graceful restart capability, byte for byte', async (t) => {
  const gr: Capability = { _tag: 'GracefulRestart', restarted: true, restartSeconds: 120, families: [{ afi: 1, safi: 1, forwardingKept: true }, { afi: 2, safi: 1, forwardingKept: false }] }
  const body = encodeOpen({ asn: 64512, holdTimeSeconds: 90, routerId: 0xc0000201, capabilities: [gr] })
  t.equal(hex(body.slice(10)), '020c' + '400a' + '8078' + '00010180' + '00020100')
  t.same(decodeOpen(body), E.right({ asn: 64512, holdTimeSeconds: 90, routerId: 0xc0000201, capabilities: [gr] }))
  t.same(decodeOpen(bytes('04 fc00 005a c0000201 05 02 03 40 01 80')), E.left({ code: 2, subcode: 0, data: new Uint8Array(0) }), 'a graceful restart capability of 1 byte')
})

// Built by hand from RFC 8950 §3: code 5, length 6, AFI 1, SAFI 1 (two bytes), next hop AFI 2.
t.test('the extended next hop capability, byte for byte', async (t) => {
  const enh: Capability = { _tag: 'ExtendedNextHop', families: [{ afi: 1, safi: 1, nextHopAfi: 2 }] }
  const body = encodeOpen({ asn: 64512, holdTimeSeconds: 90, routerId: 0xc0000201, capabilities: [enh] })
  t.equal(hex(body.slice(10)), '0208' + '0506' + '0001' + '0001' + '0002')
  t.same(decodeOpen(body), E.right({ asn: 64512, holdTimeSeconds: 90, routerId: 0xc0000201, capabilities: [enh] }))
  t.same(decodeOpen(bytes('04 fc00 005a c0000201 06 02 04 05 02 0001')), E.left({ code: 2, subcode: 0, data: new Uint8Array(0) }), 'an extended next hop capability of 2 bytes')
})

t.test('property: encode then decode is the identity', async (t) => {
  fc.assert(
    fc.property(u32.filter((a) => a > 0), fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 0xffff })), u32.filter((id) => id !== 0), fc.array(capabilityArb, { maxLength: 10 }), fc.boolean(), (asn, hold, id, caps, four) => {
      const capabilities: Capability[] = four ? [...caps, { _tag: 'FourOctetAs', asn }] : caps
      const open: Open = { asn: four ? asn : asn & 0xffff, holdTimeSeconds: hold, routerId: id, capabilities }
      const back = decodeOpen(encodeOpen(open))
      return E.isRight(back) && JSON.stringify(back.right, (_, v: unknown) => (v instanceof Uint8Array ? hex(v) : v)) === JSON.stringify(open, (_, v: unknown) => (v instanceof Uint8Array ? hex(v) : v))
    }),
    { numRuns: 500 },
  )
  t.pass('held')
})

t.test('property: decoding is total on random bytes', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (b) => E.isLeft(decodeOpen(b)) || E.isRight(decodeOpen(b))), { numRuns: 2000 })
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 60 }), (tail) => {
      const b = new Uint8Array([...VECTOR.slice(0, 9), tail.length, ...tail])
      const r = decodeOpen(b)
      return E.isLeft(r) ? r.left.code === 2 : r.right.routerId === 0xc0000201
    }),
    { numRuns: 2000 },
  )
  t.pass('held')
})

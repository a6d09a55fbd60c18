import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH } from '../../../core/bgp/header.js'
import { type Update, decodeUpdate, encodeUpdate } from '../../../core/bgp/update.js'
import { parseIP } from '../../../core/net/address.js'
import { parsePrefix } from '../../../core/net/prefix.js'
import { updateArb } from './arbitraries.js'

const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'))
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const right = <A>(e: E.Either<string, A>): A => {
  if (E.isLeft(e)) throw new Error(e.left)
  return e.right
}
const FOUR = { fourOctetAs: true }
const TWO = { fourOctetAs: false }

// Built by hand from RFC 4271 §4.3 and §5 and RFC 1997: 198.51.100.0/24 with ORIGIN IGP, AS_PATH
// (AS_SEQUENCE 64512, four-octet), NEXT_HOP 192.0.2.1, LOCAL_PREF 100, COMMUNITIES 65000:1.
const VECTOR = bytes(`0000 0022
  40 01 01 00
  40 02 06 02 01 0000fc00
  40 03 04 c0000201
  40 05 04 00000064
  c0 08 04 fde80001
  18 c63364`)
const VECTOR_UPDATE: Update = {
  withdrawn: [],
  attributes: { origin: 'igp', asPath: [64512], nextHop: right(parseIP('192.0.2.1')), localPref: 100, communities: [0xfde80001], largeCommunities: [] },
  nlri: [right(parsePrefix('198.51.100.0/24'))],
  mpUnreach: [],
}

t.test('the hand-built UPDATE encodes byte for byte and decodes back', async (t) => {
  t.equal(hex(encodeUpdate(VECTOR_UPDATE, FOUR)), hex(VECTOR))
  t.same(decodeUpdate(VECTOR, FOUR), E.right({ ...VECTOR_UPDATE, attributeErrors: [] }))
})

t.test('IPv6 routes go in MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760)', async (t) => {
  const u: Update = {
    withdrawn: [],
    attributes: { origin: 'igp', asPath: [], communities: [], largeCommunities: [] },
    nlri: [],
    mpReach: { nextHop: right(parseIP('2001:db8::1')), nlri: [right(parsePrefix('2001:db8:100::200/128'))] },
    mpUnreach: [right(parsePrefix('2001:db8:100::201/128'))],
  }
  const body = encodeUpdate(u, FOUR)
  // MP_REACH: optional (0x80), type 14, AFI 2, SAFI 1, next hop of 16 bytes, reserved 0, one /128.
  const mpReach = '800e26' + '0002' + '01' + '10' + '20010db8000000000000000000000001' + '00' + '80' + '20010db8010000000000000000000200'
  // MP_UNREACH: optional, type 15, AFI 2, SAFI 1, one /128.
  const mpUnreach = '800f14' + '0002' + '01' + '80' + '20010db8010000000000000000000201'
  t.ok(hex(body).includes(mpReach + mpUnreach), hex(body))
  t.same(decodeUpdate(body, FOUR), E.right({ ...u, attributeErrors: [] }))
})

t.test('a large AS without four-octet AS support is sent as AS_TRANS', async (t) => {
  const u: Update = { ...VECTOR_UPDATE, attributes: { origin: 'igp', asPath: [4200000000, 64512], nextHop: right(parseIP('192.0.2.1')), communities: [], largeCommunities: [] } }
  const back = decodeUpdate(encodeUpdate(u, TWO), TWO)
  t.same(E.isRight(back) ? back.right.attributes?.asPath : undefined, [23456, 64512])
})

t.test('RFC 7606: a bad attribute value is treat-as-withdraw; a broken structure resets the session', async (t) => {
  const withByte = (at: number, v: number): Uint8Array => {
    const b = Uint8Array.from(VECTOR)
    b[at] = v
    return b
  }
  const errorsOf = (b: Uint8Array): string[] => {
    const r = decodeUpdate(b, FOUR)
    return E.isLeft(r) ? [`reset ${r.left.code}/${r.left.subcode}`] : r.right.attributeErrors.map((n) => `${n.code}/${n.subcode}`)
  }
  t.same(errorsOf(withByte(7, 3)), ['3/6'], 'ORIGIN 3: Invalid ORIGIN, treat-as-withdraw')
  t.same(errorsOf(withByte(4, 0xc0)), ['3/4'], 'ORIGIN flagged optional: Attribute Flags Error')
  t.same(errorsOf(withByte(12, 0x03)), ['3/11'], 'AS_PATH segment count past its length: Malformed AS_PATH')
  const shortCommunity = bytes(`0000 0021 40010100 40020602010000fc00 400304c0000201 40050400000064 c00803fde800 18c63364`)
  t.same(errorsOf(shortCommunity), ['3/5'], 'COMMUNITIES of 3 bytes: Attribute Length Error')
  const noNextHop = bytes(`0000 001b 40010100 40020602010000fc00 40050400000064 c00804fde80001 18c63364`)
  t.same(errorsOf(noNextHop), ['3/3'], 'IPv4 routes without NEXT_HOP: Missing Well-known Attribute')
  const unknownWellKnown = bytes(`0000 0025 40010100 40020602010000fc00 400304c0000201 40050400000064 c00804fde80001 4063 00 18c63364`)
  t.same(errorsOf(unknownWellKnown), ['3/2'], 'an unknown well-known attribute')
  const unknownOptional = bytes(`0000 0025 40010100 40020602010000fc00 400304c0000201 40050400000064 c00804fde80001 c063 00 18c63364`)
  t.same(errorsOf(unknownOptional), [], 'an unknown optional attribute is passed over')
  t.same(errorsOf(withByte(3, 0x40)), ['reset 3/1'], 'attribute length past the end: Malformed Attribute List')
  t.same(errorsOf(withByte(38, 33)), ['reset 3/10'], 'a /33 IPv4 prefix: Invalid Network Field')
  t.same(errorsOf(bytes('0000 0004 800e 01 00')), ['reset 3/9'], 'a one-byte MP_REACH_NLRI')
})

t.test('property: encode then decode is the identity, in one message, for both AS sizes', async (t) => {
  for (const o of [FOUR, TWO])
    fc.assert(
      fc.property(updateArb(o.fourOctetAs), (u) => {
        const body = encodeUpdate(u, o)
        if (HEADER_LENGTH + body.length > MAX_MESSAGE_LENGTH) return true
        const back = decodeUpdate(body, o)
        if (E.isLeft(back) || back.right.attributeErrors.length > 0) return false
        const { attributeErrors: _, ...decoded } = back.right
        return canon(decoded) === canon(u)
      }),
      { numRuns: 400 },
    )
  t.pass('held')
})

/** Key order and bigints aside, the same value. */
const canon = (v: unknown): string =>
  JSON.stringify(v, (_, x: unknown) =>
    typeof x === 'bigint' ? x.toString() : x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x,
  )

t.test('property: decoding is total on random bytes and on mutated valid updates', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), fc.boolean(), (b, four) => ['Left', 'Right'].includes(decodeUpdate(b, { fourOctetAs: four })._tag)), { numRuns: 2000 })
  fc.assert(
    fc.property(updateArb(true), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (u, edits) => {
      const b = encodeUpdate(u, FOUR)
      for (const [at, v] of edits) if (b.length > 0) b[at % b.length] = v
      const r = decodeUpdate(b, FOUR)
      return E.isLeft(r) ? r.left.code === 3 : r.right.attributeErrors.every((n) => n.code === 3)
    }),
    { numRuns: 1000 },
  )
  t.pass('held')
})

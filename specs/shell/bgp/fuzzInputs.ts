// The inputs of the BGP fuzz (fuzz.spec.ts into a live session, fuzzDecoder.spec.ts into the pure
// reader and state machine): valid seed messages a peer may send, mutated in the header or in the
// body (then with the length kept right), pairs, random bytes, and OPENs built byte by byte.
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { encodeMessage } from '../../../core/bgp/message.js'
import { type IP, parseIP } from '../../../core/net/address.js'
import { type Prefix, parsePrefix } from '../../../core/net/prefix.js'
import { OUR_ASN, OUR_ROUTER_ID, PEER_ASN, peerOpen } from './loopbackPeer.js'

const must = <A>(e: E.Either<string, A>): A => {
  if (E.isLeft(e)) throw new Error(e.left)
  return e.right
}
export const prefix = (p: string): Prefix => must(parsePrefix(p))
const ip = (a: string): IP => must(parseIP(a))
const codec = { fourOctetAs: true }

export const frame = (type: number, body: readonly number[]): Uint8Array => Uint8Array.from([...new Array<number>(16).fill(0xff), (19 + body.length) >> 8, (19 + body.length) & 0xff, type, ...body])

/** Valid messages a peer may send once Established, the seeds of the mutations. */
export const SEEDS: readonly Uint8Array[] = [
  encodeMessage({ _tag: 'Keepalive' }, codec),
  encodeMessage(
    {
      _tag: 'Update',
      update: {
        withdrawn: [prefix('198.51.100.0/24')],
        attributes: { origin: 'igp', asPath: [PEER_ASN, 4_200_000_000], nextHop: ip('192.0.2.2'), med: 5, localPref: 100, communities: [0xfde8_0064], largeCommunities: [{ global: PEER_ASN, local1: 1, local2: 2 }] },
        nlri: [prefix('203.0.113.0/25'), prefix('203.0.113.128/32')],
        mpUnreach: [],
      },
    },
    codec,
  ),
  encodeMessage({ _tag: 'Update', update: { withdrawn: [], attributes: { origin: 'egp', asPath: [PEER_ASN], communities: [], largeCommunities: [] }, nlri: [], mpReach: { nextHop: ip('2001:db8::2'), nlri: [prefix('2001:db8:5::/48')] }, mpUnreach: [prefix('2001:db8:6::/64')] } }, codec),
  encodeMessage({ _tag: 'Update', update: { withdrawn: [prefix('203.0.113.7/32')], nlri: [], mpUnreach: [] } }, codec),
  encodeMessage({ _tag: 'RouteRefresh', afi: 1, safi: 1 }, codec),
  encodeMessage({ _tag: 'RouteRefresh', afi: 2, safi: 1 }, codec),
  encodeMessage({ _tag: 'Notification', notification: { code: 6, subcode: 2, data: new Uint8Array(0) } }, codec),
  peerOpen(),
]

type Mutation =
  | { readonly _tag: 'Set'; readonly at: number; readonly value: number; readonly fix: boolean }
  | { readonly _tag: 'Cut'; readonly keep: number; readonly fix: boolean }
  | { readonly _tag: 'Insert'; readonly at: number; readonly bytes: Uint8Array; readonly fix: boolean }
  | { readonly _tag: 'Length'; readonly value: number }

const withLength = (b: Uint8Array): Uint8Array => {
  const out = Uint8Array.from(b)
  if (out.length >= 19) {
    out[16] = out.length >> 8
    out[17] = out.length & 0xff
  }
  return out
}

/** `from`: the first byte a Set or Insert may touch (19 keeps the header, for OPEN bodies). */
const mutate = (b: Uint8Array, m: Mutation, from: number): Uint8Array => {
  const fix = (x: Uint8Array, f: boolean): Uint8Array => (f ? withLength(x) : x)
  switch (m._tag) {
    case 'Set': {
      const out = Uint8Array.from(b)
      if (out.length > from) out[from + (m.at % (out.length - from))] = m.value
      return fix(out, m.fix)
    }
    case 'Cut':
      return fix(b.slice(0, Math.max(from, m.keep % (b.length + 1))), m.fix)
    case 'Insert': {
      const at = from + (m.at % (b.length - from + 1))
      return fix(Uint8Array.from([...b.slice(0, at), ...m.bytes, ...b.slice(at)]), m.fix)
    }
    case 'Length': {
      const out = Uint8Array.from(b)
      out[16] = m.value >> 8
      out[17] = m.value & 0xff
      return out
    }
  }
}

const mutationArb = (fixWeight: number): fc.Arbitrary<Mutation> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ _tag: fc.constant('Set' as const), at: fc.nat(), value: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 0x0e, 0x0f, 0x10, 0x40, 0x80, 0xc0, 0xff)), fix: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ _tag: fc.constant('Cut' as const), keep: fc.nat(), fix: fc.nat(fixWeight).map((n) => n > 0) }) },
    { weight: 2, arbitrary: fc.record({ _tag: fc.constant('Insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }), fix: fc.nat(fixWeight).map((n) => n > 0) }) },
    { weight: 1, arbitrary: fc.record({ _tag: fc.constant('Length' as const), value: fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 15, max: 64 })) }) },
  )

/** Anywhere, the header included (mostly header errors), or in the body with the length kept right. */
const mutatedArb = fc.oneof(
  fc.tuple(fc.constantFrom(...SEEDS), fc.array(mutationArb(3), { minLength: 1, maxLength: 3 })).map(([seed, ms]) => ms.reduce((b, m) => mutate(b, m, 0), seed)),
  fc
    .tuple(fc.constantFrom(...SEEDS.slice(1, 4)), fc.array(mutationArb(1), { minLength: 1, maxLength: 3 }))
    .map(([seed, ms]) => ms.filter((m) => m._tag !== 'Length').reduce((b, m) => withLength(mutate(b, m, 19)), seed)),
)

const MARKER = new Array<number>(16).fill(0xff)
const randomArb = fc.oneof(
  fc.uint8Array({ maxLength: 48 }).map((b) => Uint8Array.from([...MARKER, ...b])),
  fc.tuple(fc.integer({ min: 19, max: 60 }), fc.integer({ min: 0, max: 9 }), fc.uint8Array({ maxLength: 41 })).map(([len, type, body]) => Uint8Array.from([...MARKER, len >> 8, len & 0xff, type, ...body])),
  fc.uint8Array({ minLength: 1, maxLength: 40 }),
)

export const establishedInput = fc.oneof(
  { weight: 8, arbitrary: mutatedArb },
  { weight: 1, arbitrary: randomArb },
  { weight: 1, arbitrary: fc.constantFrom(...SEEDS) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...SEEDS.slice(0, 6)), mutatedArb).map(([a, b]) => Uint8Array.from([...a, ...b])) },
)

/** OPEN bodies built byte by byte: AS, hold time, identifier and capabilities the oracle judges. */
const CAPS: readonly (readonly number[])[] = [
  [1, 4, 0, 1, 0, 1],
  [1, 4, 0, 2, 0, 1],
  [2, 0],
  [65, 4, 0, 0, PEER_ASN >> 8, PEER_ASN & 0xff],
  [65, 4, 0xfa, 0x56, 0xea, 0x00],
  [64, 6, 0x80, 120, 0, 1, 1, 0x80],
  [5, 6, 0, 1, 0, 1, 0, 2],
  [70, 3, 1, 2, 3],
]
const openBodyArb = fc
  .record({
    asn: fc.constantFrom(PEER_ASN, 23456, OUR_ASN, 65000),
    hold: fc.constantFrom(0, 1, 2, 3, 90, 0xffff),
    id: fc.constantFrom(0, 0xc0000202, OUR_ROUTER_ID),
    caps: fc.subarray([...CAPS]),
    split: fc.boolean(),
  })
  .map(({ asn, hold, id, caps, split }) => {
    const params = split ? caps.flatMap((c) => [2, c.length, ...c]) : caps.length === 0 ? [] : [2, caps.flat().length, ...caps.flat()]
    return [4, asn >> 8, asn & 0xff, hold >> 8, hold & 0xff, id >>> 24, (id >> 16) & 0xff, (id >> 8) & 0xff, id & 0xff, params.length, ...params]
  })
export const openInput = fc.tuple(openBodyArb, fc.array(mutationArb(9), { maxLength: 2 })).map(([body, ms]) => ms.filter((m) => m._tag !== 'Length').reduce((b, m) => mutate(b, m, 19), frame(1, body)))

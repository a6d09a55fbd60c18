import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { type AdjRibOut, type OutFacts, attributesOf, emptyRibOut, endOfRib, updatesFor } from '../../../core/bgp/adjRibOut.js'
import { MAX_MESSAGE_LENGTH, splitMessages } from '../../../core/bgp/header.js'
import { decodeMessage, encodeMessage } from '../../../core/bgp/message.js'
import { type Route, mkRoute } from '../../../core/bgp/route.js'
import type { Asn } from '../../../core/model/bgpPeer.js'
import type { BGPCommunity } from '../../../core/model/community.js'
import { type Family, type IP, unsafeIp } from '../../../core/net/address.js'
import { type Prefix, formatPrefix, mkPrefix } from '../../../core/net/prefix.js'

const V4_NH = unsafeIp(4, 0xc0000201n) // 192.0.2.1
const V6_NH = unsafeIp(6, 0x20010db8000000000000000000000001n) // 2001:db8::1
const facts = (over: Partial<OutFacts> = {}): OutFacts => ({ localAsn: 64512, ibgp: false, fourOctetAs: true, families: [4, 6], extendedNextHop: false, nextHopV4: V4_NH, nextHopV6: V6_NH, ...over })

/** Prefixes inside the documentation ranges, few enough that wants overlap across steps. */
const prefixArb: fc.Arbitrary<Prefix> = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 24, max: 32 })).map(([i, len]) => mkPrefix(unsafeIp(4, 0xcb007100n + BigInt(i)), len)),
  fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 48, max: 128 })).map(([i, len]) => mkPrefix(unsafeIp(6, 0x20010db8000000000000000000000000n + (BigInt(i) << 64n)), len)),
).map((e) => {
  if (E.isLeft(e)) throw new Error(e.left)
  return e.right
})
const communityArb: fc.Arbitrary<BGPCommunity> = fc.oneof(
  fc.integer({ min: 0, max: 2 }).map((low): BGPCommunity => ({ _tag: 'Standard', high: 65000, low })),
  fc.integer({ min: 0, max: 1 }).map((l): BGPCommunity => ({ _tag: 'Large', global: 64512, local1: l, local2: 7 })),
)
const routeArb: fc.Arbitrary<Route> = fc
  .record({ prefix: prefixArb, communities: fc.array(communityArb, { maxLength: 3 }), localPref: fc.option(fc.constantFrom(100, 200), { nil: undefined }), count: fc.integer({ min: 0, max: 2 }) })
  .map((r) => mkRoute({ prefix: r.prefix, communities: r.communities, ...(r.localPref === undefined ? {} : { localPref: r.localPref }), prepend: { count: r.count, asn: 64999 as Asn } }))
const factsArb: fc.Arbitrary<OutFacts> = fc
  .record({ ibgp: fc.boolean(), fourOctetAs: fc.boolean(), families: fc.constantFrom<Family[]>([4], [6], [4, 6]), extendedNextHop: fc.boolean() })
  .map((r) => facts(r))

/** The peer's Adj-RIB-In as it reads our bytes: prefix -> what it would store. */
type PeerView = Map<string, string>
const describe = (nextHop: IP, a: { asPath: readonly number[]; localPref?: number; communities: readonly number[]; largeCommunities: readonly { global: number; local1: number; local2: number }[] }): string =>
  JSON.stringify({ nh: nextHop.value.toString(), path: a.asPath, lp: a.localPref ?? null, c: a.communities, l: a.largeCommunities })

/** Applies the messages on the wire: encoded, framed and decoded as a router would. */
const apply = (view: PeerView, bytes: Uint8Array, o: { fourOctetAs: boolean }): void => {
  const framed = splitMessages(bytes)
  if (framed.error !== undefined || framed.rest.length > 0) throw new Error('framing failed')
  for (const raw of framed.messages) {
    const m = decodeMessage(raw, o)
    if (E.isLeft(m) || m.right._tag !== 'Update') throw new Error('not an UPDATE')
    const u = m.right.update
    if (u.attributeErrors.length > 0) throw new Error('attribute errors')
    for (const p of [...u.withdrawn, ...u.mpUnreach]) view.delete(formatPrefix(p))
    const a = u.attributes
    if (a !== undefined && a.nextHop !== undefined) for (const p of u.nlri) view.set(formatPrefix(p), describe(a.nextHop, a))
    if (a !== undefined && u.mpReach !== undefined) for (const p of u.mpReach.nlri) view.set(formatPrefix(p), describe(u.mpReach.nextHop, a))
  }
}

const expected = (wanted: readonly Route[], f: OutFacts): PeerView => {
  const view: PeerView = new Map()
  for (const r of wanted) {
    const family = r.prefix.network.family
    const nh = family === 4 && !f.extendedNextHop ? f.nextHopV4 : f.nextHopV6
    const key = formatPrefix(r.prefix)
    if (f.families.includes(family) && nh !== undefined && !view.has(key)) view.set(key, describe(nh, attributesOf(r, f)))
  }
  return view
}

const wire = (updates: readonly { withdrawn: readonly Prefix[] }[], f: OutFacts): Uint8Array[] =>
  updates.map((u) => encodeMessage({ _tag: 'Update', update: u as never }, { fourOctetAs: f.fourOctetAs }))

t.test('any sequence of wants: the peer ends with exactly the wanted set, every message <= 4096 bytes, nothing sent when nothing changed', async (t) => {
  fc.assert(
    fc.property(factsArb, fc.array(fc.array(routeArb, { maxLength: 40 }), { minLength: 1, maxLength: 6 }), (f, wants) => {
      const view: PeerView = new Map()
      let sent: AdjRibOut = emptyRibOut
      for (const wanted of wants) {
        const d = updatesFor(sent, wanted, f)
        for (const bytes of wire(d.updates, f)) {
          if (bytes.length > MAX_MESSAGE_LENGTH) return false
          apply(view, bytes, f)
        }
        sent = d.sent
        if ([...view].sort().join('\n') !== [...expected(wanted, f)].sort().join('\n')) return false
        if (updatesFor(sent, wanted, f).updates.length !== 0) return false
      }
      return true
    }),
    { numRuns: 300 },
  )
  t.pass('held over 300 runs')
})

const bigTable = (n: number, family: Family): Route[] =>
  Array.from({ length: n }, (_, i) => {
    const p = family === 4 ? mkPrefix(unsafeIp(4, 0xc6120000n + BigInt(i)), 32) : mkPrefix(unsafeIp(6, 0x20010db8000000000000000000000000n + BigInt(i)), 128)
    if (E.isLeft(p)) throw new Error(p.left)
    return mkRoute({ prefix: p.right, communities: [{ _tag: 'Standard', high: 65000, low: 1 }] })
  })

t.test('RFC 8950: with extended next hop, IPv4 routes go in MP_REACH_NLRI (AFI 1) with the IPv6 next hop, and leave in MP_UNREACH_NLRI', async (t) => {
  const f = facts({ extendedNextHop: true, nextHopV6: unsafeIp(6, 0xfe800000000000000000000000000001n) })
  const { nextHopV4: _, ...noV4 } = f
  for (const [desc, facts] of [['with an IPv4 address too', f], ['unnumbered: no IPv4 address', noV4]] as const) {
    const up = updatesFor(emptyRibOut, bigTable(2, 4), facts)
    t.same(
      up.updates.map((u) => [u.nlri.length, u.mpReach?.nlri.map(formatPrefix), u.mpReach?.nextHop.value.toString(16), u.attributes?.nextHop]),
      [[0, ['198.18.0.0/32', '198.18.0.1/32'], 'fe800000000000000000000000000001', undefined]],
      `${desc}: announced`,
    )
    const bytes = wire(up.updates, facts)[0] ?? new Uint8Array(0)
    // MP_REACH_NLRI: flags 0x80, type 14, length, AFI 0001, SAFI 01, next hop length 16.
    t.ok(Buffer.from(bytes).toString('hex').includes('800e' + '1f' + '0001' + '01' + '10' + 'fe80'), `${desc}: AFI 1 with a 16-byte next hop on the wire`)
    const down = updatesFor(up.sent, [], facts)
    t.same(down.updates.map((u) => [u.withdrawn.length, u.mpUnreach.map(formatPrefix)]), [[0, ['198.18.0.0/32', '198.18.0.1/32']]], `${desc}: withdrawn`)
    t.ok(Buffer.from(wire(down.updates, facts)[0] ?? []).toString('hex').includes('800f' + '0d' + '0001' + '01'), `${desc}: MP_UNREACH_NLRI with AFI 1`)
  }
  const { nextHopV4: _v4, ...plain } = facts()
  t.same(updatesFor(emptyRibOut, bigTable(2, 4), plain).updates, [], 'without it, an IPv4 route with no IPv4 next hop is not sent')
})

t.test('a table too big for one message is split, each message as full as it can be', async (t) => {
  const rows = [
    { desc: '2,000 IPv4 /32s (5 bytes each)', in: bigTable(2000, 4), want: { messages: 3 } },
    { desc: '2,000 IPv6 /128s (17 bytes each)', in: bigTable(2000, 6), want: { messages: 9 } },
  ]
  for (const r of rows) {
    const f = facts()
    const d = updatesFor(emptyRibOut, r.in, f)
    const sizes = wire(d.updates, f).map((b) => b.length)
    t.equal(sizes.length, r.want.messages, `${r.desc}: ${sizes.join(', ')} bytes`)
    t.ok(sizes.every((s) => s <= MAX_MESSAGE_LENGTH), `${r.desc}: none over 4096`)
    const all = updatesFor(d.sent, [], f)
    t.ok(wire(all.updates, f).every((b) => b.length <= MAX_MESSAGE_LENGTH), `${r.desc}: its withdrawal none over 4096 either`)
  }
})

t.test('one changed attribute re-announces that route alone; equal routes share one UPDATE', async (t) => {
  const f = facts({ ibgp: true })
  const table = bigTable(10, 4)
  const first = updatesFor(emptyRibOut, table, f)
  t.equal(first.updates.length, 1, 'ten routes, equal attributes: one UPDATE')
  const changed = table.map((r, i) => (i === 3 ? mkRoute({ prefix: r.prefix, communities: [], localPref: 300 }) : r))
  const second = updatesFor(first.sent, changed, f)
  t.equal(second.updates.length, 1)
  t.same(second.updates[0]?.nlri.map(formatPrefix), [formatPrefix(table[3]?.prefix as Prefix)])
  t.equal(second.updates[0]?.attributes?.localPref, 300)
})

t.test('eBGP: own AS first, then the prepends, and no LOCAL_PREF; iBGP: prepends only, LOCAL_PREF kept', async (t) => {
  const [r] = bigTable(1, 4)
  const route = mkRoute({ prefix: (r as Route).prefix, communities: [], localPref: 150, prepend: { count: 2, asn: 64999 as Asn } })
  const rows = [
    { desc: 'eBGP', in: facts(), want: { asPath: [64512, 64999, 64999], localPref: undefined } },
    { desc: 'iBGP', in: facts({ ibgp: true }), want: { asPath: [64999, 64999], localPref: 150 } },
  ]
  for (const row of rows) {
    const a = attributesOf(route, row.in)
    t.same({ asPath: a.asPath, localPref: a.localPref }, row.want, row.desc)
  }
})

t.test('End-of-RIB: an empty UPDATE for IPv4, an empty MP_UNREACH_NLRI for IPv6 (RFC 4724 §2)', async (t) => {
  const hex = (f: Family): string => Buffer.from(encodeMessage({ _tag: 'Update', update: endOfRib(f) }, { fourOctetAs: true })).toString('hex').slice(32)
  t.equal(hex(4), '0017' + '02' + '0000' + '0000')
  // Length 29: header, withdrawn 0, attributes 6: flags 0x80, type 15, length 3, AFI 2, SAFI 1.
  t.equal(hex(6), '001d' + '02' + '0000' + '0006' + '800f03' + '000201')
})

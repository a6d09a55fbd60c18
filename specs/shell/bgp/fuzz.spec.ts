// Fuzz into a live session (issue 10): a real startPeerSession dials the test over loopback TCP and
// the test, as its peer, sends random and mutated messages, seeded and bounded. For every input the
// answer must be what fuzzOracle.ts computes from the RFCs without core/bgp: exactly the
// NOTIFICATION (code/subcode) due, then the close; or, for input that is fine (or an UPDATE error
// RFC 7606 treats as withdraw), the session still up and answering a ROUTE-REFRESH probe; and after
// each close the next dial comes back to Established. A crash fails the file.
//   Established: mutated KEEPALIVE, UPDATE (IPv4 and multiprotocol IPv6), ROUTE-REFRESH, NOTIFICATION
//   and OPEN messages, two back to back, and random bytes behind a marker or none.
//   OpenSent: mutated OPENs (version, AS, hold time, identifier, parameters, capabilities) as the
//   first message, answered by a KEEPALIVE or the OPEN error.
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import t from 'tap'
import { splitMessages } from '../../../core/bgp/header.js'
import { decodeMessage, encodeMessage } from '../../../core/bgp/message.js'
import { mkRoute } from '../../../core/bgp/route.js'
import type { Asn } from '../../../core/model/bgpPeer.js'
import { type IP, parseIP } from '../../../core/net/address.js'
import { type Prefix, parsePrefix } from '../../../core/net/prefix.js'
import { startPeerSession } from '../../../shell/bgp/peerSession.js'
import { silentLogger } from '../../../shell/obs/log.js'
import { type Expected, expectedAnswer } from './fuzzOracle.js'
import { OUR_ASN, OUR_ROUTER_ID, PEER_ASN, type LoopbackPeer, type PeerConn, establish, loopbackPeer, peerOpen } from './loopbackPeer.js'

const must = <A>(e: E.Either<string, A>): A => {
  if (E.isLeft(e)) throw new Error(e.left)
  return e.right
}
const prefix = (p: string): Prefix => must(parsePrefix(p))
const ip = (a: string): IP => must(parseIP(a))
const codec = { fourOctetAs: true }

// ---- inputs ------------------------------------------------------------------------------------------

const frame = (type: number, body: readonly number[]): Uint8Array => Uint8Array.from([...new Array<number>(16).fill(0xff), (19 + body.length) >> 8, (19 + body.length) & 0xff, type, ...body])

/** Valid messages a peer may send once Established, the seeds of the mutations. */
const SEEDS: readonly Uint8Array[] = [
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

const establishedInput = fc.oneof(
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
const openInput = fc.tuple(openBodyArb, fc.array(mutationArb(9), { maxLength: 2 })).map(([body, ms]) => ms.filter((m) => m._tag !== 'Length').reduce((b, m) => mutate(b, m, 19), frame(1, body)))

// ---- the live session ----------------------------------------------------------------------------------

const PROBE = frame(5, [0, 1, 0, 1]) // ROUTE-REFRESH IPv4 unicast: answered with our one route

interface Answer {
  readonly replies: readonly string[]
  readonly updates: number
}

/** Reads the session's answer: NOTIFICATIONs and KEEPALIVEs by name, UPDATEs counted, until `done` or the close. */
const readAnswer = async (conn: PeerConn, done: (a: Answer) => boolean, quietMs: number): Promise<Answer> => {
  const replies: string[] = []
  let updates = 0
  const deadline = Date.now() + 3_000
  while (Date.now() < deadline && !done({ replies, updates })) {
    const m = await conn.next(Math.min(quietMs, deadline - Date.now()))
    if (m === 'timeout') break
    if (m === 'closed') {
      replies.push('closed')
      break
    }
    if (m.type === 'UPDATE') updates += 1
    else replies.push(m.type === 'NOTIFICATION' ? `${m.body[0] ?? -1}/${m.body[1] ?? -1}` : m.type.toLowerCase())
  }
  return { replies, updates }
}

const describe = (bytes: Uint8Array, exp: Expected, got: Answer): string =>
  `input ${Buffer.from(bytes).toString('hex')}: expected ${JSON.stringify(exp)}, got ${JSON.stringify(got)}`

interface Harness {
  readonly peer: LoopbackPeer
  conn: PeerConn | undefined
  dials: number
}

const upAgain = async (h: Harness): Promise<PeerConn> => {
  if (h.conn !== undefined && !h.conn.isClosed()) return h.conn
  h.conn?.socket.destroy()
  // Our one route, then End-of-RIB. A dial slower than ConnectRetry is dropped by the session for
  // the next one (RFC 4271 §8, Connect state), so a few may close before their OPEN.
  let why = ''
  for (let i = 0; i < 5; i++) {
    const c = await establish(h.peer, 3_000, 2)
    h.dials += 1
    if (typeof c !== 'string') return (h.conn = c)
    why = c
    if (why !== 'expected OPEN, got closed') break
  }
  throw new Error(`the session did not come back: ${why}`)
}

/** One input into an Established session; undefined when the answer is the oracle's. */
const established = async (h: Harness, bytes: Uint8Array): Promise<string | undefined> => {
  const conn = await upAgain(h)
  const exp = expectedAnswer(bytes, 'Established', PEER_ASN)
  conn.send(bytes)
  if (exp.end === 'open') conn.send(PROBE)
  const want = [...exp.replies, ...(exp.end === 'closed' ? ['closed'] : [])]
  const updates = exp.refreshes + (exp.end === 'open' ? 1 : 0)
  const got = await readAnswer(conn, (a) => (exp.end === 'open' ? a.updates >= updates : a.replies.length > want.length), exp.end === 'partial' ? 60 : 2_000)
  if (exp.end !== 'open') {
    conn.socket.destroy()
    h.conn = undefined
  }
  const same = JSON.stringify(got.replies) === JSON.stringify(want) && (exp.end !== 'open' || got.updates === updates)
  return same ? undefined : describe(bytes, exp, got)
}

/** One OPEN as the first message of a connection (OpenSent); the connection is dropped after. */
const openSent = async (h: Harness, bytes: Uint8Array): Promise<string | undefined> => {
  h.conn?.socket.destroy()
  h.conn = undefined
  let conn: PeerConn | undefined
  for (let i = 0; i < 5 && conn === undefined; i++) {
    const c = await h.peer.accept(3_000)
    if (c === undefined) return 'no dial'
    h.dials += 1
    const theirs = await c.next(3_000)
    if (theirs !== 'closed' && (typeof theirs === 'string' || theirs.type !== 'OPEN')) return `expected the session's OPEN, got ${typeof theirs === 'string' ? theirs : theirs.type}`
    if (theirs !== 'closed') conn = c
  }
  if (conn === undefined) return 'five dials closed before their OPEN'
  const exp = expectedAnswer(bytes, 'OpenSent', PEER_ASN)
  conn.send(bytes)
  const want = [...exp.replies, ...(exp.end === 'closed' ? ['closed'] : [])]
  const got = await readAnswer(conn, (a) => a.replies.length >= want.length && exp.end !== 'closed' ? true : a.replies.length > want.length, exp.end === 'closed' ? 2_000 : 150)
  conn.socket.destroy()
  return JSON.stringify(got.replies) === JSON.stringify(want) ? undefined : describe(bytes, exp, got)
}

/** For the tally only (the oracle does not use it): the core reads an UPDATE error it treats as withdraw. */
const withdrawnForErrors = (bytes: Uint8Array): boolean =>
  splitMessages(bytes).messages.some((raw) => {
    const m = decodeMessage(raw, codec)
    return E.isRight(m) && m.right._tag === 'Update' && m.right.update.attributeErrors.length > 0
  })

t.test('random and mutated messages into a live session: the NOTIFICATION due, and back up on the next dial', async (t) => {
  const peer = await loopbackPeer()
  t.teardown(() => peer.close())
  const session = startPeerSession({
    config: { localAsn: OUR_ASN, peerAsn: { _tag: 'Fixed', asn: PEER_ASN as Asn }, routerId: OUR_ROUTER_ID, holdTimeSeconds: 90, connectRetrySeconds: 0.03, dial: true, families: [4] },
    remote: '127.0.0.1',
    port: peer.port,
    log: silentLogger,
  })
  t.teardown(() => session.stop())
  session.advertise([mkRoute({ prefix: prefix('203.0.113.10/32'), communities: [] })])
  session.start()
  const h: Harness = { peer, conn: undefined, dials: 0 }
  const started = Date.now()
  const seen = new Map<string, number>()
  const count = (bytes: Uint8Array, phase: 'Established' | 'OpenSent'): void => {
    const e = expectedAnswer(bytes, phase, PEER_ASN)
    const key = `${phase} ${e.replies.join(',') || '-'} ${e.end}${e.end === 'open' && withdrawnForErrors(bytes) ? ' treat-as-withdraw' : ''}`
    seen.set(key, (seen.get(key) ?? 0) + 1)
  }

  await fc.assert(
    fc.asyncProperty(establishedInput, async (bytes) => {
      count(bytes, 'Established')
      const wrong = await established(h, bytes)
      if (wrong !== undefined) throw new Error(wrong)
    }),
    { seed: 4271, numRuns: 250, endOnFailure: true },
  )
  await fc.assert(
    fc.asyncProperty(openInput, async (bytes) => {
      count(bytes, 'OpenSent')
      const wrong = await openSent(h, bytes)
      if (wrong !== undefined) throw new Error(wrong)
    }),
    { seed: 7606, numRuns: 100, endOnFailure: true },
  )
  await upAgain(h)
  t.equal(session.state(), 'Established', 'up at the end')
  t.comment(`${h.dials} dials in ${Date.now() - started} ms; answers: ${[...seen].sort().map(([k, n]) => `${k} x${n}`).join('; ')}`)
  // The fuzz is only worth its runs if it reaches every kind of answer.
  const kinds = [...seen.keys()].join(' ')
  for (const k of ['1/1', '1/2', '1/3', '2/0', '2/1', '2/2', '2/3', '2/4', '2/6', '3/1', '3/9', '3/10', '5/3', 'keepalive', 'Established - open', 'treat-as-withdraw', 'Established - closed', 'partial'])
    t.ok(kinds.includes(k), `an input answered ${k}`)
})

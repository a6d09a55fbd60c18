// Inbound bytes into a live session: framed and decoded by core/bgp/inbound.ts, each event into the
// Established session's step. Random and mutated streams never throw; every malformed message is
// answered with the NOTIFICATION RFC 4271 §6 (and RFC 7606 for UPDATE) names, then a close; an
// UPDATE whose attributes are bad but parse is treat-as-withdraw and the session stays up.
import t from 'tap'
import fc from 'fast-check'
import { frame } from '../../../core/bgp/header.js'
import { type Reader, freshReader, readChunk } from '../../../core/bgp/inbound.js'
import { encodeMessage } from '../../../core/bgp/message.js'
import { type Session, type SessionAction, type SessionConfig, type SessionEvent, initialSession, sessionState, step } from '../../../core/bgp/session.js'
import type { Asn } from '../../../core/model/bgpPeer.js'
import { unsafeIp } from '../../../core/net/address.js'
import { updateArb } from './arbitraries.js'

const config: SessionConfig = { localAsn: 64512, peerAsn: { _tag: 'Fixed', asn: 64500 as Asn }, routerId: 0xc6336411, holdTimeSeconds: 90, connectRetrySeconds: 5, dial: true, families: [4, 6] }
const NH = { v4: unsafeIp(4, 0xc6336411n) }
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'))
const MARKER = 'ff'.repeat(16)
const PEER_OPEN = frame('OPEN', bytes('04 fbf4 001e c6336401 08 02 06 41 04 0000fbf4')) // AS 64500, hold 30, four-octet AS

/** An Established session on "out:1" and its reader, reached through the same byte path. */
const established = (): { session: Session; reader: Reader } => {
  let session = initialSession()
  for (const e of [{ _tag: 'Start' }, { _tag: 'TcpConnected', conn: 'out:1', nextHops: NH }] as SessionEvent[]) session = step(config, session, e).session
  const r = readChunk(freshReader, 'out:1', Uint8Array.from([...PEER_OPEN, ...frame('KEEPALIVE')]))
  for (const e of r.events) session = step(config, session, e).session
  if (sessionState(session) !== 'Established') throw new Error('setup did not reach Established')
  return { session, reader: r.reader }
}

/** Feeds `chunks` in; the events, every action, and the session after. */
const feed = (chunks: readonly Uint8Array[]): { events: SessionEvent[]; actions: SessionAction[]; session: Session; whileUp: SessionEvent[] } => {
  let { session, reader } = established()
  const events: SessionEvent[] = []
  /** The events that met an Established session (the shell reads nothing more once it closed). */
  const whileUp: SessionEvent[] = []
  const actions: SessionAction[] = []
  for (const c of chunks) {
    const r = readChunk(reader, 'out:1', c)
    reader = r.reader
    for (const e of r.events) {
      events.push(e)
      if (sessionState(session) === 'Established') whileUp.push(e)
      const s = step(config, session, e)
      session = s.session
      actions.push(...s.actions)
    }
  }
  return { events, actions, session, whileUp }
}
const notified = (as: readonly SessionAction[]): string | undefined => {
  const n = as.find((a) => a._tag === 'Send' && a.message._tag === 'Notification')
  return n?._tag === 'Send' && n.message._tag === 'Notification' ? `${n.message.notification.code}/${n.message.notification.subcode}` : undefined
}

t.test('malformed input gets the NOTIFICATION the RFC names, and a reset', async (t) => {
  const rows = [
    { desc: 'marker not all ones (RFC 4271 §6.1)', in: bytes(`${'ff'.repeat(15)}00 0013 04`), want: '1/1' },
    { desc: 'length 18, below the header', in: bytes(`${MARKER} 0012 04`), want: '1/2' },
    { desc: 'length 4097', in: bytes(`${MARKER} 1001 02`), want: '1/2' },
    { desc: 'KEEPALIVE of 20 bytes', in: bytes(`${MARKER} 0014 04 00`), want: '1/2' },
    { desc: 'ROUTE-REFRESH of 24 bytes (RFC 2918 §5)', in: bytes(`${MARKER} 0018 05 00010001 00`), want: '1/2' },
    { desc: 'type 9', in: bytes(`${MARKER} 0013 09`), want: '1/3' },
    { desc: 'UPDATE: withdrawn length past the end (RFC 7606 §4)', in: frame('UPDATE', bytes('0010 0000')), want: '3/1' },
    { desc: 'UPDATE: attribute length past the end', in: frame('UPDATE', bytes('0000 0004 40 01 05 00')), want: '3/1' },
    { desc: 'UPDATE: NLRI prefix length 33', in: frame('UPDATE', bytes('0000 0000 21 cb007100 00')), want: '3/10' },
    { desc: 'UPDATE: MP_REACH_NLRI with a 5-byte next hop', in: frame('UPDATE', bytes('0000 000c 800e 09 0002 01 05 2001db8000 00')), want: '3/9' },
    { desc: 'UPDATE: MP_REACH_NLRI twice (RFC 7606 §3 g)', in: frame('UPDATE', bytes('0000 000a 800f 03 000201 800f 03 000201')), want: '3/1' },
    { desc: 'OPEN in Established (RFC 6608)', in: PEER_OPEN, want: '5/3' },
    { desc: 'NOTIFICATION too short: nothing sent back, the session closes', in: bytes(`${MARKER} 0015 03 06 02`), want: undefined },
  ]
  for (const r of rows) {
    const { actions, session } = feed([r.in])
    t.same([notified(actions), actions.some((a) => a._tag === 'Close'), sessionState(session)], [r.want, true, 'Idle'], r.desc)
  }
})

t.test('bad attribute values that still parse are treat-as-withdraw (RFC 7606 §2): no NOTIFICATION, still Established', async (t) => {
  const rows = [
    { desc: 'ORIGIN 7', in: frame('UPDATE', bytes('0000 000e 40 01 01 07 40 02 00 40 03 04 c6336401 18 cb0071')) },
    { desc: 'ORIGIN flagged optional', in: frame('UPDATE', bytes('0000 000e c0 01 01 00 40 02 00 40 03 04 c6336401 18 cb0071')) },
    { desc: 'NEXT_HOP missing', in: frame('UPDATE', bytes('0000 0007 40 01 01 00 40 02 00 18 cb0071')) },
    { desc: 'COMMUNITIES of 3 bytes', in: frame('UPDATE', bytes('0000 0014 40 01 01 00 40 02 00 40 03 04 c6336401 c0 08 03 000000 18 cb0071')) },
  ]
  for (const r of rows) {
    const { events, actions, session } = feed([r.in])
    t.same([events.map((e) => e._tag), notified(actions), sessionState(session)], [['Received'], undefined, 'Established'], r.desc)
  }
})

t.test("after the peer's OPEN offered four-octet AS, AS_PATH is read four octets an AS (RFC 6793)", async (t) => {
  const { events } = feed([frame('UPDATE', bytes('0000 0014 40 01 01 00 40 02 06 02 01 fa56ea00 40 03 04 c6336401 18 cb0071'))])
  const e = events[0]
  const u = e?._tag === 'Received' && e.message._tag === 'Update' ? e.message.update : undefined
  t.same([u?.attributes?.asPath, u?.attributeErrors.length], [[4200000000], 0])
})

const validStream = fc.array(
  fc.oneof(
    updateArb(true).map((update) => encodeMessage({ _tag: 'Update', update }, { fourOctetAs: true })),
    fc.constant(frame('KEEPALIVE')),
    fc.constant(frame('ROUTE-REFRESH', bytes('00010001'))),
  ),
  { minLength: 1, maxLength: 6 },
).map((ms) => Uint8Array.from(ms.flatMap((m) => [...m])))

/** Cuts `b` at the given points into chunks, as TCP may deliver it. */
const cut = (b: Uint8Array, at: readonly number[]): Uint8Array[] => {
  const points = [...new Set(at.map((p) => p % (b.length + 1)))].sort((x, y) => x - y)
  return [...points, b.length].map((end, i) => b.slice(i === 0 ? 0 : points[i - 1], end))
}

t.test('fuzz: random bytes never throw; a Malformed event is answered with its own NOTIFICATION (header, OPEN or UPDATE error), then a close', async (t) => {
  const check = (chunks: readonly Uint8Array[]): boolean => {
    const { whileUp, actions, session } = feed(chunks)
    const bad = whileUp.find((e) => e._tag === 'Malformed')
    if (bad === undefined || bad._tag !== 'Malformed') return true
    const want = `${bad.notification.code}/${bad.notification.subcode}`
    return [1, 2, 3].includes(bad.notification.code) && notified(actions) === want && actions.some((a) => a._tag === 'Close') && sessionState(session) === 'Idle'
  }
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 4 }), (chunks) => check(chunks)), { numRuns: 2000 })
  // Random bodies behind a valid header reach the message decoders.
  const typed = fc.tuple(fc.constantFrom(1, 2, 3, 4, 5), fc.uint8Array({ maxLength: 120 })).map(([type, body]) => bytes(`${MARKER}${(19 + body.length).toString(16).padStart(4, '0')}0${type}${Buffer.from(body).toString('hex')}`))
  fc.assert(fc.property(fc.array(typed, { minLength: 1, maxLength: 3 }), (ms) => check(ms)), { numRuns: 3000 })
  t.pass('held')
})

t.test('fuzz: valid streams with bytes flipped or cut short never throw, and the events do not depend on how TCP split them', async (t) => {
  fc.assert(
    fc.property(validStream, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }), fc.nat(), fc.array(fc.nat(), { maxLength: 5 }), (stream, flips, keep, cuts) => {
      const mutated = Uint8Array.from(stream)
      for (const [at, v] of flips) mutated[at % mutated.length] = v
      const b = mutated.slice(0, flips.length === 0 ? mutated.length : keep % (mutated.length + 1))
      const whole = feed([b])
      const split = feed(cut(b, cuts))
      const show = (es: readonly SessionEvent[]): string => JSON.stringify(es, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))
      return show(whole.events) === show(split.events) && notified(whole.actions) === notified(split.actions)
    }),
    { numRuns: 1500 },
  )
  t.pass('held')
})

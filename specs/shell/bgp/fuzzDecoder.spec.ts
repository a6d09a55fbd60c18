// The same fuzz as fuzz.spec.ts, many more runs, without sockets: each input through the decoder
// (core/bgp/inbound.ts readChunk) and the state machine (core/bgp/session.ts step), as the shell
// feeds them, from Established, OpenSent and OpenConfirm. The NOTIFICATIONs and KEEPALIVEs the session
// would send, the UPDATEs answering ROUTE-REFRESH, and whether it closes must be fuzzOracle.ts's,
// computed from the RFCs without core/bgp. Nothing may throw.
import fc from 'fast-check'
import t from 'tap'
import { type Reader, freshReader, readChunk } from '../../../core/bgp/inbound.js'
import { mkRoute } from '../../../core/bgp/route.js'
import { type Session, type SessionConfig, initialSession, sessionState, step } from '../../../core/bgp/session.js'
import type { Asn } from '../../../core/model/bgpPeer.js'
import { unsafeIp } from '../../../core/net/address.js'
import { establishedInput, openInput, prefix } from './fuzzInputs.js'
import { type Expected, expectedAnswer } from './fuzzOracle.js'
import { KEEPALIVE, OUR_ASN, OUR_ROUTER_ID, PEER_ASN, peerOpen } from './loopbackPeer.js'

const config: SessionConfig = { localAsn: OUR_ASN, peerAsn: { _tag: 'Fixed', asn: PEER_ASN as Asn }, routerId: OUR_ROUTER_ID, holdTimeSeconds: 90, connectRetrySeconds: 1, dial: true, families: [4] }
const CONN = 'out:1'

interface Live {
  session: Session
  reader: Reader
}

/** Bytes into the reader, its events into the session: the answer as the live spec reads it. */
const run = (live: Live, bytes: Uint8Array): { readonly replies: string[]; readonly refreshes: number; readonly end: Expected['end'] } => {
  const r = readChunk(live.reader, CONN, bytes)
  live.reader = r.reader
  const replies: string[] = []
  let updates = 0
  let closed = false
  for (const e of r.events) {
    if (closed) break
    const s = step(config, live.session, e)
    live.session = s.session
    for (const a of s.actions) {
      if (a._tag === 'Close' && a.conn === CONN) closed = true
      if (a._tag !== 'Send' || a.conn !== CONN) continue
      if (a.message._tag === 'Update') updates += 1
      else if (a.message._tag === 'Notification') replies.push(`${a.message.notification.code}/${a.message.notification.subcode}`)
      else replies.push(a.message._tag.toLowerCase())
    }
  }
  return { replies, refreshes: updates, end: closed ? 'closed' : r.reader.pending.length > 0 ? 'partial' : 'open' }
}

/** A session that has sent its OPEN on out:1 (OpenSent), and one taken on to Established. */
const openSent = (): Live => {
  let session = initialSession()
  session = step(config, session, { _tag: 'Advertise', routes: [mkRoute({ prefix: prefix('203.0.113.10/32'), communities: [] })] }).session
  session = step(config, session, { _tag: 'Start' }).session
  session = step(config, session, { _tag: 'TcpConnected', conn: CONN, nextHops: { v4: unsafeIp(4, 0x7f000001n) } }).session
  return { session, reader: freshReader }
}
const established = (): Live => {
  const live = openSent()
  run(live, Uint8Array.from([...peerOpen(), ...KEEPALIVE]))
  if (sessionState(live.session) !== 'Established') throw new Error('setup did not reach Established')
  return live
}

/** OpenSent, then the peer's OPEN: the session has answered KEEPALIVE and waits for ours. */
const openConfirm = (): Live => {
  const live = openSent()
  run(live, peerOpen())
  if (sessionState(live.session) !== 'OpenConfirm') throw new Error('setup did not reach OpenConfirm')
  return live
}

type Phase = 'Established' | 'OpenSent' | 'OpenConfirm'
const START: Record<Phase, () => Live> = { Established: established, OpenSent: openSent, OpenConfirm: openConfirm }

/** The NOTIFICATIONs answered, for the check that the fuzz reaches each FSM error. */
const answered = new Set<string>()

const same = (bytes: Uint8Array, phase: Phase): boolean => {
  const got = run(START[phase](), bytes)
  for (const r of got.replies) answered.add(r)
  // From OpenConfirm, a KEEPALIVE brings Up: our one route and End-of-RIB.
  const want = expectedAnswer(bytes, phase, PEER_ASN, 2)
  if (JSON.stringify(got) === JSON.stringify(want)) return true
  throw new Error(`input ${Buffer.from(bytes).toString('hex')}: oracle ${JSON.stringify(want)}, session ${JSON.stringify(got)}`)
}

t.test('the decoder and state machine answer as the RFCs say', async (t) => {
  const started = Date.now()
  fc.assert(fc.property(establishedInput, (b) => same(b, 'Established')), { seed: 4271, numRuns: 8_000 })
  fc.assert(fc.property(openInput, (b) => same(b, 'OpenSent')), { seed: 7606, numRuns: 4_000 })
  fc.assert(fc.property(establishedInput, (b) => same(b, 'OpenSent')), { seed: 6608, numRuns: 2_000 })
  fc.assert(fc.property(establishedInput, (b) => same(b, 'OpenConfirm')), { seed: 6608, numRuns: 4_000 })
  t.comment(`18,000 inputs in ${Date.now() - started} ms`)
  t.pass('every answer the oracle\'s')
  t.same(['5/1', '5/2', '5/3', '3/9', '2/4'].filter((n) => !answered.has(n)), [], 'RFC 6608 FSM errors from each state, and the rarer OPEN and UPDATE errors, were reached')
})

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
import { decodeMessage } from '../../../core/bgp/message.js'
import { mkRoute } from '../../../core/bgp/route.js'
import type { Asn } from '../../../core/model/bgpPeer.js'
import { startPeerSession } from '../../../shell/bgp/peerSession.js'
import { silentLogger } from '../../../shell/obs/log.js'
import { establishedInput, frame, openInput, prefix } from './fuzzInputs.js'
import { type Expected, expectedAnswer } from './fuzzOracle.js'
import { OUR_ASN, OUR_ROUTER_ID, PEER_ASN, type LoopbackPeer, type PeerConn, establish, loopbackPeer } from './loopbackPeer.js'

const codec = { fourOctetAs: true }

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

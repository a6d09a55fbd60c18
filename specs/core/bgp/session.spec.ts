import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { type AdjRibOut, carried } from '../../../core/bgp/adjRibOut.js'
import type { Received } from '../../../core/bgp/message.js'
import { notification } from '../../../core/bgp/notification.js'
import type { Capability } from '../../../core/bgp/open.js'
import { type Route, mkRoute } from '../../../core/bgp/route.js'
import { type Session, type SessionAction, type SessionConfig, type SessionEvent, INITIAL_HOLD_SECONDS, initialSession, sessionState, step } from '../../../core/bgp/session.js'
import type { Update } from '../../../core/bgp/update.js'
import type { Asn } from '../../../core/model/bgpPeer.js'
import { unsafeIp } from '../../../core/net/address.js'
import { type Prefix, formatPrefix, mkPrefix } from '../../../core/net/prefix.js'

const LOCAL_ID = 0xc6336411 // 198.51.100.17
const config: SessionConfig = { localAsn: 64512, peerAsn: { _tag: 'Fixed', asn: 64500 as Asn }, routerId: LOCAL_ID, holdTimeSeconds: 90, connectRetrySeconds: 5, dial: true, families: [4, 6] }
const NH = { v4: unsafeIp(4, 0xc6336411n), v6: unsafeIp(6, 0x20010db8010000000000000000000011n) }
const peerOpen = (over: Partial<{ asn: number; holdTimeSeconds: number; routerId: number; capabilities: Capability[] }> = {}): Received => ({
  _tag: 'Open',
  open: { asn: 64500, holdTimeSeconds: 30, routerId: 0xc6336401, capabilities: [{ _tag: 'Multiprotocol', afi: 1, safi: 1 }, { _tag: 'Multiprotocol', afi: 2, safi: 1 }, { _tag: 'FourOctetAs', asn: 64500 }], ...over },
})
const rx = (message: Received, conn = 'out:1'): SessionEvent => ({ _tag: 'Received', conn, message })
const connected = (conn = 'out:1'): SessionEvent => ({ _tag: 'TcpConnected', conn, nextHops: NH })
const accepted = (conn = 'in:1'): SessionEvent => ({ _tag: 'Accepted', conn, nextHops: NH })

const run = (events: readonly SessionEvent[], c: SessionConfig = config, start: Session = initialSession()): { session: Session; actions: SessionAction[][] } => {
  let session = start
  const actions: SessionAction[][] = []
  for (const e of events) {
    const r = step(c, session, e)
    session = r.session
    actions.push([...r.actions])
  }
  return { session, actions }
}
const tag = (a: SessionAction): string => {
  switch (a._tag) {
    case 'Send':
      return `Send ${a.message._tag} ${a.conn}${a.message._tag === 'Notification' ? ` ${a.message.notification.code}/${a.message.notification.subcode}` : ''}`
    case 'SetTimer':
      return `SetTimer ${a.timer} ${a.seconds}`
    case 'StopTimer':
      return `StopTimer ${a.timer}`
    case 'Dial':
    case 'Close':
      return `${a._tag} ${a.conn}`
    case 'Up':
    case 'Down':
      return a._tag
  }
}
const tags = (as: readonly SessionAction[] | undefined): string[] => (as ?? []).filter((a) => a._tag !== 'StopTimer').map(tag)
const pfx = (text: string, len: number, family: 4 | 6 = 4, value?: bigint): Prefix => {
  const p = mkPrefix(unsafeIp(family, value ?? BigInt(text)), len)
  if (E.isLeft(p)) throw new Error(p.left)
  return p.right
}
const R1 = mkRoute({ prefix: pfx('0xcb00710a', 32), communities: [] })
const R6 = mkRoute({ prefix: pfx('0', 128, 6, 0x20010db8030000000000000000000010n), communities: [] })

const HAPPY: SessionEvent[] = [{ _tag: 'Start' }, connected(), rx(peerOpen()), rx({ _tag: 'Keepalive' })]

t.test('active: dial, OPEN with our capabilities, the smaller hold time, keepalives at a third of it', async (t) => {
  const { session, actions } = run(HAPPY)
  t.equal(sessionState(session), 'Established')
  t.equal(session.conn?.agreed?.holdSeconds, 30, 'min(90 offered, 30 from the peer)')
  t.same(tags(actions[0]), ['Dial out:1', 'SetTimer ConnectRetry 5'])
  t.same(tags(actions[1]), ['Send Open out:1', `SetTimer Hold ${INITIAL_HOLD_SECONDS}`])
  const open = actions[1]?.find((a) => a._tag === 'Send')
  t.same(open?._tag === 'Send' && open.message._tag === 'Open' ? open.message.open.capabilities.map((c) => c._tag) : [], ['Multiprotocol', 'Multiprotocol', 'RouteRefresh', 'FourOctetAs'])
  t.same(tags(actions[2]), ['Send Keepalive out:1', 'SetTimer Hold 30', 'SetTimer Keepalive 10'])
  t.same(tags(actions[3]), ['SetTimer Hold 30', 'Up', 'Send Update out:1', 'Send Update out:1'], 'Up, then End-of-RIB for IPv4 and IPv6 (the table is empty)')
})

t.test('keepaliveTime: used when below a third of the hold time, capped at a third otherwise', async (t) => {
  const rows = [
    { desc: 'keepalive 3 s under hold 30 s', in: 3, want: 'SetTimer Keepalive 3' },
    { desc: 'keepalive 20 s under hold 30 s: a third', in: 20, want: 'SetTimer Keepalive 10' },
  ]
  for (const r of rows) t.ok(tags(run(HAPPY.slice(0, 3), { ...config, keepaliveSeconds: r.in }).actions[2]).includes(r.want), r.desc)
})

t.test('the routes go out after Up and before End-of-RIB; later only what changed', async (t) => {
  const { session, actions } = run([{ _tag: 'Advertise', routes: [R1, R6] }, ...HAPPY, { _tag: 'Advertise', routes: [R6] }, { _tag: 'Advertise', routes: [R6] }])
  const sends = (as: readonly SessionAction[] | undefined): Update[] => (as ?? []).flatMap((a) => (a._tag === 'Send' && a.message._tag === 'Update' ? [a.message.update] : []))
  const up = sends(actions[4])
  t.same(up.map((u) => [u.nlri.map(formatPrefix), u.mpReach?.nlri.map(formatPrefix) ?? [], u.mpEndOfRib === true]), [
    [[formatPrefix(R1.prefix)], [], false],
    [[], [formatPrefix(R6.prefix)], false],
    [[], [], false],
    [[], [], true],
  ])
  t.same(sends(actions[5]).map((u) => u.withdrawn.map(formatPrefix)), [[formatPrefix(R1.prefix)]], 'R1 withdrawn, R6 not sent again')
  t.same(actions[6], [], 'the same set again: nothing')
  t.equal(session.sent.size, 1)
})

t.test('RFC 8950 on an unnumbered session: offered, and once both sent it the IPv4 route rides MP_REACH with the IPv6 next hop', async (t) => {
  const ENH: Capability = { _tag: 'ExtendedNextHop', families: [{ afi: 1, safi: 1, nextHopAfi: 2 }] }
  const unnumbered: SessionConfig = { ...config, extendedNextHop: true }
  const linkLocal = { v6: unsafeIp(6, 0xfe800000000000000000000000000011n) }
  const events = (caps: Capability[]): SessionEvent[] => [
    { _tag: 'Advertise', routes: [R1] },
    { _tag: 'Start' },
    { _tag: 'TcpConnected', conn: 'out:1', nextHops: linkLocal },
    rx(peerOpen({ capabilities: [{ _tag: 'Multiprotocol', afi: 1, safi: 1 }, { _tag: 'Multiprotocol', afi: 2, safi: 1 }, ...caps, { _tag: 'FourOctetAs', asn: 64500 }] })),
    rx({ _tag: 'Keepalive' }),
  ]
  const both = run(events([ENH]), unnumbered)
  const open = both.actions[2]?.find((a) => a._tag === 'Send')
  t.ok(open?._tag === 'Send' && open.message._tag === 'Open' && open.message.open.capabilities.some((c) => c._tag === 'ExtendedNextHop'), 'our OPEN offers it')
  const first = both.actions[4]?.find((a) => a._tag === 'Send' && a.message._tag === 'Update')
  const u = first?._tag === 'Send' && first.message._tag === 'Update' ? first.message.update : undefined
  t.same([u?.nlri.length, u?.mpReach?.nlri.map(formatPrefix), u?.mpReach?.nextHop], [0, [formatPrefix(R1.prefix)], linkLocal.v6], 'IPv4 route in MP_REACH_NLRI via our link-local address')
  const without = run(events([]), unnumbered)
  t.notOk(without.actions[4]?.some((a) => a._tag === 'Send' && a.message._tag === 'Update' && (a.message.update.nlri.length > 0 || (a.message.update.mpReach?.nlri.length ?? 0) > 0)), 'the peer did not send it: no IPv4 route (no IPv4 next hop either)')
})

t.test('route refresh (RFC 2918): the whole Adj-RIB-Out of that family again; a family not carried is ignored', async (t) => {
  const { actions } = run([{ _tag: 'Advertise', routes: [R1, R6] }, ...HAPPY, rx({ _tag: 'RouteRefresh', afi: 1, safi: 1 }), rx({ _tag: 'RouteRefresh', afi: 25, safi: 65 })])
  t.same(tags(actions[5]), ['SetTimer Hold 30', 'Send Update out:1'])
  t.same(tags(actions[6]), ['SetTimer Hold 30'])
})

t.test('passive: nothing dials; the peer connects, OPENs cross, Established', async (t) => {
  const passive = { ...config, dial: false }
  const { session, actions } = run([{ _tag: 'Start' }, accepted(), rx(peerOpen(), 'in:1'), rx({ _tag: 'Keepalive' }, 'in:1'), { _tag: 'TimerFired', timer: 'ConnectRetry' }], passive)
  t.same(actions[0], [])
  t.same(tags(actions[1]), ['Send Open in:1', `SetTimer Hold ${INITIAL_HOLD_SECONDS}`])
  t.equal(sessionState(session), 'Established')
  t.same(actions[4], [], 'ConnectRetry never dials a passive session')
  const stopped = run([accepted()], passive)
  t.same(tags(stopped.actions[0]), ['Send Notification in:1 6/5', 'Close in:1'], 'before Start: Cease / Connection Rejected')
})

t.test('connection collision (RFC 4271 §6.8): the connection opened by the higher BGP Identifier stays', async (t) => {
  const HIGHER = LOCAL_ID + 1
  const LOWER = LOCAL_ID - 1
  const rows = [
    {
      desc: 'both in OpenSent, their OPEN on our dial, they are higher: ours goes, theirs stays',
      in: [{ _tag: 'Start' }, connected(), accepted(), rx(peerOpen({ routerId: HIGHER }))] as SessionEvent[],
      want: { last: ['Send Notification out:1 6/7', 'Close out:1'], conn: 'in:1', state: 'OpenSent' },
    },
    {
      desc: 'both in OpenSent, their OPEN on their connection, we are higher: theirs goes',
      in: [{ _tag: 'Start' }, connected(), accepted(), rx(peerOpen({ routerId: LOWER }), 'in:1')] as SessionEvent[],
      want: { last: ['Send Notification in:1 6/7', 'Close in:1'], conn: 'out:1', state: 'OpenSent' },
    },
    {
      desc: 'both in OpenSent, their OPEN on their connection, they are higher: ours goes, theirs to OpenConfirm',
      in: [{ _tag: 'Start' }, connected(), accepted(), rx(peerOpen({ routerId: HIGHER }), 'in:1')] as SessionEvent[],
      want: { last: ['Send Notification out:1 6/7', 'Close out:1', 'Send Keepalive in:1', 'SetTimer Hold 30', 'SetTimer Keepalive 10'], conn: 'in:1', state: 'OpenConfirm' },
    },
    {
      desc: 'ours in OpenConfirm, they are lower: their new connection is refused',
      in: [{ _tag: 'Start' }, connected(), rx(peerOpen({ routerId: LOWER })), accepted()] as SessionEvent[],
      want: { last: ['Send Notification in:1 6/7', 'Close in:1'], conn: 'out:1', state: 'OpenConfirm' },
    },
    {
      desc: 'ours in OpenConfirm, they are higher: ours goes, theirs gets our OPEN',
      in: [{ _tag: 'Start' }, connected(), rx(peerOpen({ routerId: HIGHER })), accepted()] as SessionEvent[],
      want: { last: ['Send Notification out:1 6/7', 'Close out:1', 'Send Open in:1', `SetTimer Hold ${INITIAL_HOLD_SECONDS}`], conn: 'in:1', state: 'OpenSent' },
    },
    {
      desc: 'Established: a new connection is always refused',
      in: [...HAPPY.slice(0, 2), rx(peerOpen({ routerId: HIGHER })), HAPPY[3], accepted()] as SessionEvent[],
      want: { last: ['Send Notification in:1 6/7', 'Close in:1'], conn: 'out:1', state: 'Established' },
    },
    {
      desc: 'our dial not yet connected: their connection is taken and the dial dropped',
      in: [{ _tag: 'Start' }, accepted()] as SessionEvent[],
      want: { last: ['Close out:1', 'Send Open in:1', `SetTimer Hold ${INITIAL_HOLD_SECONDS}`], conn: 'in:1', state: 'OpenSent' },
    },
  ]
  for (const r of rows) {
    const { session, actions } = run(r.in)
    t.same({ last: tags(actions[actions.length - 1]), conn: session.conn?.id, state: sessionState(session) }, r.want, r.desc)
  }
})

t.test("the peer's AS: peerASN, or dynamicASN internal / external; four-octet ASNs", async (t) => {
  const refused = (c: SessionConfig, asn: number): boolean =>
    tags(run([{ _tag: 'Start' }, connected(), rx(peerOpen({ asn, capabilities: [{ _tag: 'FourOctetAs', asn }] }))], c).actions[2]).includes('Send Notification out:1 2/2')
  const rows = [
    { desc: 'fixed 64500, peer 64500', in: { peerAsn: { _tag: 'Fixed', asn: 64500 as Asn } as const, asn: 64500 }, want: false },
    { desc: 'fixed 64500, peer 65000', in: { peerAsn: { _tag: 'Fixed', asn: 64500 as Asn } as const, asn: 65000 }, want: true },
    { desc: 'fixed 4200000000, peer 4200000000', in: { peerAsn: { _tag: 'Fixed', asn: 4200000000 as Asn } as const, asn: 4200000000 }, want: false },
    { desc: 'internal, peer in our AS', in: { peerAsn: { _tag: 'Dynamic', mode: 'internal' } as const, asn: 64512 }, want: false },
    { desc: 'internal, peer elsewhere', in: { peerAsn: { _tag: 'Dynamic', mode: 'internal' } as const, asn: 64500 }, want: true },
    { desc: 'external, peer elsewhere', in: { peerAsn: { _tag: 'Dynamic', mode: 'external' } as const, asn: 4200000000 }, want: false },
    { desc: 'external, peer in our AS', in: { peerAsn: { _tag: 'Dynamic', mode: 'external' } as const, asn: 64512 }, want: true },
  ]
  for (const r of rows) t.equal(refused({ ...config, peerAsn: r.in.peerAsn }, r.in.asn), r.want, r.desc)
  const big = run([{ _tag: 'Start' }, connected()], { ...config, localAsn: 4200000001 })
  const open = big.actions[1]?.find((a) => a._tag === 'Send')
  t.same(open?._tag === 'Send' && open.message._tag === 'Open' ? open.message.open.capabilities.find((c) => c._tag === 'FourOctetAs') : undefined, { _tag: 'FourOctetAs', asn: 4200000001 })
})

t.test('graceful restart (RFC 4724): R and F bits after our restart only; routes before End-of-RIB', async (t) => {
  const gr = { ...config, gracefulRestart: { restartSeconds: 120 } }
  const grOf = (as: readonly SessionAction[] | undefined): Capability | undefined => {
    const s = as?.find((a) => a._tag === 'Send')
    return s?._tag === 'Send' && s.message._tag === 'Open' ? s.message.open.capabilities.find((c) => c._tag === 'GracefulRestart') : undefined
  }
  const first = run([{ _tag: 'Advertise', routes: [R1] }, ...HAPPY, { _tag: 'TcpClosed', conn: 'out:1' }, { _tag: 'TimerFired', timer: 'ConnectRetry' }, connected('out:2')], gr, initialSession(true))
  t.same(grOf(first.actions[2]), { _tag: 'GracefulRestart', restarted: true, restartSeconds: 120, families: [{ afi: 1, safi: 1, forwardingKept: true }, { afi: 2, safi: 1, forwardingKept: true }] })
  t.same(tags(first.actions[4]).slice(1), ['Up', 'Send Update out:1', 'Send Update out:1', 'Send Update out:1'], 'the route, then the two End-of-RIBs')
  t.same(grOf(first.actions[7]), { _tag: 'GracefulRestart', restarted: false, restartSeconds: 120, families: [{ afi: 1, safi: 1, forwardingKept: false }, { afi: 2, safi: 1, forwardingKept: false }] }, 'a later reconnect is not a restart')
  t.equal(grOf(run(HAPPY.slice(0, 2)).actions[1]), undefined, 'without enableGracefulRestart no capability')
})

t.test('errors: wrong AS, hold expiry, malformed input, a message out of order (RFC 6608), Stop', async (t) => {
  const rows = [
    { desc: 'Hold expires in Established', in: [...HAPPY, { _tag: 'TimerFired', timer: 'Hold' }] as SessionEvent[], want: 'Send Notification out:1 4/0' },
    { desc: 'malformed in Established', in: [...HAPPY, { _tag: 'Malformed', conn: 'out:1', notification: notification(3, 1) }] as SessionEvent[], want: 'Send Notification out:1 3/1' },
    { desc: 'KEEPALIVE in OpenSent (never Up: no Down)', in: [HAPPY[0], HAPPY[1], rx({ _tag: 'Keepalive' })] as SessionEvent[], want: 'Send Notification out:1 5/1', down: false },
    { desc: 'OPEN in OpenConfirm (never Up: no Down)', in: [HAPPY[0], HAPPY[1], HAPPY[2], rx(peerOpen())] as SessionEvent[], want: 'Send Notification out:1 5/2', down: false },
    { desc: 'OPEN in Established', in: [...HAPPY, rx(peerOpen())], want: 'Send Notification out:1 5/3' },
    { desc: 'Stop in Established', in: [...HAPPY, { _tag: 'Stop' }] as SessionEvent[], want: 'Send Notification out:1 6/2' },
  ]
  for (const r of rows) {
    const { session, actions } = run(r.in)
    const last = tags(actions[actions.length - 1])
    t.same([last[0], last.includes('Close out:1'), last.includes('Down'), sessionState(session)], [r.want, true, r.down ?? true, 'Idle'], r.desc)
  }
})

// ---- model ----------------------------------------------------------------------------------------

const prefixArb = fc.integer({ min: 0, max: 7 }).map((i) => mkRoute({ prefix: pfx(String(0xcb007100 + i), 32), communities: i % 2 === 0 ? [] : [{ _tag: 'Standard', high: 65000, low: i }] }))
const prefix6Arb = fc.integer({ min: 0, max: 3 }).map((i) => mkRoute({ prefix: pfx('0', 128, 6, 0x20010db8030000000000000000000000n + BigInt(i)), communities: [] }))
const connArb = fc.constantFrom('out:1', 'out:2', 'out:3', 'in:1', 'in:2')
const eventArb: fc.Arbitrary<SessionEvent> = fc.oneof(
  fc.constant<SessionEvent>({ _tag: 'Start' }),
  fc.constant<SessionEvent>({ _tag: 'Stop' }),
  connArb.map((conn): SessionEvent => ({ _tag: 'TcpConnected', conn, nextHops: NH })),
  connArb.map((conn): SessionEvent => ({ _tag: 'Accepted', conn, nextHops: NH })),
  connArb.map((conn): SessionEvent => ({ _tag: 'TcpClosed', conn })),
  fc.constantFrom('ConnectRetry' as const, 'Hold' as const, 'Keepalive' as const, 'RivalHold' as const).map((timer): SessionEvent => ({ _tag: 'TimerFired', timer })),
  connArb.map((conn): SessionEvent => ({ _tag: 'Malformed', conn, notification: notification(1, 2) })),
  fc.array(fc.oneof(prefixArb, prefix6Arb), { maxLength: 6 }).map((routes): SessionEvent => ({ _tag: 'Advertise', routes })),
  fc
    .tuple(connArb, fc.record({ asn: fc.constantFrom(64500, 65000), holdTimeSeconds: fc.constantFrom(0, 3, 30, 180), routerId: fc.constantFrom(LOCAL_ID - 1, LOCAL_ID + 1) }))
    .map(([conn, o]) => rx(peerOpen(o), conn)),
  fc.tuple(connArb, fc.constantFrom<Received>({ _tag: 'Keepalive' }, { _tag: 'RouteRefresh', afi: 2, safi: 1 }, { _tag: 'Notification', notification: notification(6, 2) })).map(([conn, m]) => rx(m, conn)),
  connArb.map((conn) => rx({ _tag: 'Update', update: { withdrawn: [], nlri: [], mpUnreach: [], attributeErrors: [] } }, conn)),
)

/** The peer's Adj-RIB-In from the UPDATEs sent on the main connection since the last Up. */
const applyToView = (view: Map<string, string>, u: Update): void => {
  for (const p of [...u.withdrawn, ...u.mpUnreach]) view.delete(formatPrefix(p))
  const attrs = JSON.stringify({ c: u.attributes?.communities ?? [] })
  for (const p of [...u.nlri, ...(u.mpReach?.nlri ?? [])]) view.set(formatPrefix(p), attrs)
}
const viewOf = (rib: AdjRibOut): string[] => [...rib].map(([k, r]) => `${k} ${JSON.stringify({ c: r.communities.map((c) => c.high * 0x10000 + c.low) })}`).sort()

t.test('model: over any event sequence Up and Down alternate, Up holds exactly while Established, and the peer holds exactly the wanted routes', async (t) => {
  for (const c of [config, { ...config, dial: false }, { ...config, families: [4] as const, gracefulRestart: { restartSeconds: 60 } }]) {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 60 }), (events) => {
        let session = initialSession()
        let up = false
        let wanted: readonly Route[] = []
        const view = new Map<string, string>()
        for (const e of events) {
          if (e._tag === 'Advertise') wanted = e.routes
          const r = step(c, session, e)
          const live = new Set([session.conn?.id, session.rival?.id, r.session.conn?.id, r.session.rival?.id, e._tag === 'Accepted' ? e.conn : undefined])
          for (const a of r.actions) {
            if (a._tag === 'Up') {
              if (up) return false
              up = true
              view.clear()
            }
            if (a._tag === 'Down') {
              if (!up) return false
              up = false
            }
            // Only to a connection this session holds; UPDATEs only on the Established one.
            if (a._tag === 'Send' && !live.has(a.conn)) return false
            if (a._tag === 'Send' && a.message._tag === 'Update') {
              if (r.session.conn?.phase !== 'Established' || a.conn !== r.session.conn.id) return false
              applyToView(view, a.message.update)
            }
            if (a._tag === 'SetTimer' && !(a.seconds >= 1)) return false
            if (a._tag === 'Dial' && (!c.dial || r.session.stopped)) return false
          }
          if (up !== (sessionState(r.session) === 'Established')) return false
          // A rival exists only beside a main connection in OpenSent.
          if (r.session.rival !== undefined && r.session.conn?.phase !== 'OpenSent') return false
          session = r.session
          const out = session.conn?.agreed?.out
          if (up && out !== undefined) {
            const want = viewOf(carried(wanted, out))
            const got = [...view].map(([k, v]) => `${k} ${v}`).sort()
            if (JSON.stringify(want) !== JSON.stringify(got)) return false
          }
        }
        return true
      }),
      { numRuns: 1500 },
    )
  }
  t.pass('held for active, passive, and IPv4-only with graceful restart')
})

t.test('model: after Stop nothing dials or OPENs until Start', async (t) => {
  fc.assert(
    fc.property(fc.array(eventArb, { maxLength: 40 }), fc.array(eventArb.filter((e) => e._tag !== 'Start'), { maxLength: 20 }), (before, after) => {
      let session = initialSession()
      for (const e of before) session = step(config, session, e).session
      session = step(config, session, { _tag: 'Stop' }).session
      for (const e of after) {
        const r = step(config, session, e)
        if (r.actions.some((a) => a._tag === 'Dial' || (a._tag === 'Send' && a.message._tag === 'Open'))) return false
        session = r.session
      }
      return sessionState(session) === 'Idle'
    }),
    { numRuns: 1500 },
  )
  t.pass('held')
})

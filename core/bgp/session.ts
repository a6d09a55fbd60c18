// The BGP session state machine of one configured peer (RFC 4271 §8): it dials (unless passive),
// accepts the peer's own connections, settles a connection collision (§6.8), and once Established
// keeps the peer's Adj-RIB-In equal to the routes it is given (core/bgp/adjRibOut.ts), with
// End-of-RIB and graceful restart (RFC 4724) and route refresh (RFC 2918). Pure: the session and an
// event in, the next session and the actions for the shell out. Time never enters: timers are
// actions, and their expiry comes back as an event. Every connection has an id: the session names
// the ones it dials ("out:N"), the shell names the ones it accepts.
import * as E from 'fp-ts/lib/Either.js'
import type { PeerAsn } from '../model/bgpPeer.js'
import type { Family } from '../net/address.js'
import { type AdjRibOut, type OutFacts, emptyRibOut, endOfRib, updatesFor } from './adjRibOut.js'
import { winner } from './collision.js'
import type { Message, Received } from './message.js'
import { CeaseError, ErrorCode, type Notification, describeNotification, notification } from './notification.js'
import { AFI, SAFI_UNICAST } from './open.js'
import { type Agreed, type NextHops, agree, offeredCapabilities } from './peerOpen.js'
import type { Route } from './route.js'

export type SessionState = 'Idle' | 'Connect' | 'OpenSent' | 'OpenConfirm' | 'Established'
export type ConnId = string
export type TimerName = 'ConnectRetry' | 'Hold' | 'Keepalive' | 'RivalHold'

export interface SessionConfig {
  /** The AS shown to the peer (localASN when set, else myASN). */
  readonly localAsn: number
  readonly peerAsn: PeerAsn
  readonly routerId: number
  /** What we offer: 0 (no keepalives) or at least 3. */
  readonly holdTimeSeconds: number
  /** keepaliveTime; a third of the negotiated hold time when unset, and never more than that. */
  readonly keepaliveSeconds?: number
  readonly connectRetrySeconds: number
  /** False: never dial, only take the peer's connections. */
  readonly dial: boolean
  /** The families this session may carry (the peer address's, and the other with dualStackAddressFamily). */
  readonly families: readonly Family[]
  /** Unnumbered peers: IPv4 routes with an IPv6 next hop when the peer agrees (RFC 8950). */
  readonly extendedNextHop?: boolean
  readonly gracefulRestart?: { readonly restartSeconds: number }
}

type Phase = Exclude<SessionState, 'Idle'>

interface Connection {
  readonly id: ConnId
  readonly dialled: boolean
  readonly phase: Phase
  readonly nextHops: NextHops
  /** Set once the peer's OPEN on this connection is accepted. */
  readonly agreed?: Agreed
}

export interface Session {
  /** Stopped by the owner: nothing dials or is accepted until the next Start. */
  readonly stopped: boolean
  readonly conn?: Connection | undefined
  /** A second connection from the peer while `conn` has not yet seen its OPEN (RFC 4271 §6.8). */
  readonly rival?: Connection | undefined
  readonly dials: number
  readonly wanted: readonly Route[]
  /** What the peer holds from us (empty unless Established). */
  readonly sent: AdjRibOut
  /** This speaker restarted and has not yet been Established since: the R and F bits (RFC 4724 §3). */
  readonly restarted: boolean
}

export type SessionEvent =
  | { readonly _tag: 'Start' }
  | { readonly _tag: 'Stop' }
  /** The routes wanted at this peer now (the whole set, not a change). */
  | { readonly _tag: 'Advertise'; readonly routes: readonly Route[] }
  /** A dial succeeded; `nextHops` are this end's addresses towards the peer. */
  | { readonly _tag: 'TcpConnected'; readonly conn: ConnId; readonly nextHops: NextHops }
  /** The peer connected to us. */
  | { readonly _tag: 'Accepted'; readonly conn: ConnId; readonly nextHops: NextHops }
  /** The dial failed or the connection closed. */
  | { readonly _tag: 'TcpClosed'; readonly conn: ConnId }
  | { readonly _tag: 'Received'; readonly conn: ConnId; readonly message: Received }
  /** Framing or decoding failed: the NOTIFICATION to answer with. */
  | { readonly _tag: 'Malformed'; readonly conn: ConnId; readonly notification: Notification }
  | { readonly _tag: 'TimerFired'; readonly timer: TimerName }

export type SessionAction =
  | { readonly _tag: 'Dial'; readonly conn: ConnId }
  | { readonly _tag: 'Send'; readonly conn: ConnId; readonly message: Message }
  | { readonly _tag: 'Close'; readonly conn: ConnId }
  | { readonly _tag: 'SetTimer'; readonly timer: TimerName; readonly seconds: number }
  | { readonly _tag: 'StopTimer'; readonly timer: TimerName }
  | { readonly _tag: 'Up'; readonly agreed: Agreed }
  | { readonly _tag: 'Down'; readonly reason: string }

interface Step {
  readonly session: Session
  readonly actions: readonly SessionAction[]
}

/** `restarted`: this process has just started with graceful restart on (RFC 4724 §4.1). */
export const initialSession = (restarted = false): Session => ({ stopped: true, dials: 0, wanted: [], sent: emptyRibOut, restarted })
export const sessionState = (s: Session): SessionState => s.conn?.phase ?? 'Idle'

/** RFC 4271 §8: a large hold time until the peer's OPEN says otherwise. */
export const INITIAL_HOLD_SECONDS = 240

const ALL_TIMERS: readonly TimerName[] = ['ConnectRetry', 'Hold', 'Keepalive', 'RivalHold']
const stopTimers = (names: readonly TimerName[] = ALL_TIMERS): SessionAction[] => names.map((timer) => ({ _tag: 'StopTimer', timer }))
const send = (conn: ConnId, message: Message): SessionAction => ({ _tag: 'Send', conn, message })
const sendNotification = (conn: ConnId, n: Notification): SessionAction => send(conn, { _tag: 'Notification', notification: n })
const cease = (subcode: number): Notification => notification(ErrorCode.Cease, subcode)
const nothing = (s: Session): Step => ({ session: s, actions: [] })
const is = (c: Connection | undefined, id: ConnId): c is Connection => c !== undefined && c.id === id

const openFor = (c: SessionConfig, s: Session): Message => ({
  _tag: 'Open',
  open: {
    asn: c.localAsn,
    holdTimeSeconds: c.holdTimeSeconds,
    routerId: c.routerId,
    capabilities: offeredCapabilities(c, c.gracefulRestart === undefined ? undefined : { ...c.gracefulRestart, restarted: s.restarted }),
  },
})

const retry = (c: SessionConfig, s: Session): SessionAction[] => (c.dial && !s.stopped ? [{ _tag: 'SetTimer', timer: 'ConnectRetry', seconds: c.connectRetrySeconds }] : [])

/** The main connection failed: close it (and any rival), say why, and dial again after ConnectRetry. */
const fail = (c: SessionConfig, s: Session, reason: string, before: readonly SessionAction[] = []): Step => {
  const wasUp = s.conn?.phase === 'Established'
  const next: Session = { ...s, conn: undefined, rival: undefined, sent: emptyRibOut }
  return {
    session: next,
    actions: [
      ...before,
      ...(s.conn === undefined ? [] : [{ _tag: 'Close', conn: s.conn.id } as const]),
      ...(s.rival === undefined ? [] : [sendNotification(s.rival.id, cease(CeaseError.ConnectionCollision)), { _tag: 'Close', conn: s.rival.id } as const]),
      ...stopTimers(),
      ...(wasUp ? [{ _tag: 'Down', reason } as const] : []),
      ...retry(c, next),
    ],
  }
}

const refuse = (c: SessionConfig, s: Session, n: Notification): Step => fail(c, s, `sent ${describeNotification(n)}`, s.conn === undefined ? [] : [sendNotification(s.conn.id, n)])

/** RFC 6608: which FSM error a message unexpected in this state is. */
const unexpected = (c: SessionConfig, s: Session, what: string): Step => {
  const phase = sessionState(s)
  const subcode = phase === 'OpenSent' ? 1 : phase === 'OpenConfirm' ? 2 : 3
  return fail(c, s, `unexpected ${what} in ${phase}`, s.conn === undefined ? [] : [sendNotification(s.conn.id, notification(ErrorCode.FiniteStateMachine, subcode))])
}

const holdTimers = (a: Agreed): SessionAction[] =>
  a.holdSeconds === 0
    ? stopTimers(['Hold', 'Keepalive'])
    : [
        { _tag: 'SetTimer', timer: 'Hold', seconds: a.holdSeconds },
        { _tag: 'SetTimer', timer: 'Keepalive', seconds: a.keepaliveSeconds },
      ]

/** Every message from the peer restarts the hold timer (none runs with a hold time of 0). */
const rearmHold = (s: Session): SessionAction[] => {
  const hold = s.conn?.agreed?.holdSeconds ?? 0
  return hold === 0 ? [] : [{ _tag: 'SetTimer', timer: 'Hold', seconds: hold }]
}

const updates = (conn: ConnId, us: readonly { readonly withdrawn: readonly unknown[] }[]): SessionAction[] => us.map((update) => send(conn, { _tag: 'Update', update: update as never }))

/** Established: the whole table, then End-of-RIB per family (RFC 4724 §4: after the initial update). */
const establish = (s: Session, conn: Connection, a: Agreed): Step => {
  const table = updatesFor(emptyRibOut, s.wanted, a.out)
  return {
    session: { ...s, conn: { ...conn, phase: 'Established' }, sent: table.sent, restarted: false },
    actions: [...rearmHold(s), { _tag: 'Up', agreed: a }, ...updates(conn.id, table.updates), ...updates(conn.id, a.out.families.map(endOfRib))],
  }
}

/** RFC 2918: the whole Adj-RIB-Out of the asked family again (a family not carried is ignored, §4). */
const refresh = (s: Session, conn: Connection, out: OutFacts, afi: number, safi: number): SessionAction[] => {
  const family: Family | undefined = safi !== SAFI_UNICAST ? undefined : afi === AFI.IPv4 ? 4 : afi === AFI.IPv6 ? 6 : undefined
  if (family === undefined || !out.families.includes(family)) return []
  return updates(conn.id, updatesFor(emptyRibOut, s.wanted, { ...out, families: [family] }).updates)
}

/** The peer's OPEN on connection `conn` (main or rival): agree, then settle any collision. */
const onOpen = (c: SessionConfig, s: Session, conn: Connection, m: Extract<Received, { _tag: 'Open' }>): Step => {
  const a = agree(c, m.open, conn.nextHops)
  const isRival = is(s.rival, conn.id)
  if (E.isLeft(a)) {
    if (!isRival) return refuse(c, s, a.left)
    return { session: { ...s, rival: undefined }, actions: [sendNotification(conn.id, a.left), { _tag: 'Close', conn: conn.id }, ...stopTimers(['RivalHold'])] }
  }
  const ready: Connection = { ...conn, phase: 'OpenConfirm', agreed: a.right }
  const other = isRival ? s.conn : s.rival
  if (other !== undefined) {
    // RFC 4271 §6.8: now the peer's identifier is known, one of the two goes.
    const keepDialled = winner(c.routerId, a.right.peerRouterId) === 'Dialled'
    const keep = ready.dialled === keepDialled ? ready : other
    const drop = keep === ready ? other : ready
    const main = keep === ready ? ready : other
    const dropActions: SessionAction[] = [sendNotification(drop.id, cease(CeaseError.ConnectionCollision)), { _tag: 'Close', conn: drop.id }, ...stopTimers(['RivalHold'])]
    if (keep !== ready) return { session: { ...s, conn: main, rival: undefined }, actions: dropActions }
    return { session: { ...s, conn: main, rival: undefined }, actions: [...dropActions, send(main.id, { _tag: 'Keepalive' }), ...holdTimers(a.right)] }
  }
  return { session: { ...s, conn: ready }, actions: [send(conn.id, { _tag: 'Keepalive' }), ...holdTimers(a.right)] }
}

const onMessage = (c: SessionConfig, s: Session, id: ConnId, m: Received): Step => {
  const conn = is(s.conn, id) ? s.conn : is(s.rival, id) ? s.rival : undefined
  // A late message from a connection already closed.
  if (conn === undefined) return nothing(s)
  if (conn !== s.conn) {
    if (m._tag === 'Open') return onOpen(c, s, conn, m)
    return { session: { ...s, rival: undefined }, actions: [{ _tag: 'Close', conn: conn.id }, ...stopTimers(['RivalHold'])] }
  }
  if (m._tag === 'Notification') return fail(c, s, `received ${describeNotification(m.notification)}`)
  switch (conn.phase) {
    case 'OpenSent':
      return m._tag === 'Open' ? onOpen(c, s, conn, m) : unexpected(c, s, m._tag)
    case 'OpenConfirm':
      if (m._tag !== 'Keepalive' || conn.agreed === undefined) return unexpected(c, s, m._tag)
      return establish(s, conn, conn.agreed)
    case 'Established': {
      if (m._tag === 'Open' || conn.agreed === undefined) return unexpected(c, s, m._tag)
      // Received routes are ignored: IronLB only advertises. An UPDATE with attribute errors is a
      // withdrawal of its routes (RFC 7606 treat-as-withdraw), which changes nothing here either.
      const again = m._tag === 'RouteRefresh' ? refresh(s, conn, conn.agreed.out, m.afi, m.safi) : []
      return { session: s, actions: [...rearmHold(s), ...again] }
    }
    case 'Connect':
      return nothing(s)
  }
}

/** A connection the peer opened to us (RFC 4271 §6.8 when we already have one). */
const onAccepted = (c: SessionConfig, s: Session, id: ConnId, nextHops: NextHops): Step => {
  const reject = (subcode: number): Step => ({ session: s, actions: [sendNotification(id, cease(subcode)), { _tag: 'Close', conn: id }] })
  if (s.stopped) return reject(CeaseError.ConnectionRejected)
  const incoming: Connection = { id, dialled: false, phase: 'OpenSent', nextHops }
  const main = s.conn
  if (main === undefined || main.phase === 'Connect')
    return {
      session: { ...s, conn: incoming },
      actions: [...(main === undefined ? [] : [{ _tag: 'Close', conn: main.id } as const]), ...stopTimers(['ConnectRetry']), send(id, openFor(c, s)), { _tag: 'SetTimer', timer: 'Hold', seconds: INITIAL_HOLD_SECONDS }],
    }
  if (main.phase === 'Established' || s.rival !== undefined) return reject(CeaseError.ConnectionCollision)
  if (main.phase === 'OpenConfirm' && main.agreed !== undefined) {
    // The peer's identifier is known: settle at once.
    if (winner(c.routerId, main.agreed.peerRouterId) === 'Dialled' || !main.dialled) return reject(CeaseError.ConnectionCollision)
    return {
      session: { ...s, conn: incoming },
      actions: [sendNotification(main.id, cease(CeaseError.ConnectionCollision)), { _tag: 'Close', conn: main.id }, ...stopTimers(['Keepalive']), send(id, openFor(c, s)), { _tag: 'SetTimer', timer: 'Hold', seconds: INITIAL_HOLD_SECONDS }],
    }
  }
  // OpenSent: keep both until one carries the peer's OPEN.
  return { session: { ...s, rival: incoming }, actions: [send(id, openFor(c, s)), { _tag: 'SetTimer', timer: 'RivalHold', seconds: INITIAL_HOLD_SECONDS }] }
}

const onTimer = (c: SessionConfig, s: Session, timer: TimerName): Step => {
  const phase = sessionState(s)
  switch (timer) {
    case 'ConnectRetry': {
      if (s.stopped || !c.dial || (phase !== 'Idle' && phase !== 'Connect')) return nothing(s)
      const id = `out:${s.dials + 1}`
      return {
        session: { ...s, dials: s.dials + 1, conn: { id, dialled: true, phase: 'Connect', nextHops: {} } },
        actions: [...(s.conn === undefined ? [] : [{ _tag: 'Close', conn: s.conn.id } as const]), { _tag: 'Dial', conn: id }, ...retry(c, s)],
      }
    }
    case 'Hold':
      return phase === 'OpenSent' || phase === 'OpenConfirm' || phase === 'Established' ? refuse(c, s, notification(ErrorCode.HoldTimerExpired, 0)) : nothing(s)
    case 'RivalHold':
      return s.rival === undefined ? nothing(s) : { session: { ...s, rival: undefined }, actions: [sendNotification(s.rival.id, notification(ErrorCode.HoldTimerExpired, 0)), { _tag: 'Close', conn: s.rival.id }] }
    case 'Keepalive': {
      const a = s.conn?.agreed
      // A late firing after the timer was stopped (hold time 0, or not yet negotiated) sends nothing.
      if (s.conn === undefined || a === undefined || a.holdSeconds === 0) return nothing(s)
      return { session: s, actions: [send(s.conn.id, { _tag: 'Keepalive' }), { _tag: 'SetTimer', timer: 'Keepalive', seconds: a.keepaliveSeconds }] }
    }
  }
}

const onClosed = (c: SessionConfig, s: Session, id: ConnId): Step => {
  if (is(s.rival, id)) return { session: { ...s, rival: undefined }, actions: stopTimers(['RivalHold']) }
  if (!is(s.conn, id)) return nothing(s)
  // A failed dial waits for ConnectRetry, already set.
  if (s.conn.phase === 'Connect') return { session: { ...s, conn: undefined }, actions: [] }
  return fail(c, s, 'connection closed')
}

export const step = (c: SessionConfig, s: Session, e: SessionEvent): Step => {
  switch (e._tag) {
    case 'Start': {
      if (!s.stopped) return nothing(s)
      const started = { ...s, stopped: false }
      return c.dial ? onTimer(c, started, 'ConnectRetry') : nothing(started)
    }
    case 'Stop': {
      const bye = (conn: Connection | undefined): SessionAction[] =>
        conn === undefined ? [] : [...(conn.phase === 'Connect' ? [] : [sendNotification(conn.id, cease(CeaseError.AdministrativeShutdown))]), { _tag: 'Close', conn: conn.id }]
      const down: SessionAction[] = s.conn?.phase === 'Established' ? [{ _tag: 'Down', reason: 'stopped' }] : []
      return { session: { ...s, stopped: true, conn: undefined, rival: undefined, sent: emptyRibOut }, actions: [...bye(s.conn), ...bye(s.rival), ...stopTimers(), ...down] }
    }
    case 'Advertise': {
      const conn = s.conn
      const out = conn?.agreed?.out
      if (conn === undefined || conn.phase !== 'Established' || out === undefined) return nothing({ ...s, wanted: e.routes })
      const d = updatesFor(s.sent, e.routes, out)
      return { session: { ...s, wanted: e.routes, sent: d.sent }, actions: updates(conn.id, d.updates) }
    }
    case 'TcpConnected': {
      if (!is(s.conn, e.conn) || s.conn.phase !== 'Connect') return { session: s, actions: [{ _tag: 'Close', conn: e.conn }] }
      return {
        session: { ...s, conn: { ...s.conn, phase: 'OpenSent', nextHops: e.nextHops } },
        actions: [...stopTimers(['ConnectRetry']), send(e.conn, openFor(c, s)), { _tag: 'SetTimer', timer: 'Hold', seconds: INITIAL_HOLD_SECONDS }],
      }
    }
    case 'Accepted':
      return onAccepted(c, s, e.conn, e.nextHops)
    case 'TcpClosed':
      return onClosed(c, s, e.conn)
    case 'Received':
      return onMessage(c, s, e.conn, e.message)
    case 'Malformed': {
      if (is(s.rival, e.conn)) return { session: { ...s, rival: undefined }, actions: [sendNotification(e.conn, e.notification), { _tag: 'Close', conn: e.conn }, ...stopTimers(['RivalHold'])] }
      return is(s.conn, e.conn) && s.conn.phase !== 'Connect' ? refuse(c, s, e.notification) : nothing(s)
    }
    case 'TimerFired':
      return onTimer(c, s, e.timer)
  }
}

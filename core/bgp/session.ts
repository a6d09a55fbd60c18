// The BGP session state machine of a speaker that dials its peer (RFC 4271 §8, simplified to the
// active side: IronLB's speakers connect out, as MetalLB's native speakers do). Pure: an event and
// the session in, the next session and the actions for the shell out (dial, send, close, timers).
// Time never enters: timers are actions, and their expiry comes back as an event.
import type { Message, Received } from './message.js'
import { CeaseError, ErrorCode, type Notification, OpenError, describeNotification, notification } from './notification.js'
import type { Capability } from './open.js'

export type SessionState = 'Idle' | 'Connect' | 'OpenSent' | 'OpenConfirm' | 'Established'
export type TimerName = 'ConnectRetry' | 'Hold' | 'Keepalive'

export interface SessionConfig {
  readonly localAsn: number
  readonly peerAsn: number
  readonly routerId: number
  /** What we offer: 0 (no keepalives) or at least 3. */
  readonly holdTimeSeconds: number
  readonly connectRetrySeconds: number
  readonly capabilities: readonly Capability[]
}

export interface Session {
  readonly state: SessionState
  /** The negotiated hold time (the smaller offer), once both OPENs are in. */
  readonly holdSeconds?: number
  /** Stopped by the owner: nothing dials until the next Start. */
  readonly stopped: boolean
}

export type SessionEvent =
  | { readonly _tag: 'Start' }
  | { readonly _tag: 'Stop' }
  | { readonly _tag: 'TcpConnected' }
  /** The dial failed or the connection closed. */
  | { readonly _tag: 'TcpClosed' }
  | { readonly _tag: 'Received'; readonly message: Received }
  /** Framing or decoding failed: the NOTIFICATION to answer with. */
  | { readonly _tag: 'Malformed'; readonly notification: Notification }
  | { readonly _tag: 'TimerFired'; readonly timer: TimerName }

export type SessionAction =
  | { readonly _tag: 'Dial' }
  | { readonly _tag: 'Send'; readonly message: Message }
  | { readonly _tag: 'Close' }
  | { readonly _tag: 'SetTimer'; readonly timer: TimerName; readonly seconds: number }
  | { readonly _tag: 'StopTimer'; readonly timer: TimerName }
  /** Advertise now (and again after every Down then Up). */
  | { readonly _tag: 'Up' }
  | { readonly _tag: 'Down'; readonly reason: string }
  /** The peer asked for our routes again (RFC 2918). */
  | { readonly _tag: 'Resend' }

interface Step {
  readonly session: Session
  readonly actions: readonly SessionAction[]
}

export const initialSession: Session = { state: 'Idle', stopped: true }

/** RFC 4271 §8: a large hold time until the peer's OPEN says otherwise. */
export const INITIAL_HOLD_SECONDS = 240

const ALL_TIMERS: readonly TimerName[] = ['ConnectRetry', 'Hold', 'Keepalive']
const stopTimers = (): SessionAction[] => ALL_TIMERS.map((timer) => ({ _tag: 'StopTimer', timer }))
const send = (message: Message): SessionAction => ({ _tag: 'Send', message })
const sendNotification = (n: Notification): SessionAction => send({ _tag: 'Notification', notification: n })
const connected = (s: SessionState): boolean => s === 'OpenSent' || s === 'OpenConfirm' || s === 'Established'

/** Keepalives at a third of the hold time (RFC 4271 §10), at least every second. */
const keepaliveSeconds = (hold: number): number => Math.max(1, Math.floor(hold / 3))

/** Back to Idle after a failure: close, say why, and dial again after ConnectRetry. */
const fail = (c: SessionConfig, s: Session, reason: string, before: readonly SessionAction[] = []): Step => ({
  session: { state: 'Idle', stopped: s.stopped },
  actions: [...before, { _tag: 'Close' }, ...stopTimers(), ...(connected(s.state) ? [{ _tag: 'Down', reason } as const] : []), { _tag: 'SetTimer', timer: 'ConnectRetry', seconds: c.connectRetrySeconds }],
})

const refuse = (c: SessionConfig, s: Session, n: Notification): Step => fail(c, s, `sent ${describeNotification(n)}`, [sendNotification(n)])

/** RFC 6608: which FSM error a message unexpected in this state is. */
const unexpected = (c: SessionConfig, s: Session, what: string): Step => {
  const subcode = s.state === 'OpenSent' ? 1 : s.state === 'OpenConfirm' ? 2 : 3
  return fail(c, s, `unexpected ${what} in ${s.state}`, [sendNotification(notification(ErrorCode.FiniteStateMachine, subcode))])
}

const holdTimers = (hold: number): SessionAction[] =>
  hold === 0
    ? [
        { _tag: 'StopTimer', timer: 'Hold' },
        { _tag: 'StopTimer', timer: 'Keepalive' },
      ]
    : [
        { _tag: 'SetTimer', timer: 'Hold', seconds: hold },
        { _tag: 'SetTimer', timer: 'Keepalive', seconds: keepaliveSeconds(hold) },
      ]

/** Every message from the peer restarts the hold timer (none runs with a hold time of 0). */
const rearmHold = (s: Session): SessionAction[] => ((s.holdSeconds ?? 0) === 0 ? [] : [{ _tag: 'SetTimer', timer: 'Hold', seconds: s.holdSeconds ?? 0 }])

const onMessage = (c: SessionConfig, s: Session, m: Received): Step => {
  if (m._tag === 'Notification') return fail(c, s, `received ${describeNotification(m.notification)}`)
  switch (s.state) {
    case 'OpenSent': {
      if (m._tag !== 'Open') return unexpected(c, s, m._tag)
      if (m.open.asn !== c.peerAsn) return refuse(c, s, notification(ErrorCode.Open, OpenError.BadPeerAs, Uint8Array.of((m.open.asn >>> 8) & 0xff, m.open.asn & 0xff)))
      if (m.open.routerId === c.routerId && c.peerAsn === c.localAsn) return refuse(c, s, notification(ErrorCode.Open, OpenError.BadBgpIdentifier))
      const hold = Math.min(c.holdTimeSeconds, m.open.holdTimeSeconds)
      return { session: { ...s, state: 'OpenConfirm', holdSeconds: hold }, actions: [send({ _tag: 'Keepalive' }), ...holdTimers(hold)] }
    }
    case 'OpenConfirm':
      if (m._tag !== 'Keepalive') return unexpected(c, s, m._tag)
      return { session: { ...s, state: 'Established' }, actions: [...rearmHold(s), { _tag: 'Up' }] }
    case 'Established': {
      if (m._tag === 'Open') return unexpected(c, s, m._tag)
      return { session: s, actions: m._tag === 'RouteRefresh' ? [...rearmHold(s), { _tag: 'Resend' }] : rearmHold(s) }
    }
    case 'Idle':
    case 'Connect':
      // No connection to read from: a late message from a closed one.
      return { session: s, actions: [] }
  }
}

const onTimer = (c: SessionConfig, s: Session, timer: TimerName): Step => {
  switch (timer) {
    case 'ConnectRetry':
      return s.stopped || connected(s.state) ? { session: s, actions: [] } : { session: { ...s, state: 'Connect' }, actions: [{ _tag: 'Close' }, { _tag: 'Dial' }, { _tag: 'SetTimer', timer: 'ConnectRetry', seconds: c.connectRetrySeconds }] }
    case 'Hold':
      return connected(s.state) ? refuse(c, s, notification(ErrorCode.HoldTimerExpired, 0)) : { session: s, actions: [] }
    case 'Keepalive':
      // A late firing after the timer was stopped (hold time 0, or not yet negotiated) sends nothing.
      return (s.state === 'OpenConfirm' || s.state === 'Established') && (s.holdSeconds ?? 0) > 0
        ? { session: s, actions: [send({ _tag: 'Keepalive' }), { _tag: 'SetTimer', timer: 'Keepalive', seconds: keepaliveSeconds(s.holdSeconds ?? 0) }] }
        : { session: s, actions: [] }
  }
}

export const step = (c: SessionConfig, s: Session, e: SessionEvent): Step => {
  switch (e._tag) {
    case 'Start':
      return s.state !== 'Idle' ? { session: { ...s, stopped: false }, actions: [] } : { session: { state: 'Connect', stopped: false }, actions: [{ _tag: 'Dial' }, { _tag: 'SetTimer', timer: 'ConnectRetry', seconds: c.connectRetrySeconds }] }
    case 'Stop': {
      const goodbye = connected(s.state) ? [sendNotification(notification(ErrorCode.Cease, CeaseError.AdministrativeShutdown))] : []
      const down: SessionAction[] = connected(s.state) ? [{ _tag: 'Down', reason: 'stopped' }] : []
      return { session: { state: 'Idle', stopped: true }, actions: s.state === 'Idle' ? stopTimers() : [...goodbye, { _tag: 'Close' }, ...stopTimers(), ...down] }
    }
    case 'TcpConnected':
      if (s.state !== 'Connect') return { session: s, actions: [{ _tag: 'Close' }] }
      return {
        session: { ...s, state: 'OpenSent' },
        actions: [
          { _tag: 'StopTimer', timer: 'ConnectRetry' },
          send({ _tag: 'Open', open: { asn: c.localAsn, holdTimeSeconds: c.holdTimeSeconds, routerId: c.routerId, capabilities: c.capabilities } }),
          { _tag: 'SetTimer', timer: 'Hold', seconds: INITIAL_HOLD_SECONDS },
        ],
      }
    case 'TcpClosed':
      return s.state === 'Idle' ? { session: s, actions: [] } : fail(c, s, 'connection closed')
    case 'Received':
      return onMessage(c, s, e.message)
    case 'Malformed':
      return connected(s.state) ? refuse(c, s, e.notification) : { session: s, actions: [] }
    case 'TimerFired':
      return onTimer(c, s, e.timer)
  }
}

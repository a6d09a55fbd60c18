// One BFD session in asynchronous mode (RFC 5880 §6): the state machine of §6.2 and §6.8.6, the
// poll sequence that changes timers while Up (§6.5, §6.8.3), the detection time (§6.8.4), jittered
// transmission (§6.8.7) and the passive role (§6.1). Pure: a packet that passed core/bfd/packet.ts,
// a timer expiry or a command goes in; the next session and the shell's actions come out. Time and
// entropy enter as arguments: timers are actions, and the jitter is a number in [0, 1) the shell draws.
// The echo function (§6.4) runs beside it: while echo is active (core/bfd/echo.ts says when) the
// shell sends an echo at each Echo timer and reports each one that came back; none back for the echo
// detection time takes the session Down with diag 2. Control packets keep their rate with echo on (the
// slower control rate §6.4 suggests is the operator's to set in the profile, as with FRR).
// Not done: demand mode (never asked for, never sent).
import { echoActive, echoDetectionMs, echoIntervalMs } from './echo.js'
import { type BfdState, type ControlPacket, Diag } from './packet.js'

/** What the owner asks for (a BFDProfile, in microseconds as on the wire). */
export interface BfdTimers {
  readonly desiredMinTxUs: number
  readonly requiredMinRxUs: number
  readonly detectMult: number
  /** Our echo interval (BFDProfile echoInterval), also our Required Min Echo RX; 0: no echo either way. */
  readonly echoUs: number
}

export interface BfdSession {
  readonly state: BfdState
  readonly localDiscr: number
  /** 0 until the peer is heard, and again after a detection time of silence (§6.8.1). */
  readonly remoteDiscr: number
  readonly remoteState: BfdState
  readonly localDiag: number
  readonly passive: boolean
  readonly wanted: BfdTimers
  /** The intervals the peer has been told and (while Up) has confirmed with a Final: in force. */
  readonly inForce: { readonly txUs: number; readonly rxUs: number }
  /** A poll sequence is running: every packet we send carries P until a Final comes back. */
  readonly polling: boolean
  readonly remoteMinRxUs: number
  readonly remoteDesiredMinTxUs: number
  readonly remoteDetectMult: number
  /** The peer's Required Min Echo RX Interval: 0 means it loops no echoes back. */
  readonly remoteMinEchoRxUs: number
  /** The echo timers are running (echo was active after the last step). */
  readonly echoing: boolean
}

/** Transmit and Detect for control packets; Echo sends the next echo, EchoDetect is echo loss. */
export type TimerName = 'Transmit' | 'Detect' | 'Echo' | 'EchoDetect'

export type BfdEvent =
  /** Out of AdminDown: start the session (a new session starts here too). */
  | { readonly _tag: 'Start' }
  /** Into AdminDown (§6.8.16): tells the peer once, then sends nothing. */
  | { readonly _tag: 'Stop' }
  | { readonly _tag: 'Received'; readonly packet: ControlPacket }
  | { readonly _tag: 'TimerFired'; readonly timer: TimerName }
  | { readonly _tag: 'ChangeTimers'; readonly timers: BfdTimers }
  /** One of our echoes came back (the shell checked it: core/bfd/echoFrame.ts). */
  | { readonly _tag: 'EchoReturned' }

export type BfdAction =
  | { readonly _tag: 'Send'; readonly packet: ControlPacket }
  /** Send one echo packet (the shell builds the frame: our address both ways, to the peer's MAC). */
  | { readonly _tag: 'SendEcho' }
  | { readonly _tag: 'SetTimer'; readonly timer: TimerName; readonly ms: number }
  | { readonly _tag: 'StopTimer'; readonly timer: TimerName }
  | { readonly _tag: 'StateChanged'; readonly from: BfdState; readonly to: BfdState; readonly diag: number }

interface BfdStep {
  readonly session: BfdSession
  readonly actions: readonly BfdAction[]
}

/** §6.8.3: while not Up, never ask to send faster than once a second. */
const SLOW_TX_US = 1_000_000

/** A new session: AdminDown until Start. `localDiscr` is the shell's (unique, nonzero, §6.8.1). */
export const initialSession = (localDiscr: number, wanted: BfdTimers, passive: boolean): BfdSession => ({
  state: 'AdminDown',
  localDiscr,
  remoteDiscr: 0,
  remoteState: 'Down',
  localDiag: Diag.None,
  passive,
  wanted,
  inForce: { txUs: Math.max(wanted.desiredMinTxUs, SLOW_TX_US), rxUs: wanted.requiredMinRxUs },
  polling: false,
  remoteMinRxUs: 1,
  remoteDesiredMinTxUs: 0,
  remoteDetectMult: 0,
  remoteMinEchoRxUs: 0,
  echoing: false,
})

/** The Desired Min TX we advertise now: the wanted one when Up, at least a second otherwise. */
const advertisedTxUs = (s: BfdSession): number => (s.state === 'Up' ? s.wanted.desiredMinTxUs : Math.max(s.wanted.desiredMinTxUs, SLOW_TX_US))

/**
 * §6.8.3: while a poll runs, a slower transmit rate waits for the Final, a faster one may start at once;
 * a lower Required Min RX waits too (the peer may still send at the old rate), a higher one at once.
 */
const txUsedUs = (s: BfdSession): number => (s.polling ? Math.min(advertisedTxUs(s), s.inForce.txUs) : advertisedTxUs(s))
const rxUsedUs = (s: BfdSession): number => (s.polling ? Math.max(s.wanted.requiredMinRxUs, s.inForce.rxUs) : s.wanted.requiredMinRxUs)

/** §6.8.7: the interval is the larger of ours and the peer's Required Min RX, less 0-25 % (75-90 % with Detect Mult 1). */
const transmitIntervalMs = (s: BfdSession, jitter: number): number => {
  const j = Math.min(Math.max(jitter, 0), 1)
  const factor = s.wanted.detectMult === 1 ? 0.9 - 0.15 * j : 1 - 0.25 * j
  return (Math.max(txUsedUs(s), s.remoteMinRxUs) * factor) / 1000
}

/** §6.8.4, asynchronous mode: the peer's Detect Mult times the larger of our Required Min RX and its Desired Min TX. */
export const detectionTimeMs = (s: BfdSession): number => (s.remoteDetectMult * Math.max(rxUsedUs(s), s.remoteDesiredMinTxUs)) / 1000

/** The packet as §6.8.7 fills it in; `final` answers a Poll (never both P and F, §6.8.7). */
const packetOf = (s: BfdSession, final: boolean): ControlPacket => ({
  diag: s.localDiag,
  state: s.state,
  poll: s.polling && !final,
  final,
  controlPlaneIndependent: false,
  demand: false,
  detectMult: s.wanted.detectMult,
  myDiscriminator: s.localDiscr,
  yourDiscriminator: s.remoteDiscr,
  desiredMinTxUs: advertisedTxUs(s),
  requiredMinRxUs: s.wanted.requiredMinRxUs,
  requiredMinEchoRxUs: s.wanted.echoUs,
})

/** §6.1 and §6.8.7: a passive side is silent until it has heard the peer; nobody sends to a peer that wants none. */
const maySend = (s: BfdSession): boolean => s.state !== 'AdminDown' && !(s.passive && s.remoteDiscr === 0) && s.remoteMinRxUs !== 0

const send = (s: BfdSession, final = false): BfdAction[] => (maySend(s) || (final && s.state !== 'AdminDown') ? [{ _tag: 'Send', packet: packetOf(s, final) }] : [])

/** Out of Up (or into AdminDown): no poll, and what the peer is told now is in force (§6.8.3 polls only while Up). */
const settled = (s: BfdSession): BfdSession => ({ ...s, polling: false, inForce: { txUs: advertisedTxUs(s), rxUs: s.wanted.requiredMinRxUs } })

const rearm = (s: BfdSession, jitter: number): BfdAction => ({ _tag: 'SetTimer', timer: 'Transmit', ms: transmitIntervalMs(s, jitter) })

/**
 * Moves to `to` with `diag`. Leaving Up drops to the slow rate at once; reaching Up advertises the
 * wanted rate, and a poll confirms it when it differs from what the peer was told. A state change is
 * sent at once, and the transmit timer restarts at the new rate, rather than a slow interval later.
 */
const moveTo = (s: BfdSession, to: BfdState, diag: number, jitter: number): { session: BfdSession; actions: BfdAction[] } => {
  const entered: BfdSession = { ...s, state: to, localDiag: diag }
  const next: BfdSession =
    to === 'Up'
      ? { ...entered, polling: entered.polling || advertisedTxUs(entered) !== s.inForce.txUs || entered.wanted.requiredMinRxUs !== s.inForce.rxUs }
      : settled(entered)
  return { session: next, actions: [{ _tag: 'StateChanged', from: s.state, to, diag }, ...send(next), rearm(next, jitter)] }
}

/** §6.8.6 from "If bfd.SessionState is AdminDown" on: what the peer's state does to ours. */
const transition = (s: BfdSession, remote: BfdState, jitter: number): { session: BfdSession; actions: BfdAction[] } | undefined => {
  if (remote === 'AdminDown') return s.state === 'Down' ? undefined : moveTo(s, 'Down', Diag.NeighborSignaledSessionDown, jitter)
  switch (s.state) {
    case 'Down':
      return remote === 'Down' ? moveTo(s, 'Init', Diag.None, jitter) : remote === 'Init' ? moveTo(s, 'Up', Diag.None, jitter) : undefined
    case 'Init':
      return remote === 'Init' || remote === 'Up' ? moveTo(s, 'Up', Diag.None, jitter) : undefined
    case 'Up':
      return remote === 'Down' ? moveTo(s, 'Down', Diag.NeighborSignaledSessionDown, jitter) : undefined
    case 'AdminDown':
      return undefined
  }
}

const onReceive = (s: BfdSession, p: ControlPacket, jitter: number): BfdStep => {
  // §6.8.6: a packet for another session (the shell matched it by address) is discarded.
  if (p.yourDiscriminator !== 0 && p.yourDiscriminator !== s.localDiscr) return { session: s, actions: [] }
  if (s.state === 'AdminDown') return { session: s, actions: [] }
  const pollEnds = p.final && s.polling
  const heard: BfdSession = {
    ...s,
    remoteDiscr: p.myDiscriminator,
    remoteState: p.state,
    remoteMinRxUs: p.requiredMinRxUs,
    remoteDesiredMinTxUs: p.desiredMinTxUs,
    remoteDetectMult: p.detectMult,
    remoteMinEchoRxUs: p.requiredMinEchoRxUs,
    ...(pollEnds ? { polling: false, inForce: { txUs: advertisedTxUs(s), rxUs: s.wanted.requiredMinRxUs } } : {}),
  }
  const moved = transition(heard, p.state, jitter)
  const after = moved?.session ?? heard
  const wasSilent = s.passive && s.remoteDiscr === 0
  const actions: BfdAction[] = [
    ...(moved?.actions ?? []),
    // §6.8.6: a Poll is answered at once with a Final, whatever the transmit timer says.
    ...(p.poll ? send(after, true) : []),
    ...(wasSilent && moved === undefined ? send(after) : []),
    ...(pollEnds && moved === undefined ? [rearm(after, jitter)] : []),
    { _tag: 'SetTimer', timer: 'Detect', ms: detectionTimeMs(after) },
  ]
  return { session: after, actions }
}

/** §6.8.4 and §6.8.1: silence for a detection time takes Init or Up down with diag 1 and forgets the peer. */
const onDetect = (s: BfdSession, jitter: number): BfdStep => {
  if (s.state === 'AdminDown') return { session: s, actions: [] }
  const forgotten: BfdSession = { ...s, remoteDiscr: 0, remoteState: 'Down' }
  if (s.state === 'Down') return { session: forgotten, actions: [] }
  const moved = moveTo(forgotten, 'Down', Diag.ControlDetectionTimeExpired, jitter)
  return { session: moved.session, actions: moved.actions }
}

const echoOf = (s: BfdSession) => ({ state: s.state, echoUs: s.wanted.echoUs, remoteMinEchoRxUs: s.remoteMinEchoRxUs, detectMult: s.wanted.detectMult })

const echoDetect = (s: BfdSession): BfdAction => ({ _tag: 'SetTimer', timer: 'EchoDetect', ms: echoDetectionMs(echoOf(s)) })
const nextEcho = (s: BfdSession, jitter: number): BfdAction => ({ _tag: 'SetTimer', timer: 'Echo', ms: echoIntervalMs(echoOf(s), jitter) })

/** §6.8.5: no echo back for the echo detection time takes an Up session Down with diag 2. */
const onEchoTimer = (s: BfdSession, timer: 'Echo' | 'EchoDetect', jitter: number): BfdStep => {
  if (!s.echoing) return { session: s, actions: [] }
  if (timer === 'Echo') return { session: s, actions: [{ _tag: 'SendEcho' }, nextEcho(s, jitter)] }
  return moveTo(s, 'Down', Diag.EchoFunctionFailed, jitter)
}

/** Starts the echo timers when a step made echo active, stops them when it made it inactive. */
const withEcho = (r: BfdStep, jitter: number): BfdStep => {
  const on = echoActive(echoOf(r.session))
  if (on === r.session.echoing) return r
  const session: BfdSession = { ...r.session, echoing: on }
  const echoActions: BfdAction[] = on
    ? [{ _tag: 'SendEcho' }, nextEcho(session, jitter), echoDetect(session)]
    : [{ _tag: 'StopTimer', timer: 'Echo' }, { _tag: 'StopTimer', timer: 'EchoDetect' }]
  return { session, actions: [...r.actions, ...echoActions] }
}

const onTimer = (s: BfdSession, timer: TimerName, jitter: number): BfdStep => {
  switch (timer) {
    case 'Detect':
      return onDetect(s, jitter)
    case 'Transmit':
      return s.state === 'AdminDown' ? { session: s, actions: [] } : { session: s, actions: [...send(s), rearm(s, jitter)] }
    case 'Echo':
    case 'EchoDetect':
      return onEchoTimer(s, timer, jitter)
  }
}

const controlStep = (s: BfdSession, e: BfdEvent, jitter: number): BfdStep => {
  switch (e._tag) {
    case 'Start': {
      if (s.state !== 'AdminDown') return { session: s, actions: [] }
      const n = settled({ ...s, state: 'Down', localDiag: Diag.None, remoteDiscr: 0, remoteState: 'Down' })
      return { session: n, actions: [{ _tag: 'StateChanged', from: 'AdminDown', to: 'Down', diag: Diag.None }, ...send(n), rearm(n, jitter)] }
    }
    case 'Stop': {
      if (s.state === 'AdminDown') return { session: s, actions: [] }
      // The peer hears AdminDown (diag 7) once, so it goes Down with diag 3 rather than after a detection time.
      const n = settled({ ...s, state: 'AdminDown', localDiag: Diag.AdministrativelyDown })
      const tell: BfdAction[] = s.remoteDiscr !== 0 || !s.passive ? [{ _tag: 'Send', packet: packetOf(n, false) }] : []
      return {
        session: n,
        actions: [...tell, { _tag: 'StopTimer', timer: 'Transmit' }, { _tag: 'StopTimer', timer: 'Detect' }, { _tag: 'StateChanged', from: s.state, to: 'AdminDown', diag: Diag.AdministrativelyDown }],
      }
    }
    case 'Received':
      return onReceive(s, e.packet, jitter)
    case 'TimerFired':
      return onTimer(s, e.timer, jitter)
    case 'EchoReturned':
      return { session: s, actions: s.echoing ? [echoDetect(s)] : [] }
    case 'ChangeTimers': {
      // §6.8.3: while Up, a change is confirmed by a poll sequence; otherwise it is in force at once.
      const changed: BfdSession = { ...s, wanted: e.timers }
      const n: BfdSession =
        s.state === 'Up' ? { ...changed, polling: true } : { ...changed, inForce: { txUs: advertisedTxUs(changed), rxUs: e.timers.requiredMinRxUs } }
      return { session: n, actions: s.state === 'AdminDown' ? [] : [...send(n), rearm(n, jitter)] }
    }
  }
}

/** `jitter` in [0, 1) is the shell's draw for whichever transmit or echo timer this step arms (§6.8.7, §6.8.9). */
export const step = (s: BfdSession, e: BfdEvent, jitter: number): BfdStep => withEcho(controlStep(s, e, jitter), jitter)

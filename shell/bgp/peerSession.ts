// One BGP session to one router: the imperative side of core/bgp/session.ts. It carries out the
// state machine's actions (dial, send, close, timers) on a TCP socket and feeds back what happens
// (connected, bytes framed and decoded, closed, timers fired). The owner learns Up / Down / Resend
// and may send UPDATEs while the session is up.
import { type Socket, connect } from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import { splitMessages } from '../../core/bgp/header.js'
import { type Message, type Received, decodeMessage, encodeMessage } from '../../core/bgp/message.js'
import type { Capability } from '../../core/bgp/open.js'
import { type Session, type SessionAction, type SessionConfig, type SessionEvent, type SessionState, type TimerName, initialSession, step } from '../../core/bgp/session.js'
import type { Update } from '../../core/bgp/update.js'
import type { Logger } from '../obs/log.js'

interface ConnectTo {
  readonly host: string
  readonly port: number
  readonly localAddress?: string
}

interface PeerSessionOptions {
  readonly config: SessionConfig
  readonly remote: string
  readonly port?: number
  readonly localAddress?: string
  /** Opens the TCP connection (default: node:net connect); shell/native/tcpSocket.ts dialTcp adds MD5, TTL and device. */
  readonly connect?: (to: ConnectTo) => Socket
  readonly log: Logger
  readonly onUp?: () => void
  readonly onDown?: (reason: string) => void
  readonly onResend?: () => void
  /** Every message decoded from the peer (for tests and debugging). */
  readonly onMessage?: (m: Received) => void
}

interface PeerSession {
  readonly start: () => void
  /** Sends Cease when connected, closes, and stops dialling. */
  readonly stop: () => void
  /** False (nothing sent) unless the session is Established. */
  readonly sendUpdate: (u: Update) => boolean
  readonly state: () => SessionState
}

const hasFourOctetAs = (caps: readonly Capability[]): boolean => caps.some((c) => c._tag === 'FourOctetAs')

/** One session's mutable side: the state machine's state, the current socket and its unframed bytes. */
interface Connection {
  session: Session
  socket: Socket | undefined
  pending: Uint8Array
  peerFourOctetAs: boolean
  readonly timers: Map<TimerName, NodeJS.Timeout>
}

type Dispatch = (e: SessionEvent) => void

const codecOf = (o: PeerSessionOptions, c: Connection): { fourOctetAs: boolean } => ({ fourOctetAs: c.peerFourOctetAs && hasFourOctetAs(o.config.capabilities) })

const write = (o: PeerSessionOptions, c: Connection, m: Message): void => {
  c.socket?.write(encodeMessage(m, codecOf(o, c)))
}

/** Frames and decodes what socket `s` delivered, if it is still the current one, and feeds each message in. */
const onBytes = (o: PeerSessionOptions, c: Connection, dispatch: Dispatch, s: Socket, chunk: Buffer): void => {
  if (s !== c.socket) return
  const framed = splitMessages(c.pending.length === 0 ? new Uint8Array(chunk) : new Uint8Array([...c.pending, ...chunk]))
  c.pending = framed.rest
  for (const raw of framed.messages) {
    if (s !== c.socket) return // an earlier message closed this connection
    const m = decodeMessage(raw, codecOf(o, c))
    if (E.isLeft(m)) return dispatch({ _tag: 'Malformed', notification: m.left })
    if (m.right._tag === 'Open') c.peerFourOctetAs = hasFourOctetAs(m.right.open.capabilities)
    o.onMessage?.(m.right)
    dispatch({ _tag: 'Received', message: m.right })
  }
  if (framed.error !== undefined && s === c.socket) dispatch({ _tag: 'Malformed', notification: framed.error })
}

const dial = (o: PeerSessionOptions, c: Connection, dispatch: Dispatch): void => {
  c.pending = new Uint8Array(0)
  c.peerFourOctetAs = false
  const s = (o.connect ?? connect)({ host: o.remote, port: o.port ?? 179, ...(o.localAddress === undefined ? {} : { localAddress: o.localAddress }) })
  c.socket = s
  s.setNoDelay(true)
  s.on('connect', () => s === c.socket && dispatch({ _tag: 'TcpConnected' }))
  s.on('data', (chunk: Buffer) => onBytes(o, c, dispatch, s, chunk))
  s.on('error', (err) => o.log.debug('bgp-socket-error', { peer: o.remote, error: err }))
  s.on('close', () => s === c.socket && dispatch({ _tag: 'TcpClosed' }))
}

/** Carries out one action of the state machine. */
const perform = (o: PeerSessionOptions, c: Connection, dispatch: Dispatch, a: SessionAction): void => {
  switch (a._tag) {
    case 'Dial':
      return dial(o, c, dispatch)
    case 'Send':
      return write(o, c, a.message)
    case 'Close': {
      const s = c.socket
      c.socket = undefined
      // end() lets a NOTIFICATION written just before leave; destroy() bounds the wait.
      s?.end()
      if (s !== undefined) setTimeout(() => s.destroy(), 1_000).unref()
      return
    }
    case 'SetTimer': {
      clearTimeout(c.timers.get(a.timer))
      c.timers.set(a.timer, setTimeout(() => dispatch({ _tag: 'TimerFired', timer: a.timer }), a.seconds * 1000))
      return
    }
    case 'StopTimer':
      clearTimeout(c.timers.get(a.timer))
      c.timers.delete(a.timer)
      return
    case 'Up':
      o.log.info('bgp-session-up', { peer: o.remote })
      return o.onUp?.()
    case 'Down':
      o.log.info('bgp-session-down', { peer: o.remote, reason: a.reason })
      return o.onDown?.(a.reason)
    case 'Resend':
      return o.onResend?.()
  }
}

export const startPeerSession = (o: PeerSessionOptions): PeerSession => {
  const c: Connection = { session: initialSession, socket: undefined, pending: new Uint8Array(0), peerFourOctetAs: false, timers: new Map() }
  const dispatch: Dispatch = (e) => {
    const r = step(o.config, c.session, e)
    if (r.session.state !== c.session.state) o.log.debug('bgp-state', { peer: o.remote, from: c.session.state, to: r.session.state, event: e._tag })
    c.session = r.session
    for (const a of r.actions) perform(o, c, dispatch, a)
  }
  return {
    start: () => dispatch({ _tag: 'Start' }),
    stop: () => dispatch({ _tag: 'Stop' }),
    sendUpdate: (u) => {
      if (c.session.state !== 'Established') return false
      write(o, c, { _tag: 'Update', update: u })
      return true
    },
    state: () => c.session.state,
  }
}

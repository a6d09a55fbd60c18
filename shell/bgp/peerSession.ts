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

interface PeerSessionOptions {
  readonly config: SessionConfig
  readonly remote: string
  readonly port?: number
  readonly localAddress?: string
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

export const startPeerSession = (o: PeerSessionOptions): PeerSession => {
  let session: Session = initialSession
  let socket: Socket | undefined
  let pending: Uint8Array = new Uint8Array(0)
  let peerFourOctetAs = false
  const timers = new Map<TimerName, NodeJS.Timeout>()
  const codec = (): { fourOctetAs: boolean } => ({ fourOctetAs: peerFourOctetAs && hasFourOctetAs(o.config.capabilities) })

  const dispatch = (e: SessionEvent): void => {
    const r = step(o.config, session, e)
    if (r.session.state !== session.state) o.log.debug('bgp-state', { peer: o.remote, from: session.state, to: r.session.state, event: e._tag })
    session = r.session
    for (const a of r.actions) perform(a)
  }

  const write = (m: Message): void => {
    socket?.write(encodeMessage(m, codec()))
  }

  const onBytes = (s: Socket, chunk: Buffer): void => {
    if (s !== socket) return
    const framed = splitMessages(pending.length === 0 ? new Uint8Array(chunk) : new Uint8Array([...pending, ...chunk]))
    pending = framed.rest
    for (const raw of framed.messages) {
      if (s !== socket) return // an earlier message closed this connection
      const m = decodeMessage(raw, codec())
      if (E.isLeft(m)) return dispatch({ _tag: 'Malformed', notification: m.left })
      if (m.right._tag === 'Open') peerFourOctetAs = hasFourOctetAs(m.right.open.capabilities)
      o.onMessage?.(m.right)
      dispatch({ _tag: 'Received', message: m.right })
    }
    if (framed.error !== undefined && s === socket) dispatch({ _tag: 'Malformed', notification: framed.error })
  }

  const dial = (): void => {
    pending = new Uint8Array(0)
    peerFourOctetAs = false
    const s = connect({ host: o.remote, port: o.port ?? 179, ...(o.localAddress === undefined ? {} : { localAddress: o.localAddress }) })
    socket = s
    s.setNoDelay(true)
    s.on('connect', () => s === socket && dispatch({ _tag: 'TcpConnected' }))
    s.on('data', (chunk: Buffer) => onBytes(s, chunk))
    s.on('error', (err) => o.log.debug('bgp-socket-error', { peer: o.remote, error: err }))
    s.on('close', () => s === socket && dispatch({ _tag: 'TcpClosed' }))
  }

  const perform = (a: SessionAction): void => {
    switch (a._tag) {
      case 'Dial':
        return dial()
      case 'Send':
        return write(a.message)
      case 'Close': {
        const s = socket
        socket = undefined
        // end() lets a NOTIFICATION written just before leave; destroy() bounds the wait.
        s?.end()
        if (s !== undefined) setTimeout(() => s.destroy(), 1_000).unref()
        return
      }
      case 'SetTimer': {
        clearTimeout(timers.get(a.timer))
        timers.set(a.timer, setTimeout(() => dispatch({ _tag: 'TimerFired', timer: a.timer }), a.seconds * 1000))
        return
      }
      case 'StopTimer':
        clearTimeout(timers.get(a.timer))
        timers.delete(a.timer)
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

  return {
    start: () => dispatch({ _tag: 'Start' }),
    stop: () => dispatch({ _tag: 'Stop' }),
    sendUpdate: (u) => {
      if (session.state !== 'Established') return false
      write({ _tag: 'Update', update: u })
      return true
    },
    state: () => session.state,
  }
}

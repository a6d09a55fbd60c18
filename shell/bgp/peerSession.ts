// One BGP session to one peer: the imperative side of core/bgp/session.ts. It carries out the state
// machine's actions (dial, send, close, timers) on TCP sockets and feeds back what happens (dialled
// or accepted connections, bytes read by core/bgp/inbound.ts, closes, timers). The owner gives the
// routes wanted at this peer; the state machine decides what is sent.
import type { Socket } from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import { type Reader, freshReader, readChunk } from '../../core/bgp/inbound.js'
import { type Received, encodeMessage } from '../../core/bgp/message.js'
import type { Agreed, NextHops } from '../../core/bgp/peerOpen.js'
import type { Route } from '../../core/bgp/route.js'
import { type ConnId, type Session, type SessionAction, type SessionConfig, type SessionEvent, type SessionState, type TimerName, initialSession, sessionState, step } from '../../core/bgp/session.js'
import { parseIP } from '../../core/net/address.js'
import type { Logger } from '../obs/log.js'
import { type BgpObserver, type BgpPeerLabel, bgpPeerLabel } from './metrics.js'
import { type Dialer, type SocketOptions, nodeDialer } from './socketOptions.js'

interface PeerSessionOptions {
  readonly config: SessionConfig
  readonly remote: string
  readonly port?: number
  readonly socket?: SocketOptions
  /** This end's address of the family the socket is not (for the other family's next hop). */
  readonly otherNextHops?: NextHops
  /** Set when this process has just started with graceful restart on (RFC 4724 R bit). */
  readonly restarted?: boolean
  readonly dialer?: Dialer
  readonly log: Logger
  readonly onUp?: (a: Agreed) => void
  readonly onDown?: (reason: string) => void
  /** Every message decoded from the peer (for tests and debugging). */
  readonly onMessage?: (m: Received) => void
  /** Metrics: messages each way, up/down, prefixes; the series go when the session is stopped. */
  readonly observe?: BgpObserver
  /** The series' labels; "remote:port" in VRF "default" when unset. */
  readonly peerLabel?: BgpPeerLabel
}

export interface PeerSession {
  readonly start: () => void
  /** Sends Cease when connected, closes, and stops dialling and accepting. */
  readonly stop: () => void
  /** The routes wanted at this peer now; only the difference goes out, and only when Established. */
  readonly advertise: (routes: readonly Route[]) => void
  /** A connection the listener accepted from this peer's address. */
  readonly accept: (s: Socket) => void
  readonly state: () => SessionState
  /** The main connection's id ("out:N" dialled, "in:N" accepted), for logs and specs. */
  readonly connection: () => ConnId | undefined
}

interface Live {
  readonly socket: Socket
  reader: Reader
}

interface Runtime {
  readonly label: BgpPeerLabel
  session: Session
  /** The prefix counts last reported to the observer ("announced/pending"). */
  shown: string
  accepted: number
  readonly conns: Map<ConnId, Live>
  readonly timers: Map<TimerName, NodeJS.Timeout>
}

type Dispatch = (e: SessionEvent) => void

/** This end's addresses towards the peer: the socket's own, and the configured one of the other family. */
const nextHopsOf = (o: PeerSessionOptions, s: Socket): NextHops => {
  const ip = parseIP(s.localAddress ?? '')
  const own: NextHops = E.isRight(ip) ? (ip.right.family === 4 ? { v4: ip.right } : { v6: ip.right }) : {}
  return { ...o.otherNextHops, ...own }
}

const wire = (o: PeerSessionOptions, rt: Runtime, dispatch: Dispatch, id: ConnId, s: Socket): void => {
  rt.conns.set(id, { socket: s, reader: freshReader })
  s.on('data', (chunk: Buffer) => {
    const live = rt.conns.get(id)
    if (live === undefined || live.socket !== s) return
    const r = readChunk(live.reader, id, new Uint8Array(chunk))
    live.reader = r.reader
    for (const e of r.events) {
      if (e._tag === 'Received') {
        o.observe?.received(rt.label, e.message._tag)
        o.onMessage?.(e.message)
      }
      dispatch(e)
    }
  })
  s.on('error', (err) => o.log.debug('bgp-socket-error', { peer: o.remote, conn: id, error: err }))
  s.on('close', () => {
    if (rt.conns.get(id)?.socket !== s) return
    rt.conns.delete(id)
    dispatch({ _tag: 'TcpClosed', conn: id })
  })
}

const dial = (o: PeerSessionOptions, rt: Runtime, dispatch: Dispatch, id: ConnId): void => {
  let s: Socket
  try {
    s = (o.dialer ?? nodeDialer)({ host: o.remote, port: o.port ?? 179 }, o.socket ?? {})
  } catch (err) {
    o.log.warn('bgp-dial-failed', { peer: o.remote, error: err })
    return void setImmediate(() => dispatch({ _tag: 'TcpClosed', conn: id }))
  }
  wire(o, rt, dispatch, id, s)
  s.on('connect', () => rt.conns.get(id)?.socket === s && dispatch({ _tag: 'TcpConnected', conn: id, nextHops: nextHopsOf(o, s) }))
}

const close = (rt: Runtime, id: ConnId): void => {
  const s = rt.conns.get(id)?.socket
  rt.conns.delete(id)
  // end() lets a NOTIFICATION written just before leave; destroy() bounds the wait.
  s?.end()
  if (s !== undefined) setTimeout(() => s.destroy(), 1_000).unref()
}

/** Reports the prefix counts when they changed: held by the peer, and wanted at it. */
const showPrefixes = (o: PeerSessionOptions, rt: Runtime): void => {
  const announced = rt.session.sent.size
  const pending = rt.session.wanted.length
  const shown = `${announced}/${pending}`
  if (o.observe === undefined || shown === rt.shown) return
  rt.shown = shown
  o.observe.prefixes(rt.label, announced, pending)
}

/** Carries out one action of the state machine. */
const perform = (o: PeerSessionOptions, rt: Runtime, dispatch: Dispatch, a: SessionAction): void => {
  switch (a._tag) {
    case 'Dial':
      return dial(o, rt, dispatch, a.conn)
    case 'Send': {
      const fourOctetAs = rt.session.conn?.id === a.conn ? (rt.session.conn.agreed?.out.fourOctetAs ?? false) : false
      const s = rt.conns.get(a.conn)?.socket
      if (s === undefined) return
      s.write(encodeMessage(a.message, { fourOctetAs }))
      return o.observe?.sent(rt.label, a.message._tag)
    }
    case 'Close':
      return close(rt, a.conn)
    case 'SetTimer':
      clearTimeout(rt.timers.get(a.timer))
      return void rt.timers.set(a.timer, setTimeout(() => dispatch({ _tag: 'TimerFired', timer: a.timer }), a.seconds * 1000))
    case 'StopTimer':
      clearTimeout(rt.timers.get(a.timer))
      return void rt.timers.delete(a.timer)
    case 'Up':
      o.log.info('bgp-session-up', { peer: o.remote, peerAsn: a.agreed.peerAsn, holdSeconds: a.agreed.holdSeconds, families: a.agreed.out.families })
      o.observe?.state(rt.label, true)
      return o.onUp?.(a.agreed)
    case 'Down':
      o.log.info('bgp-session-down', { peer: o.remote, reason: a.reason })
      o.observe?.state(rt.label, false)
      return o.onDown?.(a.reason)
  }
}

export const startPeerSession = (o: PeerSessionOptions): PeerSession => {
  const label = o.peerLabel ?? bgpPeerLabel(o.remote, o.port ?? 179, undefined)
  const rt: Runtime = { label, session: initialSession(o.restarted ?? false), shown: '', accepted: 0, conns: new Map(), timers: new Map() }
  const dispatch: Dispatch = (e) => {
    const before = sessionState(rt.session)
    const r = step(o.config, rt.session, e)
    rt.session = r.session
    const after = sessionState(r.session)
    if (after !== before) {
      o.log.debug('bgp-state', { peer: o.remote, from: before, to: after, event: e._tag })
      o.observe?.phase(rt.label, after)
    }
    for (const a of r.actions) perform(o, rt, dispatch, a)
    showPrefixes(o, rt)
  }
  return {
    start: () => {
      o.observe?.state(label, false)
      o.observe?.phase(label, sessionState(rt.session))
      dispatch({ _tag: 'Start' })
    },
    stop: () => {
      dispatch({ _tag: 'Stop' })
      rt.shown = ''
      o.observe?.forget(label)
    },
    advertise: (routes) => dispatch({ _tag: 'Advertise', routes }),
    accept: (s) => {
      rt.accepted += 1
      const id = `in:${rt.accepted}`
      s.setNoDelay(true)
      wire(o, rt, dispatch, id, s)
      dispatch({ _tag: 'Accepted', conn: id, nextHops: nextHopsOf(o, s) })
    },
    state: () => sessionState(rt.session),
    connection: () => rt.session.conn?.id,
  }
}

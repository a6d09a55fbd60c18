// The BFD engine: the imperative side of core/bfd, run on the BFD worker thread (shell/bfd/worker.ts;
// shell/bfd/bfd.ts is the speaker's handle to it). One session per peer; each carries out its state
// machine's actions (send on its own socket, timers on the thread's clock) and is fed what arrives on
// the shared receiving sockets (shell/bfd/sockets.ts), matched by Your Discriminator or, while the peer
// does not know ours yet, by source address (RFC 5880 §6.3). Every state change goes to `onChange`.
// A peer in a VRF (`device`) has its own receiving sockets, bound to that device, and only they feed it.
// Echo (single-hop IPv4 peers with a profile's echoMode): a session's echoes go out and come back on
// its own packet socket (shell/bfd/echoPort.ts), opened when echo starts and closed when it stops.
import { ttlDiscard } from '../../core/bfd/ttl.js'
import type { TtlDatagram, UdpTtlSocket } from '../native/udpTtl.js'
import { randomInt } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import { type BfdState, decodeControl, encodeControl, formatDiscard } from '../../core/bfd/packet.js'
import { type BfdAction, type BfdEvent, type BfdSession, type BfdTimers, type TimerName, initialSession, step } from '../../core/bfd/session.js'
import type { BFDProfile } from '../../core/model/bfdProfile.js'
import type { Logger } from '../obs/log.js'
import type { BfdPeer } from './bfd.js'
import type { BfdObserver } from './metrics.js'
import { type EchoPort, openEchoPort } from './echoPort.js'
import { type Family, MULTI_HOP_PORT, SINGLE_HOP_PORT, familyOf, listen, openSender } from './sockets.js'

/** A session's state change, as its state machine reported it. */
type OnChange = (peer: BfdPeer, from: BfdState, to: BfdState, diag: number) => void

interface BfdEngine {
  /** Starts a session, or changes the timers of a running one (a poll sequence while Up). */
  readonly start: (peer: BfdPeer, profile: BFDProfile) => Promise<void>
  /**
   * Tells the peer AdminDown once (unless `silent`) and forgets the session. Silent, it returns how long
   * the peer takes to declare it Down (0 if it was not Up): its detection time of our packets.
   */
  readonly stop: (peer: BfdPeer, silent: boolean) => number
  readonly close: () => void
}

interface Runner {
  readonly peer: BfdPeer
  session: BfdSession
  readonly sender: UdpTtlSocket
  /** BFDProfile minimumTtl: the least TTL a multi-hop packet may arrive with (a profile change sets it). */
  minimumTtl: number
  readonly timers: Map<TimerName, NodeJS.Timeout>
  /** Open while echo runs; undefined before the first echo and after it stops. */
  echo: EchoPort | undefined
  echoSequence: number
  /** Why the echo socket could not be opened, logged once per echo start. */
  echoTrouble: string | undefined
}

/** A session is one peer address, hop mode and device: the same address in two VRFs is two peers. */
export const keyOf = (p: { readonly address: string; readonly multiHop: boolean; readonly device?: string }): string => `${p.multiHop ? 'multi' : 'single'}|${p.address}|${p.device ?? ''}`

/** Echo only on single-hop IPv4 sessions (RFC 5883 §3 rules it out for multi-hop; IPv6: see README). */
const echoPossible = (peer: BfdPeer): boolean => !peer.multiHop && familyOf(peer.address) === 4

const timersOf = (p: BFDProfile, peer: BfdPeer): BfdTimers => ({
  desiredMinTxUs: p.transmitInterval * 1000,
  requiredMinRxUs: p.receiveInterval * 1000,
  detectMult: p.detectMultiplier,
  echoUs: p.echoMode && echoPossible(peer) ? p.echoInterval * 1000 : 0,
})

/** IPv4 peers may arrive as IPv4-mapped IPv6 on a dual-stack socket; ours are per family, but be safe. */
const plain = (address: string): string => address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1')

/** Every session of one speaker and the sockets they share. */
interface Registry {
  readonly log: Logger
  readonly observe: BfdObserver | undefined
  readonly runners: Map<string, Runner>
  readonly byDiscr: Map<number, Runner>
  readonly listeners: Map<string, Promise<UdpTtlSocket>>
  readonly onChange: OnChange
}

const drop = (reg: Registry, reason: string): void => reg.observe?.discarded(reason)

const closeEcho = (r: Runner): void => {
  r.echo?.close()
  r.echo = undefined
  r.echoTrouble = undefined
}

/** One echo out; the socket opens with the first. A failure is logged once: the echo detection time then takes the session Down (diag 2). */
const sendEcho = (reg: Registry, r: Runner): void => {
  try {
    if (r.echo === undefined) {
      const port = openEchoPort(r.peer.address, r.peer.localAddress, r.sender.port(), (e) => {
        if (e.discriminator !== r.session.localDiscr) return
        reg.observe?.echoReceived(r.peer.address)
        dispatch(reg, r, { _tag: 'EchoReturned' })
      })
      if (typeof port === 'string') throw new Error(port)
      r.echo = port
      reg.log.info('bfd-echo-start', { peer: r.peer.address, ...port.path })
    }
    r.echoSequence = (r.echoSequence + 1) >>> 0
    r.echo.send(r.session.localDiscr, r.echoSequence)
    reg.observe?.echoSent(r.peer.address)
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err)
    if (r.echoTrouble === undefined) reg.log.warn('bfd-echo-send-failed', { peer: r.peer.address, error: why })
    r.echoTrouble = why
  }
}

const perform = (reg: Registry, r: Runner, a: BfdAction): void => {
  switch (a._tag) {
    case 'SendEcho':
      return sendEcho(reg, r)
    case 'Send':
      reg.observe?.sent(r.peer.address)
      try {
        return r.sender.send(Buffer.from(encodeControl(a.packet)), r.peer.address, r.peer.multiHop ? MULTI_HOP_PORT : SINGLE_HOP_PORT)
      } catch (err) {
        return reg.log.debug('bfd-send-failed', { peer: r.peer.address, error: err })
      }
    case 'SetTimer':
      clearTimeout(r.timers.get(a.timer))
      return void r.timers.set(a.timer, setTimeout(() => dispatch(reg, r, { _tag: 'TimerFired', timer: a.timer }), a.ms))
    case 'StopTimer':
      clearTimeout(r.timers.get(a.timer))
      if (a.timer === 'Echo') closeEcho(r)
      return void r.timers.delete(a.timer)
    case 'StateChanged': {
      reg.log.info('bfd-state', { peer: r.peer.address, multiHop: r.peer.multiHop, from: a.from, to: a.to, diag: a.diag })
      reg.observe?.state(r.peer.address, a.to === 'Up')
      return reg.onChange(r.peer, a.from, a.to, a.diag)
    }
  }
}

/** Feeds one event to a live session (a stopped one ignores late timers) with a fresh jitter draw. */
function dispatch(reg: Registry, r: Runner, e: BfdEvent): void {
  if (reg.runners.get(keyOf(r.peer)) !== r) return
  const next = step(r.session, e, Math.random())
  r.session = next.session
  for (const a of next.actions) perform(reg, r, a)
}

/** A datagram from the receiving socket of `multiHop` and `device` ('' for the one bound to none). */
const receive = (reg: Registry, multiHop: boolean, device: string, d: TtlDatagram): void => {
  const { bytes: msg, from, ttl } = d
  // RFC 5881 §5: a single-hop packet with TTL below 255 came from off the link; dropped before anything is read.
  const offLink = multiHop ? undefined : ttlDiscard(false, 255, ttl)
  if (offLink !== undefined) {
    drop(reg, offLink)
    return reg.log.debug('bfd-discard', { from, why: `TTL ${ttl}, single hop wants 255` })
  }
  const p = decodeControl(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength))
  if (E.isLeft(p)) {
    drop(reg, p.left._tag === 'Truncated' ? 'Truncated' : p.left.reason)
    return reg.log.debug('bfd-discard', { from, why: formatDiscard(p.left) })
  }
  const source = plain(from)
  const r = p.right.yourDiscriminator !== 0 ? reg.byDiscr.get(p.right.yourDiscriminator) : reg.runners.get(keyOf({ address: source, multiHop, device }))
  // RFC 5881 §4 / 5883: a session is one peer address on one port (and device); anything else is not ours.
  if (r === undefined || r.peer.address !== source || r.peer.multiHop !== multiHop || (r.peer.device ?? '') !== device) return drop(reg, 'NoSession')
  const tooFar = multiHop ? ttlDiscard(true, r.minimumTtl, ttl) : undefined
  if (tooFar !== undefined) {
    drop(reg, tooFar)
    return reg.log.debug('bfd-discard', { from, why: `TTL ${ttl}, below minimumTtl ${r.minimumTtl}` })
  }
  reg.observe?.received(r.peer.address)
  dispatch(reg, r, { _tag: 'Received', packet: p.right })
}

const ensureListener = (reg: Registry, family: Family, multiHop: boolean, device: string): Promise<UdpTtlSocket> => {
  const key = `${family}|${multiHop}|${device}`
  const have = reg.listeners.get(key)
  if (have !== undefined) return have
  const opened = listen(
    family,
    multiHop ? MULTI_HOP_PORT : SINGLE_HOP_PORT,
    device,
    (d) => receive(reg, multiHop, device, d),
    (e) => reg.log.warn('bfd-receive-failed', { family, multiHop, device, error: e }),
  )
  reg.listeners.set(key, opened)
  opened.catch(() => reg.listeners.delete(key))
  return opened
}

/** RFC 5880 §6.8.1: nonzero and unique among this speaker's sessions. */
const freshDiscriminator = (reg: Registry): number => {
  for (;;) {
    const d = randomInt(1, 2 ** 32)
    if (!reg.byDiscr.has(d)) return d
  }
}

const startSession = async (reg: Registry, peer: BfdPeer, profile: BFDProfile): Promise<void> => {
  const running = reg.runners.get(keyOf(peer))
  if (running !== undefined) {
    running.minimumTtl = profile.minimumTtl
    return dispatch(reg, running, { _tag: 'ChangeTimers', timers: timersOf(profile, peer) })
  }
  const family = familyOf(peer.address)
  const device = peer.device ?? ''
  await ensureListener(reg, family, peer.multiHop, device)
  const sender = await openSender(family, peer.localAddress, device)
  if (reg.runners.has(keyOf(peer))) return void sender.close() // a second start raced this one
  const discr = freshDiscriminator(reg)
  const r: Runner = { peer, session: initialSession(discr, timersOf(profile, peer), profile.passiveMode), sender, minimumTtl: profile.minimumTtl, timers: new Map(), echo: undefined, echoSequence: 0, echoTrouble: undefined }
  reg.runners.set(keyOf(peer), r)
  reg.byDiscr.set(discr, r)
  if (profile.echoMode && !echoPossible(peer)) reg.log.warn('bfd-echo-unavailable', { peer: peer.address, profile: profile.name, why: peer.multiHop ? 'multi-hop session' : 'IPv6 peer', effect: 'asynchronous mode only' })
  const echoMs = r.session.wanted.echoUs / 1000
  reg.log.info('bfd-start', { peer: peer.address, multiHop: peer.multiHop, ...(device === '' ? {} : { device }), discriminator: discr, txMs: profile.transmitInterval, rxMs: profile.receiveInterval, multiplier: profile.detectMultiplier, passive: profile.passiveMode, echoMs })
  dispatch(reg, r, { _tag: 'Start' })
}

/** RFC 5880 §6.8.4 from the peer's side: our Detect Mult times the larger of its Required Min RX and our TX in force. */
const peerDetectionMs = (r: Runner): number => (r.session.state !== 'Up' ? 0 : (r.session.wanted.detectMult * Math.max(r.session.remoteMinRxUs, r.session.inForce.txUs)) / 1000)

const stopSession = (reg: Registry, peer: BfdPeer, silent: boolean): number => {
  const r = reg.runners.get(keyOf(peer))
  if (r === undefined) return 0
  const detection = peerDetectionMs(r)
  if (!silent) dispatch(reg, r, { _tag: 'Stop' })
  for (const t of r.timers.values()) clearTimeout(t)
  closeEcho(r)
  reg.runners.delete(keyOf(peer))
  reg.byDiscr.delete(r.session.localDiscr)
  reg.observe?.forget(peer.address)
  // Closed a little later, so the AdminDown packet Stop queued leaves first.
  setTimeout(() => r.sender.close(), 100).unref()
  return silent ? detection : 0
}

/** `observe` counts what happens (shell/bfd/metrics.ts, through the worker's messages). */
export const startBfdEngine = (log: Logger, observe: BfdObserver | undefined, onChange: OnChange): BfdEngine => {
  const reg: Registry = { log, observe, runners: new Map(), byDiscr: new Map(), listeners: new Map(), onChange }
  return {
    start: (peer, profile) => startSession(reg, peer, profile),
    stop: (peer, silent) => stopSession(reg, peer, silent),
    close: () => {
      for (const r of [...reg.runners.values()]) void stopSession(reg, r.peer, false)
      for (const l of reg.listeners.values()) void l.then((s) => s.close(), () => undefined)
      reg.listeners.clear()
    },
  }
}

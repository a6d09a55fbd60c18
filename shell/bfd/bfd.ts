// BFD for the speaker. The sessions run on a worker thread (shell/bfd/worker.ts, engine.ts): there
// nothing the main thread does (a reconcile pass of hundreds of milliseconds at 10,000 Services, a GC
// pause) delays a packet or a detection timer. This handle sends the worker what to run and hears
// back: the speaker calls start(peer, profile) and stop(peer), and hears 'up' and 'down' (with the
// diagnostic). The worker starts with the first session; if it dies, the Up sessions are reported
// Down (their BGP sessions drop, as the router's BFD would make them) and a new worker restarts them.
import { Worker } from 'node:worker_threads'
import { absurd } from '../../core/fp/absurd.js'
import type { BfdState } from '../../core/bfd/packet.js'
import type { BFDProfile } from '../../core/model/bfdProfile.js'
import type { Logger } from '../obs/log.js'
import { keyOf } from './engine.js'
import type { BfdObserver } from './metrics.js'
import type { FromBfdWorker, Observed, ToBfdWorker } from './worker.js'

export interface BfdPeer {
  readonly address: string
  /** The address to send from (the BGP session's source); unset: the kernel picks. */
  readonly localAddress?: string
  /** RFC 5883 port 4784, for ebgpMultiHop peers. */
  readonly multiHop: boolean
  /** The VRF's device (the BGPPeer's `vrf`): every BFD socket of the session is bound to it. */
  readonly device?: string
}

type Change = 'up' | 'down'
type StopHow = 'adminDown' | 'silent'
type Listener = (peer: BfdPeer, diag: number) => void

export interface Bfd {
  /** Starts a session, or changes the timers of a running one (a poll sequence while Up). */
  readonly start: (peer: BfdPeer, profile: BFDProfile) => Promise<void>
  /**
   * Tells the peer AdminDown once and forgets the session. 'silent' (a graceful restart's) sends nothing
   * and resolves once the peer has timed the session out (its detection time, at most 3 s): see
   * bgpApplier.ts for why.
   */
  readonly stop: (peer: BfdPeer, how?: StopHow) => Promise<void>
  readonly on: (change: Change, listener: Listener) => void
  readonly state: (peer: BfdPeer) => BfdState | undefined
  /** Packets dropped, by reason (a decode refusal of core/bfd/packet.ts, or no session for them). */
  readonly discards: () => ReadonlyMap<string, number>
  readonly close: () => void
}

/** The longest a silent stop waits for the peer's detection time. */
const SILENT_STOP_MAX_MS = 3_000

/** Before a dead worker is replaced: a worker that dies at once does not spin. */
const RESPAWN_DELAY_MS = 1_000

interface Handle {
  readonly log: Logger
  readonly observe: BfdObserver | undefined
  worker: Worker | undefined
  closed: boolean
  nextId: number
  readonly pending: Map<number, { readonly resolve: () => void; readonly reject: (e: Error) => void }>
  /** Silent stops waiting for the worker's answer: the peer's detection time. */
  readonly stopping: Map<number, (peerDetectionMs: number) => void>
  /** What the speaker asked to run, to restart it in a new worker. */
  readonly wanted: Map<string, { readonly peer: BfdPeer; readonly profile: BFDProfile }>
  /** Each wanted session's last state, as the worker reported it. */
  readonly states: Map<string, BfdState>
  readonly subscribers: Record<Change, Listener[]>
  readonly dropped: Map<string, number>
}

const observed = (h: Handle, w: Observed): void => {
  switch (w.call) {
    case 'state':
      return h.observe?.state(w.peer, w.up)
    case 'sent':
      return h.observe?.sent(w.peer)
    case 'received':
      return h.observe?.received(w.peer)
    case 'echoSent':
      return h.observe?.echoSent(w.peer)
    case 'echoReceived':
      return h.observe?.echoReceived(w.peer)
    case 'forget':
      return h.observe?.forget(w.peer)
    case 'discarded':
      h.dropped.set(w.reason, (h.dropped.get(w.reason) ?? 0) + 1)
      return h.observe?.discarded(w.reason)
    default:
      return absurd(w)
  }
}

const changed = (h: Handle, peer: BfdPeer, from: BfdState, to: BfdState, diag: number): void => {
  // A change still in flight from a session the speaker has since stopped is not news.
  if (!h.wanted.has(keyOf(peer))) return
  h.states.set(keyOf(peer), to)
  const change: Change | undefined = to === 'Up' ? 'up' : from === 'Up' ? 'down' : undefined
  if (change !== undefined) for (const l of h.subscribers[change]) l(peer, diag)
}

const heard = (h: Handle, m: FromBfdWorker): void => {
  switch (m.op) {
    case 'started': {
      const p = h.pending.get(m.id)
      h.pending.delete(m.id)
      return m.error === undefined ? p?.resolve() : p?.reject(new Error(m.error))
    }
    case 'stopped': {
      const done = h.stopping.get(m.id)
      h.stopping.delete(m.id)
      return done?.(m.peerDetectionMs)
    }
    case 'changed':
      return changed(h, m.peer, m.from, m.to, m.diag)
    case 'observed':
      return observed(h, m.what)
    case 'log':
      return h.log[m.level](m.event, m.fields)
    case 'closed':
      return
    default:
      return absurd(m)
  }
}

/** The worker died under running sessions: they are Down now; a new worker restarts them after a pause. */
const lost = (h: Handle, w: Worker, why: string): void => {
  if (h.worker !== w) return
  h.worker = undefined
  if (h.closed) return
  h.log.error('bfd-worker-exited', { why, sessions: h.wanted.size, restartInMs: RESPAWN_DELAY_MS })
  for (const p of h.pending.values()) p.reject(new Error(`BFD worker exited: ${why}`))
  h.pending.clear()
  for (const done of h.stopping.values()) done(0)
  h.stopping.clear()
  for (const { peer } of h.wanted.values()) {
    const was = h.states.get(keyOf(peer))
    if (was !== undefined && was !== 'Down') changed(h, peer, was, 'Down', 0)
  }
  setTimeout(() => {
    if (h.closed || h.worker !== undefined) return
    for (const { peer, profile } of h.wanted.values()) void request(h, peer, profile).catch((err) => h.log.warn('bfd-start-failed', { peer: peer.address, error: err }))
  }, RESPAWN_DELAY_MS).unref()
}

const workerOf = (h: Handle): Worker => {
  if (h.worker !== undefined) return h.worker
  const w = new Worker(new URL('./worker.js', import.meta.url))
  // The speaker's own sockets and timers keep the process alive; BFD alone does not.
  w.unref()
  w.on('message', (m: FromBfdWorker) => heard(h, m))
  w.on('error', (err) => lost(h, w, err.message))
  w.on('exit', (code) => lost(h, w, `exit ${code}`))
  h.worker = w
  return w
}

const send = (h: Handle, m: ToBfdWorker): void => workerOf(h).postMessage(m)

const request = (h: Handle, peer: BfdPeer, profile: BFDProfile): Promise<void> =>
  new Promise((resolve, reject) => {
    const id = h.nextId++
    h.pending.set(id, { resolve, reject })
    send(h, { op: 'start', id, peer, profile })
  })

const start = (h: Handle, peer: BfdPeer, profile: BFDProfile): Promise<void> => {
  if (h.closed) return Promise.reject(new Error('BFD is closed'))
  h.wanted.set(keyOf(peer), { peer, profile })
  if (!h.states.has(keyOf(peer))) h.states.set(keyOf(peer), 'Down')
  return request(h, peer, profile)
}

const stop = (h: Handle, peer: BfdPeer, how: StopHow): Promise<void> => {
  if (!h.wanted.delete(keyOf(peer))) return Promise.resolve()
  h.states.delete(keyOf(peer))
  if (h.worker === undefined) return Promise.resolve()
  const id = h.nextId++
  const answered = new Promise<number>((resolve) => h.stopping.set(id, resolve))
  send(h, { op: 'stop', peer, silent: how === 'silent', id })
  if (how !== 'silent') return Promise.resolve()
  return answered.then((ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, SILENT_STOP_MAX_MS))))
}

/** `observe` counts what happens (shell/bfd/metrics.ts); the speaker passes one, specs may not. */
export const startBfd = (log: Logger, observe?: BfdObserver): Bfd => {
  const h: Handle = { log, observe, worker: undefined, closed: false, nextId: 1, pending: new Map(), stopping: new Map(), wanted: new Map(), states: new Map(), subscribers: { up: [], down: [] }, dropped: new Map() }
  return {
    start: (peer, profile) => start(h, peer, profile),
    stop: (peer, how = 'adminDown') => stop(h, peer, how),
    on: (change, listener) => void h.subscribers[change].push(listener),
    state: (peer) => h.states.get(keyOf(peer)),
    discards: () => h.dropped,
    close: () => {
      if (h.closed) return
      h.closed = true
      h.wanted.clear()
      h.states.clear()
      // The worker tells every peer AdminDown, then ends on its own.
      h.worker?.postMessage({ op: 'close' } satisfies ToBfdWorker)
    },
  }
}

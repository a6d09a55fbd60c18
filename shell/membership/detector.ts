// The imperative shell around the pure detector: a UDP socket, the HMAC check and signature, one
// timer armed for the core's next deadline (deadlineTimer.ts), the event-loop delay and the entropy
// the core asks for. Every event goes through step(); every action it returns is carried out here.
// Runs on whichever thread calls it (membership.ts decides which).
import { randomInt } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import * as E from 'fp-ts/lib/Either.js'
import { absurd } from '../../core/fp/absurd.js'
import { appendTag, decode, encodeSigned } from '../../core/membership/codec.js'
import { defaultConfig, type MembershipConfig } from '../../core/membership/config.js'
import { type KeyRing, graceOver, keyRing, rotate, signingKeys, verifyingKeys } from '../../core/membership/keyRing.js'
import { type Endpoint, type Member, endpointKey } from '../../core/membership/member.js'
import { type Action, type DropReason, type Event, type State, aliveSet, initialState } from '../../core/membership/state.js'
import { step } from '../../core/membership/step.js'
import { dueAt } from '../../core/membership/due.js'
import { tagFor, verify } from './auth.js'
import { watchKeyFile } from './keyFile.js'
import { deadlineTimer } from './deadlineTimer.js'
import type { MembershipEvent } from './options.js'
import { openUdp } from './transport.js'

export interface DetectorOptions {
  readonly self: Member
  readonly members: readonly Member[]
  readonly bindAddress: string
  readonly port: number
  /** The key read at start. */
  readonly key: Uint8Array
  /** The mounted Secret's key file: its folder is watched and a new key rotated in (keyRing.ts). */
  readonly keyFile?: string
  /** How long the key before a rotation still signs and verifies. */
  readonly keyGraceMs: number
  /** Re-read the key file at least this often (the folder watch can miss a change). */
  readonly keyPollMs?: number
  readonly config: Partial<MembershipConfig>
  readonly leaveLingerMs: number
}

interface DetectorHooks {
  readonly onChange: (alive: ReadonlySet<string>) => void
  readonly onEvent?: (e: MembershipEvent) => void
  /** After each datagram, Tick and call that may have moved the counters (the worker publishes them then). */
  readonly afterEach?: () => void
}

export interface MembershipStats {
  readonly sent: number
  readonly received: number
  readonly bytesSent: number
  readonly bytesReceived: number
  readonly authFailures: number
  readonly decodeFailures: number
  readonly sendErrors: number
  readonly keyRotations: number
  /** Keys each datagram is signed with now (2 during a rotation's grace). */
  readonly signingKeys: number
  readonly dropped: Readonly<Partial<Record<DropReason, number>>>
  readonly incarnation: number
  readonly alive: number
  readonly awareness: number
  readonly loopDelayMs: number
}

interface Detector {
  readonly port: number
  readonly setMembers: (members: readonly Member[]) => void
  readonly leave: () => Promise<void>
  readonly alive: () => ReadonlySet<string>
  readonly stats: () => MembershipStats
  readonly stop: () => Promise<void>
}

type Emit = (e: MembershipEvent) => void
type Transport = Awaited<ReturnType<typeof openUdp>>

interface Counts {
  sent: number
  received: number
  bytesSent: number
  bytesReceived: number
  authFailures: number
  decodeFailures: number
  sendErrors: number
  keyRotations: number
}

interface Keys {
  readonly ring: () => KeyRing
  /** Drops the previous key once its grace is over. */
  readonly retire: () => void
  readonly stop: () => void
}

/** The key ring: the key read at start, and each new key the watched file brings (keyRing.ts decides). */
const keepKeys = (o: DetectorOptions, emit: Emit, counts: Counts): Keys => {
  let ring: KeyRing = keyRing(o.key)
  const takeKey = (key: Uint8Array): void => {
    const change = rotate(ring, key, performance.now(), o.keyGraceMs)
    switch (change._tag) {
      case 'Rotated':
        ring = change.ring
        counts.keyRotations += 1
        emit({ event: 'key', change: 'rotated', detail: `signing with the new key; the previous one still signs and verifies for ${Math.round(o.keyGraceMs / 1000)} s` })
        return
      case 'Unchanged':
        return
      case 'Refused':
        emit({ event: 'key', change: 'refused', detail: `${o.keyFile ?? 'the key file'} holds ${change.length} bytes (${change.reason}); keeping the current key` })
        return
      default:
        return absurd(change)
    }
  }
  const retire = (): void => {
    if (!graceOver(ring, performance.now())) return
    ring = keyRing(ring.current)
    emit({ event: 'key', change: 'previous-retired', detail: 'the key before the last rotation is no longer accepted' })
  }
  const keyWatch =
    o.keyFile === undefined
      ? undefined
      : watchKeyFile(o.keyFile, takeKey, (detail) => emit({ event: 'key', change: 'unreadable', detail }), o.keyPollMs === undefined ? {} : { pollMs: o.keyPollMs })
  return { ring: () => ring, retire, stop: () => keyWatch?.stop() }
}

/** Decodes and verifies one datagram and feeds what passes to the core; counts what does not. */
const receiveWith =
  (counts: Counts, keys: Keys, emit: Emit, feed: (e: Event) => void) =>
  (bytes: Buffer, from: Endpoint): void => {
    counts.received += 1
    counts.bytesReceived += bytes.length
    const d = decode(bytes, 0)
    if (E.isLeft(d) || d.right.next !== bytes.length) {
      counts.decodeFailures += 1
      return
    }
    const { packet, signedEnd } = d.right.value
    if (!verify(verifyingKeys(keys.ring(), performance.now()), bytes.subarray(0, signedEnd), packet.tag)) {
      counts.authFailures += 1
      emit({ event: 'dropped', reason: 'BadTag', from: endpointKey(from) })
      return
    }
    feed({ _tag: 'MessageReceived', from, message: packet.message })
  }

interface Effects {
  readonly counts: Counts
  readonly dropped: Partial<Record<DropReason, number>>
  readonly keys: Keys
  readonly transport: Transport
  readonly emit: Emit
  readonly setAlive: (alive: ReadonlySet<string>) => void
}

/** Carries out one action of the core: a signed datagram, a new live set, an event. */
const performWith =
  (x: Effects) =>
  (a: Action): void => {
    switch (a._tag) {
      case 'Send': {
        const signed = encodeSigned(a.message)
        const bytes = appendTag(signed, tagFor(signingKeys(x.keys.ring(), performance.now()), signed))
        x.counts.sent += 1
        x.counts.bytesSent += bytes.length
        x.transport.send(a.to, bytes, (err) => {
          if (err === null) return
          x.counts.sendErrors += 1
          x.emit({ event: 'sendError', node: a.toName, error: err.message })
        })
        return
      }
      case 'MembershipChanged':
        x.setAlive(new Set(a.alive))
        return
      case 'MemberChanged':
        x.emit({ event: 'member', node: a.name, status: a.status, incarnation: a.incarnation, reason: a.reason })
        return
      case 'Dropped':
        x.dropped[a.reason] = (x.dropped[a.reason] ?? 0) + 1
        x.emit({ event: 'dropped', reason: a.reason, from: endpointKey(a.from), sender: a.sender })
        return
      default:
        return absurd(a)
    }
  }

/** The core's state at start: this process's epoch and a random seed, the two things it cannot make. */
const startState = (o: DetectorOptions): State =>
  initialState({
    config: { ...defaultConfig, ...o.config },
    self: o.self,
    members: o.members,
    epoch: Date.now(),
    seed: randomInt(0, 2 ** 32),
    now: performance.now(),
  })

const statsOf = (counts: Counts, dropped: Partial<Record<DropReason, number>>, keys: Keys, state: State, alive: number, loopDelayMs: number): MembershipStats => ({
  ...counts,
  signingKeys: signingKeys(keys.ring(), performance.now()).length,
  dropped: { ...dropped },
  incarnation: state.incarnation,
  alive,
  awareness: state.awareness,
  loopDelayMs,
})

/** The wall-clock (performance.now) time of the core's next deadline; Infinity when none. */
const wallDue = (state: State): number => {
  const due = dueAt(state)
  return due === undefined ? Infinity : due + state.stallDebt
}

export const runDetector = async (o: DetectorOptions, hooks: DetectorHooks): Promise<Detector> => {
  const counts: Counts = { sent: 0, received: 0, bytesSent: 0, bytesReceived: 0, authFailures: 0, decodeFailures: 0, sendErrors: 0, keyRotations: 0 }
  const dropped: Partial<Record<DropReason, number>> = {}
  const emit: Emit = (e) => hooks.onEvent?.(e)
  const after = (): void => hooks.afterEach?.()
  let state: State = startState(o)
  let alive: ReadonlySet<string> = aliveSet(state)
  let stopped = false
  const keys = keepKeys(o, emit, counts)
  const timer = deadlineTimer(() => {
    keys.retire()
    feed({ _tag: 'Tick', entropy: randomInt(0, 2 ** 32), loopDelayMs: timer.delayMs() })
    after()
  })
  const receive = receiveWith(counts, keys, emit, (e) => feed(e))
  const transport = await openUdp(o.bindAddress, o.port, (bytes, from) => (receive(bytes, from), after()), () => ((counts.sendErrors += 1), after()))
  const setAlive = (now: ReadonlySet<string>): void => {
    alive = now
    hooks.onChange(alive)
  }
  const perform = performWith({ counts, dropped, keys, transport, emit, setAlive })
  const feed = (e: Event): void => {
    if (stopped) return
    const r = step(state, e, performance.now())
    state = r.state
    for (const a of r.actions) perform(a)
    timer.arm(wallDue(state))
  }
  timer.arm(wallDue(state))
  hooks.onChange(alive)

  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    timer.stop()
    keys.stop()
    await transport.close()
  }

  return {
    port: transport.port,
    setMembers: (members) => (feed({ _tag: 'UniverseChanged', members }), after()),
    leave: async () => {
      if (stopped) return
      feed({ _tag: 'Leave' })
      after()
      // Keep answering for a moment: whoever missed the Leave and pings us gets it again.
      await new Promise((res) => setTimeout(res, o.leaveLingerMs))
      await stop()
    },
    alive: () => alive,
    stats: () => statsOf(counts, dropped, keys, state, alive.size, timer.delayMs()),
    stop,
  }
}

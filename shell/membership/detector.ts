// The imperative shell around the pure detector: a UDP socket, the HMAC check and signature, a tick
// timer, the event-loop delay and the entropy the core asks for. Every event goes through step();
// every action it returns is carried out here. Runs on whichever thread calls it (membership.ts
// decides which).
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
import { tagFor, verify } from './auth.js'
import { watchKeyFile } from './keyFile.js'
import { watchLoopDelay } from './loopDelay.js'
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
  readonly tickMs: number
  readonly config: Partial<MembershipConfig>
  readonly leaveLingerMs: number
}

interface DetectorHooks {
  readonly onChange: (alive: ReadonlySet<string>) => void
  readonly onEvent?: (e: MembershipEvent) => void
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

export const runDetector = async (o: DetectorOptions, hooks: DetectorHooks): Promise<Detector> => {
  const counts = { sent: 0, received: 0, bytesSent: 0, bytesReceived: 0, authFailures: 0, decodeFailures: 0, sendErrors: 0, keyRotations: 0 }
  const dropped: Partial<Record<DropReason, number>> = {}
  const loop = watchLoopDelay()
  const emit = (e: MembershipEvent): void => hooks.onEvent?.(e)
  let state: State = initialState({
    config: { ...defaultConfig, ...o.config },
    self: o.self,
    members: o.members,
    epoch: Date.now(),
    seed: randomInt(0, 2 ** 32),
    now: performance.now(),
  })
  let alive: ReadonlySet<string> = aliveSet(state)
  let stopped = false

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
  const retireKey = (): void => {
    if (!graceOver(ring, performance.now())) return
    ring = keyRing(ring.current)
    emit({ event: 'key', change: 'previous-retired', detail: 'the key before the last rotation is no longer accepted' })
  }
  const keyWatch =
    o.keyFile === undefined
      ? undefined
      : watchKeyFile(o.keyFile, takeKey, (detail) => emit({ event: 'key', change: 'unreadable', detail }), o.keyPollMs === undefined ? {} : { pollMs: o.keyPollMs })

  const onDatagram = (bytes: Buffer, from: Endpoint): void => {
    counts.received += 1
    counts.bytesReceived += bytes.length
    const d = decode(bytes, 0)
    if (E.isLeft(d) || d.right.next !== bytes.length) {
      counts.decodeFailures += 1
      return
    }
    const { packet, signedEnd } = d.right.value
    if (!verify(verifyingKeys(ring, performance.now()), bytes.subarray(0, signedEnd), packet.tag)) {
      counts.authFailures += 1
      emit({ event: 'dropped', reason: 'BadTag', from: endpointKey(from) })
      return
    }
    feed({ _tag: 'MessageReceived', from, message: packet.message })
  }

  const transport = await openUdp(o.bindAddress, o.port, onDatagram, () => (counts.sendErrors += 1))

  const perform = (a: Action): void => {
    switch (a._tag) {
      case 'Send': {
        const signed = encodeSigned(a.message)
        const bytes = appendTag(signed, tagFor(signingKeys(ring, performance.now()), signed))
        counts.sent += 1
        counts.bytesSent += bytes.length
        transport.send(a.to, bytes, (err) => {
          if (err === null) return
          counts.sendErrors += 1
          emit({ event: 'sendError', node: a.toName, error: err.message })
        })
        return
      }
      case 'MembershipChanged':
        alive = new Set(a.alive)
        hooks.onChange(alive)
        return
      case 'MemberChanged':
        emit({ event: 'member', node: a.name, status: a.status, incarnation: a.incarnation, reason: a.reason })
        return
      case 'Dropped':
        dropped[a.reason] = (dropped[a.reason] ?? 0) + 1
        emit({ event: 'dropped', reason: a.reason, from: endpointKey(a.from), sender: a.sender })
        return
      default:
        return absurd(a)
    }
  }

  const feed = (e: Event): void => {
    if (stopped) return
    const r = step(state, e, performance.now())
    state = r.state
    for (const a of r.actions) perform(a)
  }

  const timer = setInterval(() => {
    retireKey()
    feed({ _tag: 'Tick', entropy: randomInt(0, 2 ** 32), loopDelayMs: loop.current() })
  }, o.tickMs)
  hooks.onChange(alive)

  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    clearInterval(timer)
    keyWatch?.stop()
    loop.stop()
    await transport.close()
  }

  return {
    port: transport.port,
    setMembers: (members) => feed({ _tag: 'UniverseChanged', members }),
    leave: async () => {
      if (stopped) return
      feed({ _tag: 'Leave' })
      // Keep answering for a moment: whoever missed the Leave and pings us gets it again.
      await new Promise((res) => setTimeout(res, o.leaveLingerMs))
      await stop()
    },
    alive: () => alive,
    stats: () => ({
      ...counts,
      signingKeys: signingKeys(ring, performance.now()).length,
      dropped: { ...dropped },
      incarnation: state.incarnation,
      alive: alive.size,
      awareness: state.awareness,
      loopDelayMs: loop.current(),
    }),
    stop,
  }
}

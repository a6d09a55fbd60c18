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
import { type Endpoint, type Member, endpointKey } from '../../core/membership/member.js'
import { type Action, type DropReason, type Event, type State, aliveSet, initialState } from '../../core/membership/state.js'
import { step } from '../../core/membership/step.js'
import { sign, verify } from './auth.js'
import { watchLoopDelay } from './loopDelay.js'
import type { MembershipEvent } from './options.js'
import { openUdp } from './transport.js'

export interface DetectorOptions {
  readonly self: Member
  readonly members: readonly Member[]
  readonly bindAddress: string
  readonly port: number
  readonly keys: readonly Uint8Array[]
  readonly tickMs: number
  readonly config: Partial<MembershipConfig>
  readonly leaveLingerMs: number
}

export interface DetectorHooks {
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
  readonly dropped: Readonly<Partial<Record<DropReason, number>>>
  readonly incarnation: number
  readonly alive: number
  readonly awareness: number
  readonly loopDelayMs: number
}

export interface Detector {
  readonly port: number
  readonly setMembers: (members: readonly Member[]) => void
  readonly leave: () => Promise<void>
  readonly alive: () => ReadonlySet<string>
  readonly stats: () => MembershipStats
  readonly stop: () => Promise<void>
}

export const runDetector = async (o: DetectorOptions, hooks: DetectorHooks): Promise<Detector> => {
  const counts = { sent: 0, received: 0, bytesSent: 0, bytesReceived: 0, authFailures: 0, decodeFailures: 0, sendErrors: 0 }
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

  const onDatagram = (bytes: Buffer, from: Endpoint): void => {
    counts.received += 1
    counts.bytesReceived += bytes.length
    const d = decode(bytes, 0)
    if (E.isLeft(d) || d.right.next !== bytes.length) {
      counts.decodeFailures += 1
      return
    }
    const { packet, signedEnd } = d.right.value
    if (!verify(o.keys, bytes.subarray(0, signedEnd), packet.tag)) {
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
        const bytes = appendTag(signed, sign(o.keys[0] as Uint8Array, signed))
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

  const timer = setInterval(() => feed({ _tag: 'Tick', entropy: randomInt(0, 2 ** 32), loopDelayMs: loop.current() }), o.tickMs)
  hooks.onChange(alive)

  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    clearInterval(timer)
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
      dropped: { ...dropped },
      incarnation: state.incarnation,
      alive: alive.size,
      awareness: state.awareness,
      loopDelayMs: loop.current(),
    }),
    stop,
  }
}

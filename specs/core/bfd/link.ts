// Two core/bfd sessions wired to each other on a simulated clock: every Send crosses the link
// (through the codec, as bytes) after a delay taken in turn from `delays`, in order in each direction
// (a link, not a network that reorders: BFD itself would flap on an old Down arriving after an Up), timers fire when due, and
// jitter comes in turn from `jitters`. The link may be cut at a time (everything sent after is lost)
// and one side's timers changed at a time. An echo (SendEcho) comes back to its sender after a round
// trip, as the peer's forwarding plane would loop it, unless the link or the echo path alone
// (`echoCutAtMs`: a filter on UDP 3785 that lets control packets by) is cut. Bounded: the run ends at `endMs`, and at most 200,000 steps.
import * as E from 'fp-ts/lib/Either.js'
import { type BfdState, decodeControl, encodeControl } from '../../../core/bfd/packet.js'
import { type BfdAction, type BfdEvent, type BfdSession, type BfdTimers, type TimerName, initialSession, step } from '../../../core/bfd/session.js'

type Node = 'a' | 'b'

interface LinkRun {
  readonly a: BfdTimers
  readonly b: BfdTimers
  readonly bPassive: boolean
  readonly delays: readonly number[]
  readonly jitters: readonly number[]
  readonly cutAtMs?: number
  readonly echoCutAtMs?: number
  readonly changeAAtMs?: number
  readonly changeATo?: BfdTimers
  readonly endMs: number
}

interface Change {
  readonly node: Node
  readonly at: number
  readonly from: BfdState
  readonly to: BfdState
  readonly diag: number
}

interface LinkResult {
  readonly changes: Change[]
  readonly polling: Record<Node, boolean>
  readonly finalsTo: Record<Node, number>
  readonly echoesSent: Record<Node, number>
  readonly echoing: Record<Node, boolean>
}

interface InFlight {
  readonly to: Node
  readonly at: number
  /** A control packet's bytes, or 'echo': one of `to`'s own echoes coming back. */
  readonly bytes: Uint8Array | 'echo'
}

export const runLink = (o: LinkRun): LinkResult => {
  const other = (n: Node): Node => (n === 'a' ? 'b' : 'a')
  const sessions: Record<Node, BfdSession> = { a: initialSession(0xa, o.a, false), b: initialSession(0xb, o.b, o.bPassive) }
  const timers: Record<Node, Map<TimerName, number>> = { a: new Map(), b: new Map() }
  const flight: InFlight[] = []
  const changes: Change[] = []
  const finalsTo: Record<Node, number> = { a: 0, b: 0 }
  const echoesSent: Record<Node, number> = { a: 0, b: 0 }
  let now = 0
  let d = 0
  let j = 0
  let changed = false
  const lastArrival: Record<Node, number> = { a: 0, b: 0 }
  const nextDelay = (): number => o.delays[d++ % o.delays.length] ?? 0
  const nextJitter = (): number => o.jitters[j++ % o.jitters.length] ?? 0

  const apply = (n: Node, actions: readonly BfdAction[]): void => {
    for (const a of actions)
      switch (a._tag) {
        case 'Send':
          if (o.cutAtMs === undefined || now < o.cutAtMs) {
            const to = other(n)
            lastArrival[to] = Math.max(lastArrival[to], now + nextDelay())
            flight.push({ to, at: lastArrival[to], bytes: encodeControl(a.packet) })
          }
          break
        case 'SendEcho':
          echoesSent[n]++
          if ((o.cutAtMs === undefined || now < o.cutAtMs) && (o.echoCutAtMs === undefined || now < o.echoCutAtMs)) flight.push({ to: n, at: now + nextDelay() + nextDelay(), bytes: 'echo' })
          break
        case 'SetTimer':
          timers[n].set(a.timer, now + a.ms)
          break
        case 'StopTimer':
          timers[n].delete(a.timer)
          break
        case 'StateChanged':
          changes.push({ node: n, at: now, from: a.from, to: a.to, diag: a.diag })
          break
      }
  }
  const feed = (n: Node, e: BfdEvent): void => {
    const r = step(sessions[n], e, nextJitter())
    sessions[n] = r.session
    apply(n, r.actions)
  }

  feed('a', { _tag: 'Start' })
  feed('b', { _tag: 'Start' })
  for (let steps = 0; steps < 200_000; steps++) {
    const packetAt = Math.min(...flight.map((f) => f.at))
    const timerAt = Math.min(...(['a', 'b'] as const).flatMap((n) => [...timers[n].values()]))
    const changeAt = o.changeAAtMs !== undefined && !changed ? o.changeAAtMs : Infinity
    now = Math.min(packetAt, timerAt, changeAt)
    if (now > o.endMs) break
    if (now === changeAt && o.changeATo !== undefined) {
      changed = true
      feed('a', { _tag: 'ChangeTimers', timers: o.changeATo })
    } else if (now === packetAt) {
      const i = flight.findIndex((f) => f.at === packetAt)
      const [f] = flight.splice(i, 1)
      if (f === undefined) continue
      if (f.bytes === 'echo') {
        feed(f.to, { _tag: 'EchoReturned' })
        continue
      }
      const p = decodeControl(f.bytes)
      if (E.isLeft(p)) throw new Error(`a session sent bytes its peer discards: ${JSON.stringify(p.left)}`)
      if (p.right.final) finalsTo[f.to]++
      feed(f.to, { _tag: 'Received', packet: p.right })
    } else {
      const [n, name] = (['a', 'b'] as const).flatMap((n) => [...timers[n]].filter(([, at]) => at === timerAt).map(([name]) => [n, name] as const))[0] ?? ['a', 'Transmit']
      timers[n].delete(name)
      feed(n, { _tag: 'TimerFired', timer: name })
    }
  }
  return { changes, polling: { a: sessions.a.polling, b: sessions.b.polling }, finalsTo, echoesSent, echoing: { a: sessions.a.echoing, b: sessions.b.echoing } }
}

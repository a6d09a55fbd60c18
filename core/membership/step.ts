// The failure detector as one pure function: step(state, event, now) -> { state, actions }.
// `now` is the shell's monotonic clock in ms; randomness is the seeded generator in the state,
// stirred with entropy the shell passes in Ticks. Timers, sockets and the authentication tag are the
// shell's; this decides who is alive and what to send.
//
// A gap between events longer than stallGapMs that also ends more than stallGapMs after something
// fell due (due.ts) means this process was not running (GC, a blocked event loop, a starved
// thread): Acks that arrived meanwhile are still unread, so the gap is taken off the protocol clock
// and no deadline expires because of our own stall. A long gap before anything fell due is the
// shell sleeping until the next deadline, not a stall.
import { absurd } from '../fp/absurd.js'
import { dueAt } from './due.js'
import { incarnation as inc, INCARNATION_MAX } from './member.js'
import type { Ctx } from './outbox.js'
import { send } from './outbox.js'
import { receive } from './receive.js'
import { stir } from './rng.js'
import { type Action, type Event, type State, type StepResult, aliveSet, isLive } from './state.js'
import { tick } from './tick.js'
import { changeUniverse } from './universe.js'

const leave = (s: State, cx: Ctx): State => {
  if (s.phase === 'Left') return s
  // A higher incarnation makes our Leave win over any Alive still in flight about us.
  const incarnation = inc(Math.min(s.incarnation + 1, INCARNATION_MAX))
  let out: State = { ...s, phase: 'Left', incarnation, probe: undefined, liveVersion: s.liveVersion + 1 }
  cx.actions.push({ _tag: 'MemberChanged', name: s.self.name, status: 'Left', incarnation, reason: 'Leave' })
  for (const [name, r] of s.members) if (isLive(r.status)) out = send(out, cx, name, { _tag: 'Leave' })
  return out
}

export const step = (s0: State, event: Event, now: number): StepResult => {
  const actions: Action[] = []
  const gap = s0.lastEventAt === undefined ? 0 : now - s0.lastEventAt
  const due = dueAt(s0)
  const late = due === undefined ? 0 : now - (due + s0.stallDebt)
  const stalled = gap > s0.config.stallGapMs && late > s0.config.stallGapMs
  const stallDebt = s0.stallDebt + (stalled ? gap - s0.config.stallGapMs : 0)
  const cx: Ctx = { now: now - stallDebt, actions }
  let s: State = { ...s0, stallDebt, lastEventAt: Math.max(now, s0.lastEventAt ?? now) }
  switch (event._tag) {
    case 'Tick':
      s = {
        ...s,
        rng: event.entropy === undefined ? s.rng : stir(s.rng, event.entropy),
        loopDelayMs: event.loopDelayMs ?? s.loopDelayMs,
      }
      s = tick(s, cx)
      break
    case 'MessageReceived':
      s = receive(s, cx, event.from, event.message)
      break
    case 'UniverseChanged':
      s = changeUniverse(s, cx, event.members)
      break
    case 'Leave':
      s = leave(s, cx)
      break
    default:
      return absurd(event)
  }
  if (s.liveVersion !== s0.liveVersion) actions.push({ _tag: 'MembershipChanged', alive: aliveSet(s) })
  return { state: s, actions }
}

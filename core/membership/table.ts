// Changing what we believe about members: one place that keeps the member table, the running
// suspicions, the live count and the gossip queue consistent, reports each change as a
// MemberChanged action, and refutes news about ourselves (SWIM section 4.2).
import type { NodeName } from '../model/names.js'
import { absurd } from '../fp/absurd.js'
import { enqueue } from './broadcasts.js'
import { suspicionTimeout } from './config.js'
import { type Incarnation, incarnation as inc, INCARNATION_MAX } from './member.js'
import type { Status, Update } from './message.js'
import { type Ctx, send } from './outbox.js'
import { judge } from './precedence.js'
import { type ChangeReason, type MemberRecord, type State, type Suspicion, isLive } from './state.js'

/** Our belief about a member as gossip (a suspicion names its first suspector). */
export const asUpdate = (s: State, name: NodeName, r: MemberRecord): Update => {
  const base = { status: r.status, name, incarnation: r.incarnation }
  const by = s.suspicions.get(name)?.confirmers[0]
  return r.status === 'Suspect' && by !== undefined ? { ...base, by } : base
}

/**
 * Records a new status for a member, starts or ends its suspicion, counts liveness, and (unless
 * `quiet`) queues the news for gossip.
 */
export const setRecord = (
  s: State,
  cx: Ctx,
  name: NodeName,
  status: Status,
  incarnation: Incarnation,
  reason: ChangeReason,
  by?: NodeName,
): State => {
  const old = s.members.get(name)
  if (old === undefined) return s
  const record: MemberRecord = { ...old, status, incarnation }
  const members = new Map(s.members)
  members.set(name, record)
  const suspicions = new Map(s.suspicions)
  if (status === 'Suspect') suspicions.set(name, { incarnation, startedAt: cx.now, confirmers: [by ?? s.self.name] })
  else suspicions.delete(name)
  const flipped = isLive(old.status) !== isLive(status)
  const liveCount = s.liveCount + (flipped ? (isLive(status) ? 1 : -1) : 0)
  const urgent = isLive(status) ? s.urgent : s.urgent.filter((n) => n !== name)
  cx.actions.push({ _tag: 'MemberChanged', name, status, incarnation, reason })
  const next: State = { ...s, members, suspicions, liveCount, urgent, liveVersion: s.liveVersion + (flipped ? 1 : 0) }
  return { ...next, broadcasts: enqueue(next.broadcasts, asUpdate(next, name, record)) }
}

/** Adds `by` to a running suspicion; re-gossips it while the confirmations still matter. */
const confirm = (s: State, name: NodeName, by: NodeName): State => {
  const sus = s.suspicions.get(name)
  if (sus === undefined || sus.confirmers.includes(by)) return s
  const next: Suspicion = { ...sus, confirmers: [...sus.confirmers, by] }
  const suspicions = new Map(s.suspicions)
  suspicions.set(name, next)
  const relay = next.confirmers.length <= s.config.suspicionConfirmations + 1
  const u: Update = { status: 'Suspect', name, incarnation: sus.incarnation, by }
  return { ...s, suspicions, broadcasts: relay ? enqueue(s.broadcasts, u) : s.broadcasts }
}

/**
 * Someone believes we are suspect, dead or gone (or knows a newer incarnation of us, after a
 * restart): raise our incarnation above theirs and spread Alive. The suspector hears it directly.
 * Being suspected also counts against our local health (Lifeguard).
 */
const refute = (s: State, cx: Ctx, seen: Incarnation, suspector: NodeName | undefined, suspected: boolean): State => {
  if (s.phase === 'Left' || seen < s.incarnation) return s
  const incarnation = inc(Math.min(seen + 1, INCARNATION_MAX))
  const alive: Update = { status: 'Alive', name: s.self.name, incarnation }
  cx.actions.push({ _tag: 'MemberChanged', name: s.self.name, status: 'Alive', incarnation, reason: 'Refuted' })
  const next: State = {
    ...s,
    incarnation,
    broadcasts: enqueue(s.broadcasts, alive),
    awareness: suspected ? Math.min(s.config.awarenessMax, s.awareness + 1) : s.awareness,
    nextGossipAt: Math.min(s.nextGossipAt, cx.now),
  }
  return suspector !== undefined && suspector !== s.self.name ? send(next, cx, suspector, { _tag: 'Gossip', updates: [alive] }) : next
}

/** Applies one piggybacked update from `sender`. */
export const applyUpdate = (s: State, cx: Ctx, u: Update, sender: NodeName): State => {
  if (u.name === s.self.name) {
    if (u.status === 'Alive') return u.incarnation > s.incarnation ? refute(s, cx, u.incarnation, undefined, false) : s
    return refute(s, cx, u.incarnation, u.by ?? sender, true)
  }
  const held = s.members.get(u.name)
  if (held === undefined) return s
  const verdict = judge(held, u)
  switch (verdict._tag) {
    case 'Ignore':
      return s
    case 'Confirm':
      return confirm(s, u.name, u.by ?? sender)
    case 'Replace': {
      const next = setRecord(s, cx, u.name, u.status, u.incarnation, 'Gossip', u.by ?? sender)
      // Lifeguard-style: a suspicion we only heard of is checked by our own next probe, which either
      // confirms it (shortening everyone's timeout) or finds the member answering.
      return u.status === 'Suspect' && !next.urgent.includes(u.name) ? { ...next, urgent: [...next.urgent, u.name] } : next
    }
    default:
      return absurd(verdict)
  }
}

/** The time a suspicion ends in death, given what we know now. */
export const suspicionDeadline = (s: State, sus: Suspicion): number =>
  sus.startedAt + suspicionTimeout(s.config, sus.confirmers.length - 1, s.liveCount + 1)

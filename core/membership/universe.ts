// The member universe changes when the shell learns a new speaker set (from the API server while it
// is reachable; otherwise the last known set stays). New members start Alive at incarnation 0, like
// at start-up; members no longer listed are forgotten, with their suspicions, replay windows, proofs and
// pending gossip; everyone else keeps what we know, at the (possibly new) address.
import type { NodeName } from '../model/names.js'
import { forget } from './broadcasts.js'
import { incarnation, type Member } from './member.js'
import type { Ctx } from './outbox.js'
import { shuffle } from './rng.js'
import { type MemberRecord, type State, isLive } from './state.js'

export const changeUniverse = (s: State, cx: Ctx, list: readonly Member[]): State => {
  const members = new Map<NodeName, MemberRecord>()
  let liveChanged = false
  for (const m of list) {
    if (m.name === s.self.name || members.has(m.name)) continue
    const held = s.members.get(m.name)
    if (held !== undefined) members.set(m.name, { ...held, member: m })
    else {
      members.set(m.name, { member: m, status: 'Alive', incarnation: incarnation(0) })
      cx.actions.push({ _tag: 'MemberChanged', name: m.name, status: 'Alive', incarnation: incarnation(0), reason: 'Joined' })
      liveChanged = true
    }
  }
  let broadcasts = s.broadcasts
  const suspicions = new Map(s.suspicions)
  const replay = new Map(s.replay)
  const proofs = new Map(s.proofs)
  const challenges = new Map(s.challenges)
  for (const [name, r] of s.members) {
    if (members.has(name)) continue
    if (isLive(r.status)) liveChanged = true
    broadcasts = forget(broadcasts, name)
    suspicions.delete(name)
    replay.delete(name)
    proofs.delete(name)
    challenges.delete(name)
  }
  let liveCount = 0
  for (const r of members.values()) if (isLive(r.status)) liveCount++
  const [rng, order] = shuffle(s.rng, [...members.keys()])
  const relays = new Map([...s.relays].filter(([, r]) => members.has(r.requester)))
  return {
    ...s,
    members,
    liveCount,
    order,
    cursor: 0,
    rng,
    urgent: s.urgent.filter((n) => members.has(n)),
    suspicions,
    replay,
    proofs,
    challenges,
    broadcasts,
    relays,
    probe: s.probe !== undefined && members.has(s.probe.target) ? s.probe : undefined,
    liveVersion: s.liveVersion + (liveChanged ? 1 : 0),
  }
}

// Everything that happens because time passed: the start-up Sync, relays that owe a Nack, the
// running probe, the next probe, pings to the dead, suspicions that ran out, and a gossip round
// while there is news. Timers live in the shell; it calls Tick when due.ts says something is due.
import type { NodeName } from '../model/names.js'
import { pendingCount } from './broadcasts.js'
import { type Ctx, send, sendWithGossip } from './outbox.js'
import { challenge } from './proof.js'
import { advanceProbe, pickLive, probeTheDead, startProbe } from './probe.js'
import { type State, isLive } from './state.js'
import { setRecord, suspicionDeadline } from './table.js'

/** Nack every relay whose target stayed silent (Lifeguard: the requester learns its link is fine). */
const expireRelays = (s: State, cx: Ctx): State => {
  let out = s
  for (const [id, r] of s.relays) {
    if (cx.now < r.deadline) continue
    const relays = new Map(out.relays)
    relays.delete(id)
    out = send({ ...out, relays }, cx, r.requester, { _tag: 'Nack', probeId: r.requesterProbeId })
  }
  return out
}

/** Declares dead every suspect whose timeout ran out, and gossips it in this very tick. */
const expireSuspicions = (s: State, cx: Ctx): State => {
  let out = s
  for (const [name, sus] of s.suspicions) {
    const rec = out.members.get(name)
    if (rec === undefined || !isLive(rec.status) || cx.now < suspicionDeadline(out, sus)) continue
    out = setRecord(out, cx, name, 'Dead', sus.incarnation, 'SuspicionExpired')
    out = { ...out, nextGossipAt: Math.min(out.nextGossipAt, cx.now) }
  }
  return out
}

/** Sends queued news to a few random live members (memberlist's gossip round). */
const gossipRound = (s: State, cx: Ctx): State => {
  if (cx.now < s.nextGossipAt) return s
  const s0: State = { ...s, nextGossipAt: cx.now + s.config.gossipIntervalMs }
  if (pendingCount(s0.broadcasts) === 0) return s0
  const [s1, peers] = pickLive(s0, s0.config.gossipFanout, new Set<NodeName>())
  let out = s1
  for (const p of peers) {
    if (pendingCount(out.broadcasts) === 0) break
    out = sendWithGossip(out, cx, p, (updates) => ({ _tag: 'Gossip', updates }))
  }
  return out
}

/**
 * A fresh speaker challenges every member (proof.ts: until one answers, nothing it says is
 * believed), then asks one for its whole view, so it learns at once who is dead. The view is sent
 * after the Ack to our challenge, so it arrives believable.
 */
const startUp = (s: State, cx: Ctx): State => {
  let s0: State = { ...s, phase: 'Running' }
  for (const name of s0.order) s0 = challenge(s0, cx, name)
  const [s1, peers] = pickLive(s0, 1, new Set<NodeName>())
  const peer = peers[0]
  if (peer === undefined) return s1
  return send(s1, cx, peer, { _tag: 'Sync', replyWanted: true, updates: [{ status: 'Alive', name: s.self.name, incarnation: s.incarnation }] })
}

export const tick = (s0: State, cx: Ctx): State => {
  if (s0.phase === 'Left') return s0
  let s = s0.phase === 'Starting' ? startUp(s0, cx) : s0
  s = expireRelays(s, cx)
  s = advanceProbe(s, cx)
  if (s.probe === undefined && cx.now >= s.nextProbeAt) s = startProbe(s, cx)
  if (cx.now >= s.nextDeadProbeAt) s = probeTheDead(s, cx)
  s = expireSuspicions(s, cx)
  return gossipRound(s, cx)
}

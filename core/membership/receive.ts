// Handling one authenticated datagram (the shell checked the tag). In order: who sent it and
// whether it is fresh (replay window), whether it is current (proof.ts: if not, it is only
// answered), what its header incarnation tells us about the sender, the
// piggybacked gossip, and then the message's own business (answer a Ping, close a probe, relay a
// PingReq, hand over on Leave).
import type { NodeName } from '../model/names.js'
import { absurd } from '../fp/absurd.js'
import { TAG_RESERVE } from './config.js'
import { headerLength, updateLength } from './codec.js'
import { type Endpoint, type ProbeId, incarnation as inc } from './member.js'
import { type Message, type Update, updatesOf } from './message.js'
import { type Ctx, send, sendTo, sendWithGossip } from './outbox.js'
import { ackProbe } from './probe.js'
import { challenge, isCurrent, recordProof } from './proof.js'
import { admit } from './replay.js'
import { judge } from './precedence.js'
import { type DropReason, type State, isLive } from './state.js'
import { applyUpdate, asUpdate, setRecord } from './table.js'

const drop = (s: State, cx: Ctx, from: Endpoint, sender: NodeName, reason: DropReason): State => {
  cx.actions.push({ _tag: 'Dropped', from, sender, reason })
  return s
}

const CORRECTIONS_MAX = 16

/**
 * Old news that disagrees with us on whether a member is alive (we hold a newer Dead, or a newer
 * Alive after a refutation the sender missed): our record, to send back. Agreeing old news is not
 * worth a message.
 */
const correction = (s: State, u: Update): Update | undefined => {
  if (u.name === s.self.name) return undefined
  const held = s.members.get(u.name)
  if (held === undefined || judge(held, u)._tag !== 'Ignore' || isLive(held.status) === isLive(u.status)) return undefined
  return asUpdate(s, u.name, held)
}

export const receive = (s0: State, cx: Ctx, from: Endpoint, m: Message): State => {
  const { sender } = m.header
  if (sender === s0.self.name) return drop(s0, cx, from, sender, 'FromSelf')
  const held = s0.members.get(sender)
  if (held === undefined) {
    // Authenticated (the shell checked the key) but not in our universe: the speaker sets differ
    // for a moment (a node just added). Answer its Ping so it does not declare us dead, and learn
    // nothing from it.
    if (m.body._tag === 'Ping' && m.body.target === s0.self.name && s0.phase !== 'Left') {
      const s1 = sendTo(s0, cx, from, sender, { _tag: 'Ack', probeId: m.body.probeId, updates: [] })
      return drop(s1, cx, from, sender, 'UnknownSender')
    }
    return drop(s0, cx, from, sender, 'UnknownSender')
  }
  const verdict = admit(s0.replay.get(sender), m.header.epoch, m.header.seq)
  if (verdict._tag === 'Reject') return drop(s0, cx, from, sender, verdict.reason)
  if (m.body._tag === 'Ping' && m.body.target !== s0.self.name) return drop(s0, cx, from, sender, 'Misdirected')
  const replay = new Map(s0.replay)
  replay.set(sender, verdict.window)
  let s: State = recordProof({ ...s0, replay }, sender, m)

  if (s.phase === 'Left') {
    // The Ack first: a peer that cannot yet tell our run is current learns it from the Ack, and
    // then believes the Leave that follows it.
    if (m.body._tag === 'Ping') s = send(s, cx, sender, { _tag: 'Ack', probeId: m.body.probeId, updates: [] })
    const asks = m.body._tag === 'Ping' || m.body._tag === 'PingReq' || m.body._tag === 'Sync' || m.body._tag === 'Gossip'
    return asks ? send(s, cx, sender, { _tag: 'Leave' }) : drop(s, cx, from, sender, 'Left')
  }
  if (!isCurrent(s.proofs.get(sender), m.header.epoch, m.header.seq)) return answerUnproven(challenge(s, cx, sender), cx, from, sender, m)
  if (m.body._tag === 'Leave') {
    const at = inc(Math.max(m.header.incarnation, held.incarnation))
    return held.status === 'Left' && held.incarnation >= at ? s : setRecord(s, cx, sender, 'Left', at, 'Leave')
  }

  // The header is the sender speaking for itself: a higher incarnation is a refutation.
  const corrections: Update[] = []
  if (m.header.incarnation > held.incarnation) s = setRecord(s, cx, sender, 'Alive', m.header.incarnation, 'DirectContact')
  else if (held.incarnation > m.header.incarnation || held.status !== 'Alive')
    // It does not know what we believe about it (restart, partition, suspicion): tell it.
    corrections.push(asUpdate(s, sender, held))

  for (const u of updatesOf(m.body)) {
    const fix = correction(s, u)
    if (fix !== undefined && corrections.length < CORRECTIONS_MAX) corrections.push(fix)
    s = applyUpdate(s, cx, u, sender)
  }
  if (corrections.length > 0) s = send(s, cx, sender, { _tag: 'Gossip', updates: corrections })

  const body = m.body
  switch (body._tag) {
    case 'Ping':
      return sendWithGossip(s, cx, sender, (updates) => ({ _tag: 'Ack', probeId: body.probeId, updates }))
    case 'Ack':
      return onAck(s, cx, body.probeId)
    case 'Nack':
      return s.probe !== undefined && s.probe.probeId === body.probeId ? { ...s, probe: { ...s.probe, nacks: s.probe.nacks + 1 } } : s
    case 'PingReq':
      return relay(s, cx, sender, body.probeId, body.target)
    case 'Gossip':
      return s
    case 'Sync':
      return body.replyWanted ? syncReply(s, cx, sender) : s
    default:
      return absurd(body)
  }
}

/**
 * A message we cannot yet tell from a replay (proof.ts): answer what asks for an answer, which
 * changes no belief, and believe nothing in it: not a Leave, not gossip, not the header's
 * incarnation. The challenge sent before this proves the sender current within a round trip.
 */
const answerUnproven = (s: State, cx: Ctx, from: Endpoint, sender: NodeName, m: Message): State => {
  const body = m.body
  switch (body._tag) {
    case 'Ping':
      return sendWithGossip(s, cx, sender, (updates) => ({ _tag: 'Ack', probeId: body.probeId, updates }))
    case 'PingReq':
      return relay(s, cx, sender, body.probeId, body.target)
    case 'Sync':
      return body.replyWanted ? syncReply(s, cx, sender) : drop(s, cx, from, sender, 'Unproven')
    case 'Ack':
    case 'Nack':
    case 'Gossip':
    case 'Leave':
      return drop(s, cx, from, sender, 'Unproven')
    default:
      return absurd(body)
  }
}

const onAck = (s: State, cx: Ctx, id: ProbeId): State => {
  if (s.probe !== undefined && s.probe.probeId === id) return ackProbe(s)
  const r = s.relays.get(id)
  if (r === undefined) return s
  const relays = new Map(s.relays)
  relays.delete(id)
  return sendWithGossip({ ...s, relays }, cx, r.requester, (updates) => ({ _tag: 'Ack', probeId: r.requesterProbeId, updates }))
}

/** Ping `target` on the requester's behalf; a Nack follows if it stays silent (tick.ts). */
const relay = (s: State, cx: Ctx, requester: NodeName, requesterProbeId: ProbeId, target: NodeName): State => {
  if (target === s.self.name) return send(s, cx, requester, { _tag: 'Ack', probeId: requesterProbeId, updates: [] })
  const rec = s.members.get(target)
  if (rec === undefined) return s
  const id = s.nextProbeId as ProbeId
  const relays = new Map(s.relays)
  // The requester judges at probeTimeout; answer a little before its remaining indirect window ends.
  const window = Math.max(1, Math.floor((s.config.probeTimeoutMs - s.config.directTimeoutMs) * 0.8))
  relays.set(id, { requester, requesterProbeId, deadline: cx.now + window })
  const first: readonly Update[] = rec.status === 'Suspect' ? [asUpdate(s, target, rec)] : []
  return sendWithGossip({ ...s, relays, nextProbeId: (s.nextProbeId + 1) >>> 0 }, cx, target, (updates) => ({ _tag: 'Ping', probeId: id, target, updates }), first)
}

/** Our whole view for a member that just started, in as many Sync messages as it takes. */
const syncReply = (s: State, cx: Ctx, to: NodeName): State => {
  const all: Update[] = [{ status: 'Alive', name: s.self.name, incarnation: s.incarnation }]
  for (const [name, r] of s.members) if (name !== to) all.push(asUpdate(s, name, r))
  const room = s.config.maxPacketBytes - TAG_RESERVE - headerLength({ sender: s.self.name, incarnation: s.incarnation, epoch: s.epoch, seq: s.seq }) - 2
  let out = s
  let chunk: Update[] = []
  let used = 0
  for (const u of all) {
    const len = updateLength(u)
    if (chunk.length > 0 && (used + len > room || chunk.length === 255)) {
      out = send(out, cx, to, { _tag: 'Sync', replyWanted: false, updates: chunk })
      chunk = []
      used = 0
    }
    chunk.push(u)
    used += len
  }
  return chunk.length > 0 ? send(out, cx, to, { _tag: 'Sync', replyWanted: false, updates: chunk }) : out
}

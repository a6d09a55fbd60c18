// Which messages we may believe. The tag (shell) proves who signed a datagram and the replay window
// (replay.ts) that we have not seen it, but neither proves it is from the sender's current run: a
// speaker that just started has no window yet, and an authentic Leave captured from a member's
// previous run would look fresh to it. So a sender's messages are believed only once it has
// answered a nonce of ours from this run: an Ack (or Nack) echoing a challenge, probe or relay id
// we sent. That answer's (epoch, seq) is the proof; the sender's messages in that epoch from that
// sequence number on were sent after our nonce existed, hence current. Anything else may be
// answered (a Ping gets its Ack, a Sync its view), which changes no belief, but never believed.
import type { NodeName } from '../model/names.js'
import { type ProbeId, probeId } from './member.js'
import type { Message } from './message.js'
import { type Ctx, send } from './outbox.js'
import { next } from './rng.js'
import type { State } from './state.js'

export interface Proof {
  readonly epoch: number
  readonly fromSeq: number
}

export interface Challenge {
  readonly nonce: ProbeId
  readonly sentAt: number
}

/** Whether a message with this header was sent after the sender answered a nonce of ours. */
export const isCurrent = (p: Proof | undefined, epoch: number, seq: number): boolean => p !== undefined && epoch === p.epoch && seq >= p.fromSeq

/** The id a message echoes back to us, if it answers something we sent. */
const echoed = (m: Message): ProbeId | undefined => (m.body._tag === 'Ack' || m.body._tag === 'Nack' ? m.body.probeId : undefined)

/** Whether `id` is a nonce of this run that `sender` could only know by answering us. */
const ours = (s: State, sender: NodeName, id: ProbeId): boolean =>
  s.challenges.get(sender)?.nonce === id || s.probe?.probeId === id || s.relays.has(id)

/**
 * Records the proof a message carries, if any: it echoes one of our live nonces and is newer than
 * the proof we hold. The challenge it answers is done.
 */
export const recordProof = (s: State, sender: NodeName, m: Message): State => {
  const id = echoed(m)
  if (id === undefined || !ours(s, sender, id)) return s
  const held = s.proofs.get(sender)
  const { epoch, seq } = m.header
  if (held !== undefined && (epoch < held.epoch || (epoch === held.epoch && seq >= held.fromSeq))) return s
  const proofs = new Map(s.proofs)
  proofs.set(sender, { epoch, fromSeq: seq })
  const challenges = new Map(s.challenges)
  challenges.delete(sender)
  return { ...s, proofs, challenges }
}

/**
 * Pings `name` with a fresh random nonce, at most once per probe interval per member (so replayed
 * datagrams cannot make us flood it). Its Ack proves which run of it is current.
 */
export const challenge = (s: State, cx: Ctx, name: NodeName): State => {
  const last = s.challenges.get(name)
  if (last !== undefined && cx.now - last.sentAt < s.config.probeIntervalMs) return s
  if (!s.members.has(name)) return s
  const [rng, x] = next(s.rng)
  const nonce = probeId(x)
  const challenges = new Map(s.challenges)
  challenges.set(name, { nonce, sentAt: cx.now })
  return send({ ...s, rng, challenges }, cx, name, { _tag: 'Ping', probeId: nonce, target: name, updates: [] })
}

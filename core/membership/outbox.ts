// Building outgoing messages inside one step: the header (our incarnation, epoch and a fresh
// sequence number) and the piggybacked gossip that fits the datagram. Actions accumulate in the
// step's own list (Ctx), created per call, so step stays a pure function of its arguments.
import type { NodeName } from '../model/names.js'
import { take } from './broadcasts.js'
import { bodyLength, headerLength, updateLength } from './codec.js'
import { retransmitLimit, TAG_RESERVE } from './config.js'
import type { Endpoint } from './member.js'
import type { Body, Header, Update } from './message.js'
import { below } from './rng.js'
import type { Action, State } from './state.js'

export interface Ctx {
  /** The protocol clock: the shell's monotonic now minus time spent stalled. */
  readonly now: number
  readonly actions: Action[]
}

const SEQ_MAX = 0xffff_ffff

const updateKey = (u: Update): string => `${u.name}|${u.status}|${u.by ?? ''}`

const header = (s: State): Header => ({ sender: s.self.name, incarnation: s.incarnation, epoch: s.epoch, seq: s.seq })

/** After the last sequence number of an epoch, continue in the next epoch (replay.ts accepts it). */
const advanceSeq = (s: State): State => (s.seq >= SEQ_MAX ? { ...s, epoch: s.epoch + 1, seq: 0 } : { ...s, seq: s.seq + 1 })

/** Sends `body` to an endpoint directly (the only use: answering a member outside our universe). */
export const sendTo = (s: State, cx: Ctx, to: Endpoint, toName: NodeName, body: Body): State => {
  cx.actions.push({ _tag: 'Send', to, toName, message: { header: header(s), body } })
  return advanceSeq(s)
}

/** Sends `body` to a member of the universe; a name we do not know is silently skipped. */
export const send = (s: State, cx: Ctx, to: NodeName, body: Body): State => {
  const r = s.members.get(to)
  return r === undefined ? s : sendTo(s, cx, r.member.address, to, body)
}

/** Bytes left for updates in a message whose other parts are `fixed`. */
const roomFor = (s: State, fixed: Body, first: readonly Update[]): number =>
  s.config.maxPacketBytes - TAG_RESERVE - headerLength(header(s)) - bodyLength(fixed) - first.reduce((n, u) => n + updateLength(u), 0)

const REMINDER_TRIES = 4

/**
 * One member we believe Dead or Left, drawn at random (a few tries, so it costs O(1)). Every
 * message carries one when there is room: whoever missed that death in the gossip learns it from
 * the next message it gets, and whoever knows better (the member came back) corrects us.
 */
const reminder = (s: State): readonly [State, readonly Update[]] => {
  if (s.liveCount >= s.members.size || s.order.length === 0) return [s, []]
  let rng = s.rng
  for (let k = 0; k < REMINDER_TRIES; k++) {
    const [r, i] = below(rng, s.order.length)
    rng = r
    const name = s.order[i]
    const rec = name === undefined ? undefined : s.members.get(name)
    if (name !== undefined && rec !== undefined && (rec.status === 'Dead' || rec.status === 'Left'))
      return [{ ...s, rng }, [{ status: rec.status, name, incarnation: rec.incarnation }]]
  }
  return [{ ...s, rng }, []]
}

/**
 * Sends a message carrying `first`, then as much queued gossip as fits, then a reminder of one
 * death. `build` makes the body from the final update list.
 */
export const sendWithGossip = (
  s: State,
  cx: Ctx,
  to: NodeName,
  build: (updates: readonly Update[]) => Body,
  first: readonly Update[] = [],
): State => {
  if (!s.members.has(to)) return s
  const [s1, remind] = reminder(s)
  const extraRoom = roomFor(s1, build([]), first)
  const room = extraRoom - remind.reduce((n, u) => n + updateLength(u), 0)
  const limit = retransmitLimit(s1.config, s1.liveCount + 1)
  const [broadcasts, queued] = take(s1.broadcasts, room, limit)
  const seen = new Set(first.map(updateKey))
  const rest = [...queued, ...(room >= 0 ? remind : [])].filter((u) => !seen.has(updateKey(u)) && (seen.add(updateKey(u)), true))
  return send({ ...s1, broadcasts }, cx, to, build([...first, ...rest].slice(0, 255)))
}

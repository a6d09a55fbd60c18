// The messages speakers exchange for failure detection (SWIM, Das et al. 2002, with the Lifeguard
// additions: Nack from indirect helpers, suspicion carried to the suspect). This module only names
// the shapes; codec.ts lays them out in bytes and step.ts decides what to do with them.
import type { NodeName } from '../model/names.js'
import { absurd } from '../fp/absurd.js'
import type { Incarnation, ProbeId } from './member.js'

export type Status = 'Alive' | 'Suspect' | 'Dead' | 'Left'

/** What one member believes about another, gossiped piggyback (SWIM section 4.1). */
export interface Update {
  readonly status: Status
  readonly name: NodeName
  readonly incarnation: Incarnation
  /** For Suspect: the member whose own probe failed (Lifeguard counts distinct ones). */
  readonly by?: NodeName
}

/**
 * Sent with every message. `incarnation` is the sender's own: any fresh authenticated message with a
 * higher one refutes a suspicion about the sender. `epoch` (the sender's boot time, ms) and `seq`
 * (per message, from 0 in each epoch) let receivers drop replays (replay.ts).
 */
export interface Header {
  readonly sender: NodeName
  readonly incarnation: Incarnation
  readonly epoch: number
  readonly seq: number
}

export type Body =
  /** Are you there? `target` guards against a reused address reaching the wrong node. */
  | { readonly _tag: 'Ping'; readonly probeId: ProbeId; readonly target: NodeName; readonly updates: readonly Update[] }
  | { readonly _tag: 'Ack'; readonly probeId: ProbeId; readonly updates: readonly Update[] }
  /** From an indirect helper: the target did not answer me either (so your own path is fine). */
  | { readonly _tag: 'Nack'; readonly probeId: ProbeId }
  /** Please ping `target` for me and forward its Ack. */
  | { readonly _tag: 'PingReq'; readonly probeId: ProbeId; readonly target: NodeName; readonly updates: readonly Update[] }
  | { readonly _tag: 'Gossip'; readonly updates: readonly Update[] }
  /** State exchange at start-up; `replyWanted` asks the receiver for its whole view. */
  | { readonly _tag: 'Sync'; readonly replyWanted: boolean; readonly updates: readonly Update[] }
  /** The sender is stopping on purpose: hand over at once. */
  | { readonly _tag: 'Leave' }

export interface Message {
  readonly header: Header
  readonly body: Body
}

export type BodyTag = Body['_tag']

/** The updates a body carries (none for Nack and Leave). */
export const updatesOf = (body: Body): readonly Update[] => {
  switch (body._tag) {
    case 'Ping':
    case 'Ack':
    case 'PingReq':
    case 'Gossip':
    case 'Sync':
      return body.updates
    case 'Nack':
    case 'Leave':
      return []
    default:
      return absurd(body)
  }
}

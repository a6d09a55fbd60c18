// The gossip queue: updates waiting to be piggybacked (SWIM section 4.1, "infection-style"). Each
// update rides on outgoing messages a bounded number of times, least-sent first, so news spreads in
// O(log n) rounds while the cost per message stays fixed. A newer update about a member replaces
// the older ones; suspicions from distinct members are kept side by side, since Lifeguard counts
// them as independent confirmations.
import type { NodeName } from '../model/names.js'
import { updateLength } from './codec.js'
import type { Update } from './message.js'

interface Pending {
  readonly update: Update
  readonly sent: number
  /** Enqueue order: among equally-sent updates the newest goes first. */
  readonly order: number
}

export interface Broadcasts {
  readonly byMember: ReadonlyMap<NodeName, readonly Pending[]>
  readonly counter: number
}

export const emptyBroadcasts: Broadcasts = { byMember: new Map(), counter: 0 }

export const pendingCount = (q: Broadcasts): number => {
  let n = 0
  for (const list of q.byMember.values()) n += list.length
  return n
}

/** Whether an older pending update survives a newer one about the same member. */
const survives = (old: Update, fresh: Update): boolean =>
  fresh.status === 'Suspect' &&
  old.status === 'Suspect' &&
  old.incarnation === fresh.incarnation &&
  old.by !== fresh.by

export const enqueue = (q: Broadcasts, u: Update): Broadcasts => {
  const kept = (q.byMember.get(u.name) ?? []).filter((p) => survives(p.update, u))
  const byMember = new Map(q.byMember)
  byMember.set(u.name, [...kept, { update: u, sent: 0, order: q.counter }])
  return { byMember, counter: q.counter + 1 }
}

/** Drops everything pending about a member (it left the universe). */
export const forget = (q: Broadcasts, name: NodeName): Broadcasts => {
  if (!q.byMember.has(name)) return q
  const byMember = new Map(q.byMember)
  byMember.delete(name)
  return { ...q, byMember }
}

/**
 * Takes the updates to piggyback on one message within `budget` bytes, least-sent first, and
 * counts the send; an update sent `limit` times is dropped from the queue.
 */
export const take = (q: Broadcasts, budget: number, limit: number): readonly [Broadcasts, readonly Update[]] => {
  if (q.byMember.size === 0 || budget <= 0) return [q, []]
  const all: Pending[] = []
  for (const list of q.byMember.values()) all.push(...list)
  all.sort((a, b) => a.sent - b.sent || b.order - a.order)
  const chosen = new Set<Pending>()
  let room = budget
  for (const p of all) {
    const len = updateLength(p.update)
    if (len > room) continue
    chosen.add(p)
    room -= len
    if (chosen.size >= 255) break
  }
  if (chosen.size === 0) return [q, []]
  const byMember = new Map<NodeName, readonly Pending[]>()
  for (const [name, list] of q.byMember) {
    const next = list.flatMap((p) => (!chosen.has(p) ? [p] : p.sent + 1 >= limit ? [] : [{ ...p, sent: p.sent + 1 }]))
    if (next.length > 0) byMember.set(name, next)
  }
  return [{ byMember, counter: q.counter }, [...chosen].map((p) => p.update)]
}

// One direct probe per period (SWIM section 3.1), the indirect stage through k helpers, and the
// verdict when neither answered in time. Targets come round-robin from a shuffled order, which
// bounds the time until any given member is probed (SWIM section 4.3), except that suspicions heard
// from others jump the queue. Members believed dead are pinged separately at a low rate with their
// own record, so one that is back (a healed partition, a restart) refutes and is seen again.
import type { NodeName } from '../model/names.js'
import { enqueue } from './broadcasts.js'
import { healthScore } from './config.js'
import { probeId as mkProbeId } from './member.js'
import type { Update } from './message.js'
import { type Ctx, send, sendWithGossip } from './outbox.js'
import { below, shuffle } from './rng.js'
import { type State, isLive } from './state.js'
import { asUpdate, setRecord } from './table.js'

/** Up to `count` distinct live members other than `except`, drawn at random (bounded attempts). */
export const pickLive = (s: State, count: number, except: ReadonlySet<NodeName>): readonly [State, readonly NodeName[]] => {
  const picked: NodeName[] = []
  let rng = s.rng
  const n = s.order.length
  if (n === 0 || count <= 0) return [s, picked]
  for (let attempt = 0; attempt < 4 * count + 8 && picked.length < count; attempt++) {
    const [r, i] = below(rng, n)
    rng = r
    const name = s.order[i]
    if (name === undefined || except.has(name) || picked.includes(name)) continue
    const rec = s.members.get(name)
    if (rec !== undefined && isLive(rec.status)) picked.push(name)
  }
  return [{ ...s, rng }, picked]
}

const freshId = (s: State): readonly [State, ReturnType<typeof mkProbeId>] => [{ ...s, nextProbeId: (s.nextProbeId + 1) >>> 0 }, mkProbeId(s.nextProbeId)]

/** The next member to probe: a queued suspicion first, then the round-robin order. */
const nextTarget = (s: State): readonly [State, NodeName | undefined] => {
  const live = (n: NodeName): boolean => {
    const r = s.members.get(n)
    return r !== undefined && isLive(r.status)
  }
  const urgent = s.urgent.filter(live)
  const first = urgent[0]
  if (first !== undefined) return [{ ...s, urgent: urgent.slice(1) }, first]
  let { order, cursor, rng } = s
  for (let scanned = 0; scanned <= order.length; scanned++) {
    if (cursor >= order.length) {
      ;[rng, order] = shuffle(rng, order)
      cursor = 0
    }
    const name = order[cursor]
    cursor += 1
    if (name !== undefined && live(name)) return [{ ...s, order, cursor, rng, urgent: [] }, name]
  }
  return [{ ...s, order, cursor, rng, urgent: [] }, undefined]
}

/** Starts this period's probe, stretched by local health. */
export const startProbe = (s0: State, cx: Ctx): State => {
  const mult = 1 + healthScore(s0.config, s0.awareness, s0.loopDelayMs)
  const [s1, target] = nextTarget({ ...s0, nextProbeAt: cx.now + s0.config.probeIntervalMs * mult })
  if (target === undefined) return s1
  const [s2, id] = freshId(s1)
  const rec = s2.members.get(target)
  // The suspect hears of its suspicion in the probe itself, so it can refute at once (Lifeguard).
  const first: readonly Update[] = rec !== undefined && rec.status === 'Suspect' ? [asUpdate(s2, target, rec)] : []
  const c = s2.config
  const probing: State = {
    ...s2,
    probe: { target, probeId: id, directDeadline: cx.now + c.directTimeoutMs * mult, finalDeadline: cx.now + c.probeTimeoutMs * mult, indirect: false, helpers: 0, nacks: 0 },
  }
  return sendWithGossip(probing, cx, target, (updates) => ({ _tag: 'Ping', probeId: id, target, updates }), first)
}

/** Moves the running probe on: ask helpers after the direct timeout, judge at the final one. */
export const advanceProbe = (s: State, cx: Ctx): State => {
  const p = s.probe
  if (p === undefined) return s
  if (cx.now >= p.finalDeadline) return failProbe({ ...s, probe: undefined }, cx, p.target, p.helpers, p.nacks)
  if (p.indirect || cx.now < p.directDeadline) return s
  const [s1, helpers] = pickLive(s, s.config.indirectChecks, new Set([p.target]))
  let out: State = { ...s1, probe: { ...p, indirect: true, helpers: helpers.length } }
  for (const h of helpers) out = sendWithGossip(out, cx, h, (updates) => ({ _tag: 'PingReq', probeId: p.probeId, target: p.target, updates }))
  return out
}

/** An Ack for the running probe, direct or relayed, ends it well. */
export const ackProbe = (s: State): State => ({ ...s, probe: undefined, awareness: Math.max(0, s.awareness - 1) })

/**
 * Nobody reached the target: suspect it (or confirm the suspicion we already have). If no helper
 * even sent a Nack, our own link may be the problem: count it against our health (Lifeguard).
 * Lifeguard counts each missing Nack; we count only a total silence, because when a rack fails the
 * helpers we pick are often dead too, and slowing our probes then would slow the failover.
 */
const failProbe = (s: State, cx: Ctx, target: NodeName, helpers: number, nacks: number): State => {
  const s1 = helpers > 0 && nacks === 0 ? { ...s, awareness: Math.min(s.config.awarenessMax, s.awareness + 1) } : s
  const rec = s1.members.get(target)
  if (rec === undefined || !isLive(rec.status)) return s1
  if (rec.status === 'Suspect') {
    const sus = s1.suspicions.get(target)
    if (sus === undefined || sus.confirmers.includes(s1.self.name)) return s1
    const suspicions = new Map(s1.suspicions)
    suspicions.set(target, { ...sus, confirmers: [...sus.confirmers, s1.self.name] })
    const mine: Update = { status: 'Suspect', name: target, incarnation: rec.incarnation, by: s1.self.name }
    const s2: State = { ...s1, suspicions, broadcasts: enqueue(s1.broadcasts, mine) }
    return send(s2, cx, target, { _tag: 'Gossip', updates: [mine] })
  }
  const s2 = setRecord(s1, cx, target, 'Suspect', rec.incarnation, 'ProbeFailed', s1.self.name)
  const mine: Update = { status: 'Suspect', name: target, incarnation: rec.incarnation, by: s2.self.name }
  return send({ ...s2, nextGossipAt: Math.min(s2.nextGossipAt, cx.now) }, cx, target, { _tag: 'Gossip', updates: [mine] })
}

/** Pings one member believed dead or gone, carrying our record of it, so it can refute. */
export const probeTheDead = (s: State, cx: Ctx): State => {
  const s0: State = { ...s, nextDeadProbeAt: cx.now + s.config.deadProbeIntervalMs }
  const n = s0.order.length
  if (s0.liveCount >= s0.members.size || n === 0) return s0
  const [rng, start] = below(s0.rng, n)
  for (let k = 0; k < n; k++) {
    const name = s0.order[(start + k) % n]
    const rec = name === undefined ? undefined : s0.members.get(name)
    if (name === undefined || rec === undefined || isLive(rec.status)) continue
    const [s1, id] = freshId({ ...s0, rng })
    return sendWithGossip(s1, cx, name, (updates) => ({ _tag: 'Ping', probeId: id, target: name, updates }), [asUpdate(s1, name, rec)])
  }
  return { ...s0, rng }
}

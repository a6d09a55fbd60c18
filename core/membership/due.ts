// When the next Tick has something to do, so the shell can sleep until then instead of ticking
// every few ms (each wake-up of an idle speaker costs CPU; MetalLB's Go speaker sleeps between
// memberlist's probes). Mirrors tick.ts: whatever tick() would act on at time t is due at or before t.
import { pendingCount } from './broadcasts.js'
import { type State, isLive } from './state.js'
import { suspicionDeadline } from './table.js'

/**
 * The earliest protocol time (the `now - stallDebt` of step.ts) at which a Tick changes anything;
 * undefined once we left (nothing is due ever again). Ticks before it do nothing but stir entropy.
 */
export const dueAt = (s: State): number | undefined => {
  if (s.phase === 'Left') return undefined
  if (s.phase === 'Starting') return -Infinity
  let due = s.probe === undefined ? s.nextProbeAt : s.probe.indirect ? s.probe.finalDeadline : Math.min(s.probe.directDeadline, s.probe.finalDeadline)
  for (const r of s.relays.values()) due = Math.min(due, r.deadline)
  for (const [name, sus] of s.suspicions) {
    const rec = s.members.get(name)
    if (rec !== undefined && isLive(rec.status)) due = Math.min(due, suspicionDeadline(s, sus))
  }
  // With nobody dead or gone, probing the dead only moves its own timer on.
  if (s.liveCount < s.members.size) due = Math.min(due, s.nextDeadProbeAt)
  // Without news a gossip round only moves its own timer on.
  if (pendingCount(s.broadcasts) > 0) due = Math.min(due, s.nextGossipAt)
  return due
}

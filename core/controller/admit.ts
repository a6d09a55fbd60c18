// The second decision of a pass, once its releases have been applied: which acquisitions may go
// ahead. An acquisition waits while a Service that is losing one of its IPs still shows it in the
// latest copies (its release failed, conflicted or is not yet seen), so no observer ever sees one IP
// on two Services that may not share it; the shell revisits the deferred ones shortly.
import type { ServiceShown } from '../model/serviceShown.js'
import { answeredHolders } from './holders.js'
import { type ServicePlan, type TargetedWrite, targetOf } from './servicePlan.js'
import { serviceWrite } from './serviceStatus.js'
import { blockersOf } from './writeOrder.js'

interface Deferred {
  readonly key: string
  /** The Services still showing an IP this one would take. */
  readonly blockers: readonly string[]
}

/** The Services of `latest` that show one of `ips`, by the index. */
const showingAny = (latest: ReadonlyMap<string, ServiceShown>, byIP: ReadonlyMap<string, ReadonlySet<string>>, ips: ReadonlySet<string>): ServiceShown[] => {
  const keys = new Set<string>()
  for (const ip of ips) for (const key of byIP.get(ip) ?? []) keys.add(key)
  return [...keys].flatMap((key) => {
    const s = latest.get(key)
    return s === undefined ? [] : [s]
  })
}

interface Admission {
  readonly writes: readonly TargetedWrite[]
  readonly deferred: readonly Deferred[]
}

/**
 * `byIP`, when given, says who shows each IP in `latest` (the shell's index): then only the Services
 * showing an IP the acquisitions add are looked at, not every Service.
 */
export const admitAcquisitions = (plan: ServicePlan, latest: ReadonlyMap<string, ServiceShown>, now: string, byIP?: ReadonlyMap<string, ReadonlySet<string>>): Admission => {
  const added = new Set(plan.acquisitions.flatMap((a) => a.planned.next.filter((ip) => !a.planned.current.includes(ip))))
  const showing = byIP === undefined ? latest.values() : showingAny(latest, byIP, added)
  const shownNow = answeredHolders(showing, plan.verdicts, added)
  const writes: TargetedWrite[] = []
  const deferred: Deferred[] = []
  for (const a of plan.acquisitions) {
    const s = latest.get(a.planned.key)
    if (s === undefined) continue // deleted meanwhile: nothing to write
    const blockers = blockersOf(a.planned, shownNow, plan.planned)
    if (blockers.length > 0) {
      deferred.push({ key: a.planned.key, blockers })
      continue
    }
    // Recomputed on the latest copy (an interim release changed it), with the Events of the whole move.
    const write = serviceWrite(s, a.verdict, now)
    if (write.status === undefined && write.annotations === undefined) continue
    writes.push({ target: targetOf(s), write: { ...write, events: a.events } })
  }
  return { writes, deferred }
}

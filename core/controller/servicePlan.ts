// A pass's Service writes, in their safe order (core/controller/writeOrder.ts): releases, interim
// releases included, to apply first and concurrently; then the acquisitions, which the shell applies
// only after admitAcquisitions (admit.ts) has checked them against the latest copies.
import type { ServiceShown } from '../model/serviceShown.js'
import { plannedHolders } from './holders.js'
import { type ServiceEvent, type ServiceWrite, type Verdict, ingressFor, serviceWrite } from './serviceStatus.js'
import { type Holders, type PlannedWrite, orderWrites } from './writeOrder.js'

/** Where a write goes and the version it was computed from (a merge patch carries it: 409 if it moved). */
export interface WriteTarget {
  readonly key: string
  readonly namespace: string
  readonly name: string
  readonly uid: string | undefined
  readonly resourceVersion: string | undefined
}

export interface TargetedWrite {
  readonly target: WriteTarget
  readonly write: ServiceWrite
}

interface Release extends TargetedWrite {
  /** Only drops the IPs another Service takes; the Service's own acquisition follows. */
  readonly interim: boolean
}

interface Acquisition {
  readonly planned: PlannedWrite
  readonly verdict: Verdict
  /** The Events of the whole move, decided on the copy the pass started from. */
  readonly events: readonly ServiceEvent[]
}

export interface ServicePlan {
  readonly releases: readonly Release[]
  readonly acquisitions: readonly Acquisition[]
  /** ip -> the Services the verdicts give it to. */
  readonly planned: Holders
  readonly verdicts: ReadonlyMap<string, Verdict>
}

export const targetOf = (s: ServiceShown): WriteTarget => ({ key: s.key, namespace: s.namespace, name: s.name, uid: s.uid, resourceVersion: s.resourceVersion })

const interimWrite = (s: ServiceShown, next: readonly string[]): ServiceWrite => ({
  status: { loadBalancer: { ingress: ingressFor(s, next) }, conditions: s.conditions },
  annotations: undefined,
  events: [],
})

export const planServiceWrites = (shown: Iterable<ServiceShown>, verdicts: ReadonlyMap<string, Verdict>, now: string): ServicePlan =>
  planWritesOf(shown, verdicts, plannedHolders(verdicts), now).plan

/**
 * The writes of the Services in `shown` (every Service, or those that may have changed: passMemo.ts),
 * with `planned` the holders of `verdicts`; `written` names the Services that got a write.
 */
export const planWritesOf = (
  shown: Iterable<ServiceShown>,
  verdicts: ReadonlyMap<string, Verdict>,
  planned: Holders,
  now: string,
): { readonly plan: ServicePlan; readonly written: ReadonlySet<string> } => {
  const first = new Map<string, { readonly shown: ServiceShown; readonly write: ServiceWrite }>()
  const writes: PlannedWrite[] = []
  for (const s of shown) {
    const verdict = verdicts.get(s.key)
    if (verdict === undefined) continue
    const write = serviceWrite(s, verdict, now)
    if (write.status === undefined && write.annotations === undefined) continue
    first.set(s.key, { shown: s, write })
    writes.push({ key: s.key, current: s.ingressIPs, next: write.status?.loadBalancer.ingress.map((i) => i.ip) ?? s.ingressIPs })
  }
  // In key order, so the plan does not depend on the order `shown` came in (a full pass's or a memo's).
  writes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  const order = orderWrites(writes, planned)
  const releases = order.releases.flatMap((r): Release[] => {
    const f = first.get(r.key)
    if (f === undefined) return []
    return [{ target: targetOf(f.shown), write: r.interim ? interimWrite(f.shown, r.next) : f.write, interim: r.interim }]
  })
  const acquisitions = order.acquisitions.flatMap((w): Acquisition[] => {
    const f = first.get(w.key)
    const verdict = verdicts.get(w.key)
    return f === undefined || verdict === undefined ? [] : [{ planned: w, verdict, events: f.write.events }]
  })
  return { plan: { releases, acquisitions, planned, verdicts }, written: new Set(first.keys()) }
}

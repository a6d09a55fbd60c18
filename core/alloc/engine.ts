// The planning pass, in two phases over the Services in processing order (order.ts):
//   1. holders keep the held IPs the configuration still allows, unless an earlier holder holds one
//      and may not share it (then the later one loses all its IPs: MetalLB's Assign is all-or-nothing);
//   2. everyone else in order (lost holders, PreferDualStack holders missing a family, new Services)
//      gets addresses (choose.ts). Nothing is released within a pass, so free-address cursors only
//      move forward. Refused requests are worded at the end (who holds the address by then).
// Replans reuse the same steps: phase 1 interacts only through shared addresses, so only holders
// connected to the changed ones are decided again; phase 2 is a fold over an ordered list, undone
// and re-run from the first position a change touches (from the start when phase 1 changed). Status
// writes that confirm the plan (confirmation.ts) and unchanged upserts cost O(1). Every path gives
// exactly what a full pass gives (specs: replan = full plan, and the model-based run).
import type { ServiceKey } from '../model/names.js'
import type { Service } from '../model/service.js'
import type { IP } from '../net/address.js'
import { choose, chooseExtra } from './choose.js'
import { ipv4First } from './family.js'
import { Claims } from './claims.js'
import { confirmsAllocation } from './confirmation.js'
import { sameService } from './sameSpec.js'
import { Occupancy } from './occupancy.js'
import { type ServiceOutcome, assigned, outcomesEqual } from './outcome.js'
import type { PoolIndex, PoolSlot } from './poolIndex.js'
import { type Active, type PrepareContext, prepare } from './prepare.js'
import { insertionPoint, mergeOrdered } from './sortedList.js'
import { type SortKey, compareSortKeys } from './order.js'
import { sharingVerdict } from './sharing.js'

/** One Service's place in the plan; its own sort key (no separate object per Service). */
interface Entry extends SortKey {
  readonly key: ServiceKey
  readonly svc: Service
  /** Undefined for Services settled without looking at others (ignored, statically pending). */
  readonly active: Active | undefined
  /** Phase 1 reserved the held IPs. */
  kept: boolean
  /** What phase 2 reserved: the extra family of an upgrade, or (not kept) the Assigned outcome's IPs. */
  extra: IP | undefined
  outcome: ServiceOutcome | undefined
  /** The last `apply` that touched this entry (cheaper than a Set of 100,000 entries). */
  mark: number
}

/** What one `apply` did: the entries whose outcome may have changed, and the keys now gone. */
interface Applied {
  readonly touched: readonly Entry[]
  readonly removed: readonly ServiceKey[]
}


const byOrder: (a: Entry, b: Entry) => number = compareSortKeys
const lowerBound = (list: readonly Entry[], e: Entry): number => insertionPoint(list, e, byOrder)
const mergeSorted = (a: readonly Entry[], b: readonly Entry[]): Entry[] => mergeOrdered(a, b, byOrder)

const needsPhase2 = (e: Entry): boolean => e.active !== undefined && (!e.kept || e.active.upgrade)

export class Engine {
  private readonly occ: Occupancy
  private readonly entries = new Map<ServiceKey, Entry>()
  private readonly claims = new Claims<Entry>((e) => e.active?.held?.ips ?? [])
  /** Phase-2 entries refused a requested IP: their message names the holder at the end of the pass. */
  private readonly blocked = new Set<Entry>()
  /** Phase 2's list, in processing order. */
  private phase2: Entry[] = []
  private epoch = 0
  private touched: Entry[] = []

  constructor(
    private readonly ctx: PrepareContext,
    readonly index: PoolIndex,
  ) {
    this.occ = new Occupancy(index)
  }

  usedIn(pool: PoolSlot, family: 4 | 6): number {
    return this.occ.used(pool, family)
  }

  /**
   * Applies the changes (each key at most once across both lists; on a first plan a repeated key
   * takes its last occurrence) and reports what may have changed, in processing order on a first plan.
   */
  apply(upserted: readonly Service[], deleted: readonly ServiceKey[]): Applied {
    if (this.entries.size === 0) return this.planAll(upserted)
    this.epoch += 1
    this.touched = []
    const olds: Entry[] = []
    const news: Entry[] = []
    const removed: ServiceKey[] = []
    const confirmed: Entry[] = []
    for (const key of deleted) {
      const old = this.entries.get(key)
      if (old === undefined) continue
      olds.push(old)
      removed.push(key)
    }
    for (const svc of upserted) {
      const old = this.entries.get(svc.key)
      // Resyncs deliver unchanged Services: nothing to do, and no reason to disturb phase 2.
      if (old !== undefined && sameService(old.svc, svc)) continue
      const e = this.mkEntry(svc)
      this.touch(e)
      if (old !== undefined && this.confirm(old, e)) confirmed.push(old)
      else {
        if (old !== undefined) olds.push(old)
        news.push(e)
      }
    }
    if (confirmed.length > 0) this.leavePhase2(confirmed)
    const contested: IP[] = []
    for (const e of olds) if (e.active?.held !== undefined) contested.push(...e.active.held.ips)
    for (const e of news) if (e.active?.held !== undefined) contested.push(...e.active.held.ips)
    if (contested.length > 0) this.replanHolders(olds, news, contested)
    else this.replanSuffix(olds, news)
    this.recheckBlocked()
    // Entries replaced or removed by this change were touched while being undone; only live ones count.
    const touched = olds.length + confirmed.length === 0 ? this.touched : this.touched.filter((e) => this.entries.get(e.key) === e)
    return { touched, removed }
  }

  /** See confirmation.ts: the Service becomes a holder of what phase 2 gave it, nothing replays. */
  private confirm(old: Entry, e: Entry): boolean {
    if (old.kept || !confirmsAllocation(old.svc, old.outcome, e.svc, e.active)) return false
    this.claims.remove(old)
    this.entries.set(e.key, e)
    this.claims.add(e)
    e.kept = true
    e.outcome = old.outcome
    return true
  }

  private leavePhase2(gone: readonly Entry[]): void {
    if (gone.length > 8) {
      const set = new Set(gone)
      this.phase2 = this.phase2.filter((e) => !set.has(e))
      return
    }
    for (const old of gone) {
      const at = lowerBound(this.phase2, old)
      if (this.phase2[at] === old) this.phase2.splice(at, 1)
    }
  }

  /** A refused request names whoever holds the address once the pass is over, however it got there. */
  private recheckBlocked(): void {
    for (const e of this.blocked) {
      if (e.active === undefined) continue
      const again = choose(e.active, this.occ, this.index)
      if (again._tag === 'Fail' && (e.outcome === undefined || !outcomesEqual(again.outcome, e.outcome))) {
        e.outcome = again.outcome
        this.touch(e)
      }
    }
  }

  /** A first plan: one sort of everything, phase 1 over the holders, phase 2 over the rest. */
  private planAll(services: readonly Service[]): Applied {
    for (const svc of services) this.entries.set(svc.key, this.mkEntry(svc))
    const all = [...this.entries.values()].sort(byOrder)
    for (const e of all) {
      if (e.active?.held === undefined) continue
      this.claims.add(e)
      this.runPhase1(e)
    }
    this.phase2 = all.filter(needsPhase2)
    this.runPhase2From(0)
    this.recheckBlocked()
    return { touched: all, removed: [] }
  }

  private touch(e: Entry): void {
    if (e.mark === this.epoch) return
    e.mark = this.epoch
    this.touched.push(e)
  }

  private mkEntry(svc: Service): Entry {
    const prep = prepare(this.ctx, svc)
    const active = prep._tag === 'Active' ? prep : undefined
    const outcome = prep._tag === 'Active' ? undefined : prep.outcome
    return { key: svc.key, holds: svc.ingressIPs.length > 0, created: svc.creationTimestamp, svc, active, kept: false, extra: undefined, outcome, mark: 0 }
  }

  /** Phase 1 changes: undo all of phase 2, re-run the connected holders, then all of phase 2. */
  private replanHolders(olds: readonly Entry[], news: readonly Entry[], contested: readonly IP[]): void {
    for (let i = this.phase2.length - 1; i >= 0; i--) {
      const e = this.phase2[i]
      if (e === undefined) continue
      this.undoPhase2(e)
      this.touch(e)
    }
    for (const old of olds) {
      this.undoPhase1(old)
      this.claims.remove(old)
      this.entries.delete(old.key)
    }
    for (const e of news) {
      this.entries.set(e.key, e)
      this.claims.add(e)
    }
    const group = this.claims.connected(contested).sort(byOrder)
    for (const e of group) this.undoPhase1(e)
    for (const e of group) {
      this.runPhase1(e)
      this.touch(e)
    }
    const gone = new Set<Entry>([...olds, ...group])
    const rest = this.phase2.filter((e) => !gone.has(e))
    this.phase2 = mergeSorted(rest, [...new Set([...news, ...group])].filter(needsPhase2).sort(byOrder))
    this.runPhase2From(0)
  }

  /** Only phase 2 changes: undo and re-run it from the first position the change touches. */
  private replanSuffix(olds: readonly Entry[], news: readonly Entry[]): void {
    // Settled Services never enter phase 2, so changing them re-runs nothing.
    let from = this.phase2.length
    for (const old of olds) {
      const at = lowerBound(this.phase2, old)
      if (this.phase2[at] === old) from = Math.min(from, at)
    }
    const joining = news.filter(needsPhase2).sort(byOrder)
    for (const e of joining) from = Math.min(from, lowerBound(this.phase2, e))
    for (let i = this.phase2.length - 1; i >= from; i--) {
      const e = this.phase2[i]
      if (e === undefined) continue
      this.undoPhase2(e)
      this.touch(e)
    }
    for (const old of olds) this.entries.delete(old.key)
    for (const e of news) this.entries.set(e.key, e)
    const gone = new Set(olds)
    const tail = from === this.phase2.length ? [] : this.phase2.slice(from).filter((e) => !gone.has(e))
    // Keep the untouched prefix in place: appending one Service at the end costs O(1), not O(n).
    const merged = mergeSorted(tail, joining)
    this.phase2.length = from
    for (const e of merged) this.phase2.push(e)
    this.runPhase2From(from)
  }

  private runPhase1(e: Entry): void {
    const a = e.active
    const held = a?.held
    if (a === undefined || held === undefined) return
    for (const ip of held.ips) {
      const use = this.occ.get(ip.family, ip.value)
      if (use !== undefined && sharingVerdict(a, use)._tag !== 'Shareable') {
        e.kept = false
        e.outcome = undefined
        return
      }
    }
    for (const ip of held.ips) this.occ.take(ip, held.pool, a)
    e.kept = true
    e.outcome = assigned(held.ips, held.pool.name)
  }

  private undoPhase1(e: Entry): void {
    const a = e.active
    if (a === undefined || !e.kept || a.held === undefined) return
    for (const ip of a.held.ips) this.occ.release(ip, a)
    e.kept = false
    e.outcome = undefined
  }

  private runPhase2From(from: number): void {
    for (let i = from; i < this.phase2.length; i++) {
      const e = this.phase2[i]
      if (e !== undefined) this.runPhase2(e)
    }
  }

  private runPhase2(e: Entry): void {
    const a = e.active
    if (a === undefined) return
    if (e.kept && a.held !== undefined) {
      const [only] = a.held.ips
      const extra = only === undefined ? undefined : chooseExtra(only, a.held.pool, a, this.occ, this.index)
      if (extra === undefined) return
      this.occ.take(extra, a.held.pool, a)
      e.extra = extra
      e.outcome = assigned(ipv4First([...a.held.ips, extra]), a.held.pool.name)
      return
    }
    const choice = choose(a, this.occ, this.index)
    if (choice._tag === 'Fail') {
      e.outcome = choice.outcome
      if (a.request._tag === 'Specific') this.blocked.add(e)
      return
    }
    for (const ip of choice.ips) this.occ.take(ip, choice.pool, a)
    e.outcome = assigned(ipv4First(choice.ips), choice.pool.name)
  }

  private undoPhase2(e: Entry): void {
    const a = e.active
    if (a === undefined) return
    if (e.extra !== undefined) this.occ.release(e.extra, a)
    else if (!e.kept && e.outcome?._tag === 'Assigned') for (const ip of e.outcome.ips) this.occ.release(ip, a)
    e.extra = undefined
    this.blocked.delete(e)
    e.outcome = e.kept && a.held !== undefined ? assigned(a.held.ips, a.held.pool.name) : undefined
  }
}

// What a pass derives per Service (verdicts, the planned holder of each IP, Services assigned per
// pool, which Services needed a write), kept for the next pass so that it recomputes only the
// Services whose outcome changed (the planner's `changed`) or whose shown copy is a new object (the
// shell's decode memo hands out one object per unchanged Service). Without it a pass was linear in
// the Services even for one change: a creation wave's CPU then grew like N^2.
// Equal to the full derivation (specs/core/controller/passMemo.spec.ts). A full one runs when
// there is no memo of the state planned from, or the plan started over.
import type { AllocationState } from '../alloc/plan.js'
import type { ServiceOutcome } from '../alloc/outcome.js'
import type { ServiceKey } from '../model/names.js'
import type { ServiceShown } from '../model/serviceShown.js'
import { plannedHolders } from './holders.js'
import { type ServicePlan, planWritesOf } from './servicePlan.js'
import type { Verdict } from './serviceStatus.js'
import { verdictOf } from './verdict.js'
import type { Holders } from './writeOrder.js'
import { LayeredMap } from '../fp/layeredMap.js'

export interface PassMemo {
  /** The plan's outcomes this memo was derived from: it serves only the state planned next from that plan. */
  readonly outcomes: ReadonlyMap<ServiceKey, ServiceOutcome>
  readonly shown: ReadonlyMap<ServiceKey, ServiceShown>
  readonly verdicts: LayeredMap<ServiceKey, Verdict>
  readonly planned: LayeredMap<string, ReadonlySet<string>>
  /** pool -> Services assigned from it. */
  readonly assigned: ReadonlyMap<string, number>
  /** The Services whose write was not empty: looked at again next pass whatever changed. */
  readonly written: ReadonlySet<string>
}

export interface PassDerivation {
  readonly verdicts: ReadonlyMap<ServiceKey, Verdict>
  readonly services: ServicePlan
  readonly assigned: ReadonlyMap<string, number>
  readonly memo: PassMemo
}

const ipsOf = (v: Verdict | undefined): readonly string[] => (v?._tag === 'Assigned' ? v.ips : [])

const countAssigned = (counts: Map<string, number>, o: ServiceOutcome | undefined, by: number): void => {
  if (o?._tag === 'Assigned') counts.set(o.pool, (counts.get(o.pool) ?? 0) + by)
}

/** The holder sets that change when `key` moves from the IPs of `was` to those of `now` (copies; undefined: none left). */
const moveHolder = (holders: Holders, edits: Map<string, ReadonlySet<string> | undefined>, key: string, was: Verdict | undefined, now: Verdict | undefined): void => {
  const current = (ip: string): ReadonlySet<string> | undefined => (edits.has(ip) ? edits.get(ip) : holders.get(ip))
  for (const ip of ipsOf(was)) {
    const set = new Set(current(ip))
    set.delete(key)
    edits.set(ip, set.size === 0 ? undefined : set)
  }
  for (const ip of ipsOf(now)) edits.set(ip, new Set(current(ip)).add(key))
}

const full = (outcomes: ReadonlyMap<ServiceKey, ServiceOutcome>, shown: ReadonlyMap<ServiceKey, ServiceShown>, now: string): PassDerivation => {
  const verdicts = new Map<ServiceKey, Verdict>()
  const assigned = new Map<string, number>()
  for (const [key, outcome] of outcomes) {
    verdicts.set(key, verdictOf(outcome))
    countAssigned(assigned, outcome, 1)
  }
  const planned = LayeredMap.of(plannedHolders(verdicts))
  const { plan, written } = planWritesOf(shown.values(), verdicts, planned, now)
  return { verdicts, services: plan, assigned, memo: { outcomes, shown, verdicts: LayeredMap.of(verdicts), planned, assigned, written } }
}

/**
 * Only the Services that may have changed: a new shown copy, a changed outcome, or a write last pass.
 * When both shown maps are versions of one LayeredMap line (the shell's index), only the keys changed
 * between them are looked at, not every Service.
 */
function* candidates(shown: ReadonlyMap<ServiceKey, ServiceShown>, memo: PassMemo, changed: ReadonlySet<ServiceKey>): Generator<ServiceShown> {
  const maybe = (key: ServiceKey, s: ServiceShown): boolean => memo.shown.get(key) !== s || changed.has(key) || memo.written.has(key)
  const named = shown instanceof LayeredMap && memo.shown instanceof LayeredMap ? shown.changedSince(memo.shown) : undefined
  if (named === undefined) {
    for (const [key, s] of shown) if (maybe(key, s)) yield s
    return
  }
  for (const key of new Set<ServiceKey>([...named, ...changed, ...(memo.written as ReadonlySet<ServiceKey>)])) {
    const s = shown.get(key)
    if (s !== undefined && maybe(key, s)) yield s
  }
}

const incremental = (memo: PassMemo, allocation: AllocationState, shown: ReadonlyMap<ServiceKey, ServiceShown>, now: string): PassDerivation => {
  const outcomes = allocation.plan.outcomes
  const assigned = new Map(memo.assigned)
  const verdictEdits = new Map<ServiceKey, Verdict | undefined>()
  const holderEdits = new Map<string, ReadonlySet<string> | undefined>()
  for (const key of allocation.changed) {
    const outcome = outcomes.get(key)
    const verdict = outcome === undefined ? undefined : verdictOf(outcome)
    verdictEdits.set(key, verdict)
    countAssigned(assigned, memo.outcomes.get(key), -1)
    countAssigned(assigned, outcome, 1)
    moveHolder(memo.planned, holderEdits, key, memo.verdicts.get(key), verdict)
  }
  for (const [pool, n] of assigned) if (n === 0) assigned.delete(pool)
  const verdicts = memo.verdicts.with(verdictEdits)
  const planned = memo.planned.with(holderEdits)
  const { plan, written } = planWritesOf(candidates(shown, memo, allocation.changed), verdicts, planned, now)
  return { verdicts, services: plan, assigned, memo: { outcomes, shown, verdicts, planned, assigned, written } }
}

/**
 * Verdicts, Service writes and per-pool counts for `allocation`, from `memo` (what the pass that
 * planned `prior` derived) when it fits. Pure: `memo` is read, never changed.
 */
export const derivePass = (
  allocation: AllocationState,
  prior: AllocationState | undefined,
  memo: PassMemo | undefined,
  shown: ReadonlyMap<ServiceKey, ServiceShown>,
  now: string,
): PassDerivation =>
  memo !== undefined && prior !== undefined && memo.outcomes === prior.plan.outcomes && allocation.basis._tag === 'Changes'
    ? incremental(memo, allocation, shown, now)
    : full(allocation.plan.outcomes, shown, now)

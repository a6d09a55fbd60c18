// The controller's allocation step, level-based: the whole snapshot in each pass, the previous state
// kept between passes, and only the Services that changed planned again. What changed is found here,
// not given by the shell, so a lost or repeated watch event cannot make the plan wrong.
//
// Start over (a full plan) when what every Service's outcome depends on changed: the pools, the
// controller's class, or (only while some pool selects by namespace labels) the namespaces. Otherwise
// the Services are diffed against the previous snapshot: by reference first (a decoder that reuses
// the object of an unchanged raw Service makes this O(1) each), then by value (sameSpec.ts).
import type { LayeredMap } from '../fp/layeredMap.js'
import type { ServiceKey } from '../model/names.js'
import type { Pool } from '../model/pool.js'
import type { Namespace, Service } from '../model/service.js'
import type { AllocationConfig, AllocationInput } from './outcome.js'
import { type AllocationState, type FreshReason, type PlannedSnapshot, replanAllocation, snapshotOf, startAllocation } from './plan.js'
import { sameService, sameValue } from './sameSpec.js'

const samePools = (a: AllocationConfig, b: AllocationConfig): boolean => {
  if (a === b || a.pools === b.pools) return true
  if (a.pools.size !== b.pools.size) return false
  // Same names in the same order, each pool equal by value (a handful of pools: cheap).
  const bs = b.pools.entries()
  for (const [name, pool] of a.pools) {
    const next = bs.next()
    if (next.done === true || next.value[0] !== name || !sameValue(pool, next.value[1])) return false
  }
  return true
}

const selectsByNamespaceLabels = (pools: ReadonlyMap<unknown, Pool>): boolean => {
  for (const p of pools.values()) if ((p.serviceAllocation?.namespaceSelectors.length ?? 0) > 0) return true
  return false
}

/** Namespace labels are read only through pools' namespaceSelectors; without any, they cannot matter. */
const sameNamespaces = (a: readonly Namespace[], b: readonly Namespace[], pools: ReadonlyMap<unknown, Pool>): boolean => {
  if (a === b || !selectsByNamespaceLabels(pools)) return true
  return a.length === b.length && a.every((n, i) => n.name === b[i]?.name && sameValue(n.labels, b[i]?.labels))
}

const freshReason = (was: PlannedSnapshot, now: AllocationInput): FreshReason | undefined => {
  if (!samePools(was.input.config, now.config)) return 'ConfigChanged'
  if (was.input.loadBalancerClass !== now.loadBalancerClass) return 'ClassChanged'
  if (!sameNamespaces(was.input.namespaces, now.namespaces, now.config.pools)) return 'NamespacesChanged'
  return undefined
}

/** The Services new or different since `was`, and the keys gone; each key once, the last occurrence winning. */
const diffServices = (was: ReadonlyMap<ServiceKey, Service>, now: readonly Service[]): { upserted: Service[]; deleted: ServiceKey[] } => {
  const current = new Map<ServiceKey, Service>()
  for (const svc of now) current.set(svc.key, svc)
  const upserted: Service[] = []
  let kept = 0
  for (const [key, svc] of current) {
    const before = was.get(key)
    if (before !== undefined) kept++
    if (before === undefined || !sameService(before, svc)) upserted.push(svc)
  }
  const deleted: ServiceKey[] = []
  // Walk the old snapshot only when some key is missing from the new one.
  if (kept < was.size) for (const key of was.keys()) if (!current.has(key)) deleted.push(key)
  return { upserted, deleted }
}

/** The Services of `keys` (changed since the last pass, as a LayeredMap line says) new or different since `was`, and the keys gone. */
const diffKeys = (was: ReadonlyMap<ServiceKey, Service>, now: ReadonlyMap<ServiceKey, Service>, keys: readonly ServiceKey[]): { upserted: Service[]; deleted: ServiceKey[] } => {
  const upserted: Service[] = []
  const deleted: ServiceKey[] = []
  for (const key of new Set(keys)) {
    const before = was.get(key)
    const svc = now.get(key)
    if (svc === undefined) {
      if (before !== undefined) deleted.push(key)
    } else if (before === undefined || !sameService(before, svc)) upserted.push(svc)
  }
  return { upserted, deleted }
}

/** The servicesByKey each state was planned from, for the next pass's diff. */
const byKeyOf = new WeakMap<AllocationState, LayeredMap<ServiceKey, Service>>()

/** What changed since `was`: only the keys the two servicesByKey versions name, when they can; else every Service. */
const changesSince = (prior: AllocationState, was: PlannedSnapshot, input: AllocationInput): { upserted: Service[]; deleted: ServiceKey[] } => {
  const before = byKeyOf.get(prior)
  const keys = before === undefined ? undefined : input.servicesByKey?.changedSince(before)
  return keys === undefined || input.servicesByKey === undefined ? diffServices(was.services, input.services) : diffKeys(was.services, input.servicesByKey, keys)
}

/**
 * The allocation for `input`, planned from `prior` (the state this returned last pass; undefined on
 * the first pass or after a restart). Always equal to `planAllocation(input)`; only the cost differs.
 *
 * - `plan`: every Service's outcome and the pools' usage for this snapshot.
 * - `changed`: the keys whose outcome differs from `prior.plan` (appeared, changed or removed); all
 *   keys when there is no prior. Writes are needed at most for these and for Services whose live
 *   status disagrees with the plan.
 * - `basis`: why this was a full plan (`Fresh`, with the reason: `NoPrior`, `ConfigChanged`,
 *   `ClassChanged`, `NamespacesChanged`) or which Services were replanned
 *   (`Changes`, upserted and deleted keys), for the shell to log and count.
 *
 * Pure: `prior` and every plan it answered stay as they were. Keep only the newest state: planning
 * from an older one (or twice from one) is correct but costs a full plan.
 */
export const planFrom = (prior: AllocationState | undefined, input: AllocationInput): AllocationState => {
  const state = planned(prior, input)
  if (input.servicesByKey !== undefined) byKeyOf.set(state, input.servicesByKey)
  return state
}

const planned = (prior: AllocationState | undefined, input: AllocationInput): AllocationState => {
  const was = prior === undefined ? undefined : snapshotOf(prior)
  if (prior === undefined || was === undefined) return startAllocation(input)
  const reason = freshReason(was, input)
  if (reason !== undefined) return startAllocation(input, { plan: prior.plan, reason })
  return replanAllocation(prior, changesSince(prior, was, input))
}

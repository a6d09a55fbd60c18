// The allocation planner's public face: a snapshot in, a plan out (`planAllocation`), and the same
// with a state that a later call takes together with the Services that changed (`startAllocation`,
// `replanAllocation`). The controller reaches the second form through incremental.ts (`planFrom`),
// which finds the changed Services itself by comparing its snapshot with the previous one.
//
// Pure from the caller's view: a replan returns a new state and never changes what an older state or
// plan answers. Internally the newest state owns a mutable engine; replanning from an older state
// (or twice from one) is still correct, it just plans that state's snapshot again from scratch.
// A replan equals a full plan of the snapshot it describes: the previous snapshot with the changed
// Services replaced and the deleted ones removed (config, namespaces and class unchanged; for a
// change to those, call startAllocation again).
import type { ServiceKey } from '../model/names.js'
import type { Labels } from '../model/selector.js'
import type { Service } from '../model/service.js'
import { Engine } from './engine.js'
import { History } from './history.js'
import { type AllocationInput, type AllocationPlan, type ServiceOutcome, outcomesEqual } from './outcome.js'
import { mkPoolIndex } from './poolIndex.js'
import { mkRequestContext } from './request.js'
import { poolUsage } from './usage.js'

interface ServiceChanges {
  /** New or changed Services (the whole object, including its current ingress IPs). */
  readonly upserted: readonly Service[]
  /** Applied before `upserted`, so a key in both ends up present. */
  readonly deleted: readonly ServiceKey[]
}

/** Why a plan was made from scratch rather than from a previous state's changes. */
export type FreshReason =
  | 'NoPrior'
  | 'ConfigChanged'
  | 'NamespacesChanged'
  | 'ClassChanged'

/** How a state was planned: the shell logs and counts it. */
export type AllocationBasis =
  | { readonly _tag: 'Fresh'; readonly reason: FreshReason }
  /** The Services given as changed: `upserted` are the new or different ones, `deleted` the gone ones. */
  | { readonly _tag: 'Changes'; readonly upserted: readonly ServiceKey[]; readonly deleted: readonly ServiceKey[] }

declare const stateBrand: unique symbol
export interface AllocationState {
  readonly plan: AllocationPlan
  /** Keys whose outcome differs from the previous plan's (appeared, changed or removed). */
  readonly changed: ReadonlySet<ServiceKey>
  readonly basis: AllocationBasis
  readonly [stateBrand]: true
}

/** The snapshot a state plans: what `planFrom` compares the next one with. */
export interface PlannedSnapshot {
  readonly input: Omit<AllocationInput, 'services'>
  /** Read lazily from the state's history: lookups walk a short chain, iteration walks every key. */
  readonly services: ReadonlyMap<ServiceKey, Service>
  /** Cells and versions the state's history holds, this state's included: O(Services), never O(changes) (see compact). */
  readonly recorded: number
}

/** One engine and the history of what it was given and answered; owned by the newest state. */
interface Store {
  readonly input: Omit<AllocationInput, 'services'>
  readonly engine: Engine
  readonly history: History<ServiceKey, Service, ServiceOutcome>
  /** Set when a compaction moved the engine on to a new store: this history is frozen from then on. */
  retired: boolean
}

interface Internals {
  readonly store: Store
  readonly version: number
}

const internals = new WeakMap<AllocationState, Internals>()

const mkState = (plan: AllocationPlan, changed: ReadonlySet<ServiceKey>, basis: AllocationBasis, own: Internals): AllocationState => {
  // The brand is only a type: states are made here and nowhere else.
  const state = { plan, changed, basis } as unknown as AllocationState
  internals.set(state, own)
  return state
}

/**
 * The store keeps the input without its Services: the history holds those, each newest copy once. Kept
 * whole, the first pass's Services (before their IPs were written back) stayed alive as long as the
 * engine: at 20,000 Services about a tenth of the controller's heap (README, issue 12).
 */
const mkStore = ({ services: _inHistory, servicesByKey: _alsoInHistory, ...input }: AllocationInput): Store => {
  const index = mkPoolIndex(input.config.pools)
  const nsLabels = new Map<string, Labels>(input.namespaces.map((n) => [n.name, n.labels]))
  const ctx = { ...mkRequestContext(index), nsLabels, controllerClass: input.loadBalancerClass, portLists: new Map<string, readonly string[]>() }
  return { input, engine: new Engine(ctx, index), history: new History(), retired: false }
}

/**
 * Every replan adds a version and a cell per changed key, so a controller that only ever replans
 * would grow with the number of changes. Once the history holds more than a quarter (and at least 64)
 * beyond the live keys, the engine moves on to a history of the head alone: O(keys) each time, spread
 * over at least a quarter as many changes. Older states keep the old history, so they still read as
 * they did, and it goes once nothing holds them.
 */
const MIN_SLACK = 64
const historyFull = (h: Store['history']): boolean => h.recorded > h.live + Math.max(MIN_SLACK, h.live >> 2)

const compacted = (store: Store): Store => {
  store.retired = true
  return { input: store.input, engine: store.engine, history: store.history.compacted(), retired: false }
}

/** The changes with each key once: a deletion then an upsert of one key is an upsert. */
const normalise = (changes: ServiceChanges): { upserted: Service[]; deleted: ServiceKey[] } => {
  const m = new Map<ServiceKey, Service | undefined>()
  for (const key of changes.deleted) m.set(key, undefined)
  for (const svc of changes.upserted) m.set(svc.key, svc)
  const upserted: Service[] = []
  const deleted: ServiceKey[] = []
  for (const [key, svc] of m) {
    if (svc === undefined) deleted.push(key)
    else upserted.push(svc)
  }
  return { upserted, deleted }
}

/** Runs the engine on one change set and records the next version of everything. */
const step = (store: Store, upserted: readonly Service[], deleted: readonly ServiceKey[], basis: AllocationBasis): AllocationState => {
  const { engine, history } = store
  const first = history.head === 0
  history.advance()
  const applied = engine.apply(upserted, deleted)
  const changed = new Set<ServiceKey>()
  for (const e of applied.touched) {
    const outcome = e.outcome
    if (outcome === undefined) throw new Error(`allocation engine left ${e.key} without an outcome`)
    const before = first ? undefined : history.latest(e.key)
    const same = before?.output !== undefined && outcomesEqual(before.output, outcome)
    if (same && before?.input === e.svc) continue
    history.write(e.key, e.svc, outcome)
    if (!same) changed.add(e.key)
  }
  for (const key of applied.removed) {
    history.write(key, undefined, undefined)
    changed.add(key)
  }
  const owner = historyFull(history) ? compacted(store) : store
  const version = owner.history.head
  const plan: AllocationPlan = {
    outcomes: owner.history.outputs(version),
    pools: engine.index.pools.map((p) => poolUsage(p, (f) => engine.usedIn(p, f))),
  }
  return mkState(plan, changed, basis, { store: owner, version })
}

/** Keys whose outcome differs between two plans (appeared, changed or removed). */
const changedBetween = (before: AllocationPlan, after: AllocationPlan): Set<ServiceKey> => {
  const changed = new Set<ServiceKey>()
  for (const [key, now] of after.outcomes) {
    const was = before.outcomes.get(key)
    if (was === undefined || !outcomesEqual(was, now)) changed.add(key)
  }
  for (const key of before.outcomes.keys()) if (!after.outcomes.has(key)) changed.add(key)
  return changed
}

const changesOf = (upserted: readonly Service[], deleted: readonly ServiceKey[]): AllocationBasis => ({
  _tag: 'Changes',
  upserted: upserted.map((s) => s.key),
  deleted,
})

/**
 * A plan from scratch. With `since`, `changed` is counted against that earlier plan and the basis
 * names why planning started over; without, every key counts as changed.
 */
export const startAllocation = (input: AllocationInput, since?: { readonly plan: AllocationPlan; readonly reason: FreshReason }): AllocationState => {
  const first = step(mkStore(input), input.services, [], { _tag: 'Fresh', reason: since?.reason ?? 'NoPrior' })
  if (since === undefined) return first
  const own = internals.get(first)
  return own === undefined ? first : mkState(first.plan, changedBetween(since.plan, first.plan), first.basis, own)
}

export const snapshotOf = (state: AllocationState): PlannedSnapshot | undefined => {
  const own = internals.get(state)
  if (own === undefined) return undefined
  const { input, history } = own.store
  return { input, services: history.inputs(own.version), recorded: history.recorded }
}

export const planAllocation = (input: AllocationInput): AllocationPlan => startAllocation(input).plan

export const replanAllocation = (state: AllocationState, changes: ServiceChanges): AllocationState => {
  const own = internals.get(state)
  if (own === undefined) throw new Error('replanAllocation: not a state returned by startAllocation or replanAllocation')
  const { store, version } = own
  const { upserted, deleted } = normalise(changes)
  const basis = changesOf(upserted, deleted)
  if (!store.retired && version === store.history.head) return step(store, upserted, deleted, basis)
  // An older state: its snapshot is still recorded, so plan it afresh (slower, same answer).
  const snapshot = new Map(store.history.inputs(version))
  for (const key of deleted) snapshot.delete(key)
  for (const svc of upserted) snapshot.set(svc.key, svc)
  const next = startAllocation({ ...store.input, services: [...snapshot.values()] })
  const nextOwn = internals.get(next)
  return nextOwn === undefined ? next : mkState(next.plan, changedBetween(state.plan, next.plan), basis, nextOwn)
}

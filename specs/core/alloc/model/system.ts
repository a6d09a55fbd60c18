// The model-based run's two sides and the checks every command makes. The real side is the planner
// driven as the controller drives it: after every event one pass of `planFrom` over the whole
// snapshot from the previous state (a restart from none), and after each plan the statuses written
// back and planned again. The model side is just the cluster as data plus the reference planner,
// which recomputes everything.
import { isDeepStrictEqual } from 'node:util'
import { planFrom } from '../../../../core/alloc/incremental.js'
import type { AllocationState, FreshReason } from '../../../../core/alloc/plan.js'
import type { AllocationInput, AllocationPlan } from '../../../../core/alloc/outcome.js'
import type { PoolName, ServiceKey } from '../../../../core/model/names.js'
import type { Pool } from '../../../../core/model/pool.js'
import type { Service } from '../../../../core/model/service.js'
import { NAMESPACES } from '../arbitraries.js'
import { checkInvariants } from '../invariants.js'
import { compact } from '../table.js'
import { referencePlan } from './reference.js'

export interface Model {
  readonly services: Map<ServiceKey, Service>
  readonly pools: Map<PoolName, Pool>
  /** Compact outcomes once the last statuses were written. */
  settled: ReadonlyMap<string, string>
}

export interface Real {
  state: AllocationState
}

export const inputOf = (m: Model): AllocationInput => ({
  config: { pools: new Map([...m.pools].sort(([a], [b]) => (a < b ? -1 : 1))) },
  services: [...m.services.values()],
  namespaces: NAMESPACES,
  loadBalancerClass: undefined,
})

const compactAll = (plan: AllocationPlan): Map<string, string> => new Map([...plan.outcomes].map(([k, o]) => [k as string, compact(o)]))

const sorted = (m: ReadonlyMap<string, string>): [string, string][] => [...m].sort(([a], [b]) => (a < b ? -1 : 1))

const fail = (what: string, detail: unknown): never => {
  throw new Error(`${what}: ${JSON.stringify(detail, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v), 1)}`)
}

/** One controller pass over the cluster as the model holds it. */
export const pass = (m: Model, real: Real): void => {
  real.state = planFrom(real.state, inputOf(m))
}

/** The pass replanned exactly these Services (none when nothing changed by value), not from scratch. */
export const expectReplanned = (real: Real, what: string, upserted: readonly ServiceKey[], deleted: readonly ServiceKey[]): void => {
  const b = real.state.basis
  const want = { _tag: 'Changes', upserted: [...upserted].sort(), deleted: [...deleted].sort() }
  const got = b._tag === 'Changes' ? { _tag: b._tag, upserted: [...b.upserted].sort(), deleted: [...b.deleted].sort() } : b
  if (!isDeepStrictEqual(got, want)) fail(`${what}: replanned other Services than those changed [got, want]`, [got, want])
}

/** The pass planned afresh, for this reason. */
export const expectFresh = (real: Real, what: string, reason: FreshReason): void => {
  const b = real.state.basis
  if (b._tag !== 'Fresh' || b.reason !== reason) fail(`${what}: expected a fresh plan (${reason})`, b)
}

/** The real plan agrees exactly with the reference and keeps every invariant. */
export const verify = (m: Model, real: Real, what: string): void => {
  const input = inputOf(m)
  const ref = referencePlan(input)
  const got = compactAll(real.state.plan)
  if (!isDeepStrictEqual(sorted(got), sorted(ref.outcomes))) {
    const diff = [...new Set([...got.keys(), ...ref.outcomes.keys()])].filter((k) => got.get(k) !== ref.outcomes.get(k)).map((k) => [k, got.get(k), ref.outcomes.get(k)])
    fail(`${what}: planner and reference disagree [key, planner, reference]`, diff)
  }
  if (!isDeepStrictEqual(real.state.plan.pools, ref.pools)) fail(`${what}: pool usage differs`, [real.state.plan.pools, ref.pools])
  const problems = checkInvariants(input, real.state.plan)
  if (problems.length > 0) fail(`${what}: invariants`, problems)
}

/** The controller writes the plan's IPs into the statuses; planning again must change nothing. */
export const settle = (m: Model, real: Real, what: string): void => {
  const before = compactAll(real.state.plan)
  const upserted: Service[] = []
  for (const s of m.services.values()) {
    const o = real.state.plan.outcomes.get(s.key)
    const ingressIPs = o?._tag === 'Assigned' ? o.ips : []
    if (!isDeepStrictEqual(ingressIPs, s.ingressIPs)) {
      const next = { ...s, ingressIPs }
      m.services.set(s.key, next)
      upserted.push(next)
    }
  }
  pass(m, real)
  verify(m, real, `${what}, statuses written`)
  expectReplanned(real, `${what}, statuses written`, upserted.map((s) => s.key), [])
  const after = compactAll(real.state.plan)
  for (const [k, c] of before) if (after.get(k) !== c) fail(`${what}: writing statuses changed ${k}`, [c, after.get(k)])
  m.settled = after
}

/** Every Service assigned at the last settle still holds what it held, unless `exempt` says why not. */
export const expectKept = (m: Model, real: Real, what: string, exempt: (key: string, was: string) => boolean): void => {
  for (const [key, was] of m.settled) {
    if (!was.includes('@') || !m.services.has(key as ServiceKey) || exempt(key, was)) continue
    const now = compact(real.state.plan.outcomes.get(key as ServiceKey))
    const [ips, pool] = was.split('@')
    // A PreferDualStack Service holding one family may gain the other: what it held stays.
    const gained = now.endsWith(`@${pool}`) && !ips?.includes(',') && now.split('@')[0]?.split(',').includes(ips ?? '')
    if (now !== was && !gained) fail(`${what}: ${key} moved`, [was, now])
  }
}

export const poolOf = (settled: string): string | undefined => settled.split('@')[1]

/** The IPs of a compact "ip,ip@pool" outcome; none for a pending or ignored one. */
export const ipsOf = (settled: string): string[] => (settled.includes('@') ? (settled.split('@')[0] ?? '').split(',') : [])

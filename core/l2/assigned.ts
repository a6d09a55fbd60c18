// The IPs each Service holds, which is what speakers announce: from an allocation plan (what the
// controller is about to write, as `ironlb simulate` shows) or from the Services' own
// `status.loadBalancer.ingress` (what the controller wrote, which is all a speaker reads in
// MetalLB). Order matters: the first IP keys the election for all of a Service's IPs. Speakers must
// use the ingress order: the controller leaves a status listing the right set in another order as
// it is (core/controller/serviceStatus.ts compares sets), so the plan's order can differ from it.
import type { AllocationPlan } from '../alloc/outcome.js'
import type { PoolName, ServiceKey } from '../model/names.js'
import type { Pool } from '../model/pool.js'
import type { Service } from '../model/service.js'
import type { IP } from '../net/address.js'
import { rangeContains } from '../net/range.js'

export type Assigned = ReadonlyMap<ServiceKey, readonly IP[]>

/** The IPs of every Assigned outcome; pending and ignored Services hold none. */
export const assignedFromPlan = (plan: AllocationPlan): Assigned => {
  const out = new Map<ServiceKey, readonly IP[]>()
  for (const [key, outcome] of plan.outcomes) if (outcome._tag === 'Assigned') out.set(key, outcome.ips)
  return out
}

/** The ingress IPs each Service shows, in the order the status lists them. */
export const assignedFromIngress = (services: readonly Service[]): Assigned =>
  new Map(services.filter((s) => s.ingressIPs.length > 0).map((s) => [s.key, s.ingressIPs] as const))

/**
 * The pool holding every one of `ips` (MetalLB's poolFor), trying pools in name order; a valid
 * config has no overlapping pools, so at most one can.
 */
export const poolHolding = (ips: readonly IP[], pools: ReadonlyMap<PoolName, Pool>): PoolName | undefined => {
  for (const pool of pools.values()) if (ips.every((ip) => pool.ranges.some((r) => rangeContains(r, ip)))) return pool.name
  return undefined
}

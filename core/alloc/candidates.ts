// Which pools may serve a Service, per `spec.serviceAllocation` (MetalLB's isPoolCompatibleWithService,
// pinnedPoolsForService and sortPools):
// - a pool admits a Service when its namespace constraint (namespaces, or namespaceSelectors on the
//   Namespace's labels; either list admits) and its serviceSelectors (any one matching) both hold;
//   empty lists do not constrain. A pool without serviceAllocation admits everyone. This check also
//   applies to requested IPs, pinned pools and held IPs; `autoAssign` does not.
// - automatic assignment first tries the serviceAllocation pools that select this Service and have
//   autoAssign, ordered by priority (lower positive first, unset last, ties by name); then the
//   general pools: no serviceAllocation and autoAssign, by name.
//   A serviceAllocation with neither namespaces nor selectors selects every Service, automatic
//   assignment included (IronLB's API promise). Deliberate deviation: MetalLB indexes such pools
//   nowhere (poolsByNamespace / poolsByServiceSelector), so it never picks one automatically.
import type { Pool, ServiceAllocation } from '../model/pool.js'
import { type Labels, anySelectorMatches } from '../model/selector.js'
import type { Service } from '../model/service.js'
import type { PoolSlot } from './poolIndex.js'

const namespaceConstrained = (sa: ServiceAllocation): boolean =>
  sa.namespaces.length > 0 || sa.namespaceSelectors.length > 0

// Deliberate deviation: MetalLB resolves namespaceSelectors into a set of names at config time, and an
// empty set then means "no constraint"; here selectors that match no namespace admit no namespace.
const namespaceAdmits = (sa: ServiceAllocation, namespace: string, nsLabels: Labels): boolean =>
  !namespaceConstrained(sa) ||
  sa.namespaces.includes(namespace) ||
  anySelectorMatches(sa.namespaceSelectors, nsLabels)

const serviceAdmits = (sa: ServiceAllocation, labels: Labels): boolean =>
  sa.serviceSelectors.length === 0 || anySelectorMatches(sa.serviceSelectors, labels)

export const poolAdmits = (pool: Pool, svc: Service, nsLabels: Labels): boolean => {
  const sa = pool.serviceAllocation
  return sa === undefined || (namespaceAdmits(sa, svc.namespace, nsLabels) && serviceAdmits(sa, svc.labels))
}

/**
 * A serviceAllocation pool selecting this Service (before autoAssign and priority). A present but
 * empty serviceAllocation selects every Service, as IronLB's API promises; MetalLB's allocator only
 * lists pools whose namespaces or selectors name the Service, so it never picks such a pool
 * automatically.
 */
const selectsService = (sa: ServiceAllocation, svc: Service, nsLabels: Labels): boolean =>
  namespaceAdmits(sa, svc.namespace, nsLabels) && serviceAdmits(sa, svc.labels)

const priorityRank = (p: PoolSlot): number => {
  const prio = p.pool.serviceAllocation?.priority ?? 0
  return prio > 0 ? prio : Number.POSITIVE_INFINITY
}

/** The first tier of automatic assignment: serviceAllocation pools selecting this Service. */
export const selectedPools = (pools: readonly PoolSlot[], svc: Service, nsLabels: Labels): readonly PoolSlot[] => {
  // Called once per Service: most clusters have few such pools, so avoid allocating when none match.
  let out: PoolSlot[] | undefined
  for (const p of pools)
    if (p.pool.autoAssign && p.pool.serviceAllocation !== undefined && selectsService(p.pool.serviceAllocation, svc, nsLabels)) (out ??= []).push(p)
  return out === undefined ? NONE : out.sort((a, b) => priorityRank(a) - priorityRank(b) || a.index - b.index)
}

/** The one empty selection, shared so that callers can memoise on it. */
const NONE: readonly PoolSlot[] = []

/** The second tier: general pools, the same for every Service. */
export const generalPools = (pools: readonly PoolSlot[]): PoolSlot[] =>
  pools.filter((p) => p.pool.autoAssign && p.pool.serviceAllocation === undefined)

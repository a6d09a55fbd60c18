// What a Service asks for, checked against the configuration alone (nothing here depends on who holds
// which address): specific IPs, a pinned pool, or automatic choice, following MetalLB's allocateIPs.
// A request that no address use could ever satisfy ends here as a Pending reason.
import { absurd } from '../fp/absurd.js'
import type { PoolName } from '../model/names.js'
import type { Labels } from '../model/selector.js'
import type { Service } from '../model/service.js'
import { type IP, formatIP } from '../net/address.js'
import { poolAdmits, generalPools, selectedPools } from './candidates.js'
import { type FamilyNeed, familyName, ipsMatchNeed, ipv4First, needName, wellFormedIPs } from './family.js'
import { type PendingReason, type ServiceOutcome, pending } from './outcome.js'
import { type PoolIndex, type PoolSlot, hasFamily, poolHoldingAll } from './poolIndex.js'

export type Request =
  | { readonly _tag: 'Specific'; readonly ips: readonly IP[]; readonly pool: PoolSlot }
  | { readonly _tag: 'Pinned'; readonly pool: PoolSlot }
  /** Tiers in order, each already reduced to pools that have the needed families. */
  | { readonly _tag: 'Auto'; readonly tiers: readonly (readonly PoolSlot[])[] }
  /**
   * Nothing could be allocated anew, yet held IPs may still be kept (MetalLB's Assign ignores
   * autoAssign): pending with this outcome only if they are lost.
   */
  | { readonly _tag: 'Unavailable'; readonly outcome: ServiceOutcome }

type Resolved = { readonly _tag: 'Ok'; readonly request: Request } | { readonly _tag: 'Refused'; readonly outcome: ServiceOutcome }

const refuse = (reason: PendingReason, message: string): Resolved => ({ _tag: 'Refused', outcome: pending(reason, message) })
const ok = (request: Request): Resolved => ({ _tag: 'Ok', request })

const listIPs = (ips: readonly IP[]): string => ips.map(formatIP).join(', ')

/** Whether a pool could ever serve the need (RequireDualStack needs both families in one pool). */
const canServe = (p: PoolSlot, need: FamilyNeed): boolean =>
  need._tag === 'Single'
    ? hasFamily(p, need.family)
    : need.required
      ? hasFamily(p, 4) && hasFamily(p, 6)
      : hasFamily(p, 4) || hasFamily(p, 6)

const missingFamilies = (need: FamilyNeed): string =>
  need._tag === 'Single' ? `${familyName(need.family)} addresses` : need.required ? 'both IPv4 and IPv6 addresses' : 'addresses'

/**
 * Per-configuration memo. Automatic requests depend only on the family need and on which
 * serviceAllocation pools select the Service, so 100,000 Services share a handful of answers.
 */
export interface RequestContext {
  readonly index: PoolIndex
  /** autoAssign pools with a serviceAllocation: the only ones to match per Service. */
  readonly allocating: readonly PoolSlot[]
  readonly general: readonly PoolSlot[]
  /** Need -> selected pools (as text of their indexes) -> answer. Needs are shared constants. */
  readonly auto: Map<FamilyNeed, Map<string, Resolved>>
  /** The same, keyed by the selected list itself when it comes from `selectedInNamespace`. */
  readonly autoByList: Map<FamilyNeed, Map<readonly PoolSlot[], Resolved>>
  /** For Services without labels, the selected pools depend on the namespace alone. */
  readonly selectedInNamespace: Map<string, readonly PoolSlot[]>
}

export const mkRequestContext = (index: PoolIndex): RequestContext => ({
  index,
  allocating: index.pools.filter((p) => p.pool.autoAssign && p.pool.serviceAllocation !== undefined),
  general: generalPools(index.pools),
  auto: new Map(),
  autoByList: new Map(),
  selectedInNamespace: new Map(),
})

const resolveSpecific = (ctx: RequestContext, svc: Service, need: FamilyNeed, nsLabels: Labels, asked: readonly IP[]): Resolved => {
  if (!wellFormedIPs(asked))
    return refuse('InvalidIPRequest', `requested IPs ${listIPs(asked)} are not one IPv4 and/or one IPv6 address`)
  if (!ipsMatchNeed(asked, need))
    return refuse('RequestedIPFamilyMismatch', `requested IPs ${listIPs(asked)} do not match the service's IP families (${needName(need)})`)
  const ips = ipv4First(asked)
  for (const ip of ips) {
    if (ctx.index.locate(ip).length > 0) continue
    const avoiding = ctx.index.locate(ip, true)[0]
    return refuse(
      'RequestedIPNotInAnyPool',
      avoiding === undefined
        ? `requested IP ${formatIP(ip)} is not in any pool`
        : `requested IP ${formatIP(ip)} is in pool ${avoiding.pool.name}, which avoids addresses ending in .0 and .255`,
    )
  }
  const pool = poolHoldingAll(ctx.index, ips)
  if (pool === undefined) return refuse('RequestedIPsInDifferentPools', `requested IPs ${listIPs(ips)} are not in one pool`)
  if (!poolAdmits(pool.pool, svc, nsLabels))
    return refuse('PoolSelectorMismatch', `requested IPs ${listIPs(ips)} are in pool ${pool.name}, whose serviceAllocation does not admit this service`)
  if (svc.pinnedPool !== undefined && svc.pinnedPool !== pool.name)
    return refuse('RequestedIPNotInPinnedPool', `requested IPs ${listIPs(ips)} are in pool ${pool.name}, not in the requested pool ${svc.pinnedPool}`)
  return ok({ _tag: 'Specific', ips, pool })
}

const resolvePinned = (ctx: RequestContext, svc: Service, need: FamilyNeed, nsLabels: Labels, name: string): Resolved => {
  const pool = ctx.index.byName.get(name as PoolName)
  if (pool === undefined) return refuse('PoolNotFound', `requested pool ${name} does not exist`)
  if (!poolAdmits(pool.pool, svc, nsLabels))
    return refuse('PoolSelectorMismatch', `pool ${name}'s serviceAllocation does not admit this service`)
  if (!canServe(pool, need)) return refuse('NoPoolForFamily', `pool ${name} has no ${missingFamilies(need)}`)
  return ok({ _tag: 'Pinned', pool })
}

const autoFrom = (ctx: RequestContext, selected: readonly PoolSlot[], need: FamilyNeed): Resolved => {
  const tiers = [selected.filter((p) => canServe(p, need)), ctx.general.filter((p) => canServe(p, need))].filter((t) => t.length > 0)
  if (tiers.length > 0) return ok({ _tag: 'Auto', tiers })
  if (selected.length === 0 && ctx.general.length === 0)
    return refuse(
      'NoMatchingPool',
      ctx.index.pools.length === 0
        ? 'no address pools are configured'
        : 'no pool is available for automatic assignment to this service (a pool needs autoAssign, and a serviceAllocation selecting the service if it has one)',
    )
  return refuse('NoPoolForFamily', `no pool available for automatic assignment has ${missingFamilies(need)}`)
}

const selectedFor = (ctx: RequestContext, svc: Service, nsLabels: Labels): readonly PoolSlot[] => {
  if (ctx.allocating.length === 0) return ctx.allocating
  // Any label at all: the service selectors must look at them.
  for (const _ in svc.labels) return selectedPools(ctx.allocating, svc, nsLabels)
  let known = ctx.selectedInNamespace.get(svc.namespace)
  if (known === undefined) ctx.selectedInNamespace.set(svc.namespace, (known = selectedPools(ctx.allocating, svc, nsLabels)))
  return known
}

const resolveAuto = (ctx: RequestContext, svc: Service, need: FamilyNeed, nsLabels: Labels): Resolved => {
  const selected = selectedFor(ctx, svc, nsLabels)
  let byList = ctx.autoByList.get(need)
  if (byList === undefined) ctx.autoByList.set(need, (byList = new Map()))
  const quick = byList.get(selected)
  if (quick !== undefined) return quick
  let byNeed = ctx.auto.get(need)
  if (byNeed === undefined) ctx.auto.set(need, (byNeed = new Map()))
  const sig = selected.map((p) => p.index).join(',')
  let known = byNeed.get(sig)
  if (known === undefined) byNeed.set(sig, (known = autoFrom(ctx, selected, need)))
  // Lists shared between Services (per namespace, or the empty one) are worth remembering as such.
  if (selected.length === 0 || ctx.selectedInNamespace.get(svc.namespace) === selected) byList.set(selected, known)
  return known
}

export const resolveRequest = (ctx: RequestContext, svc: Service, need: FamilyNeed, nsLabels: Labels): Resolved => {
  const req = svc.request
  switch (req._tag) {
    case 'Invalid':
      return refuse('InvalidIPRequest', req.message)
    case 'Specific':
      return resolveSpecific(ctx, svc, need, nsLabels, req.ips)
    case 'Any':
      return svc.pinnedPool !== undefined ? resolvePinned(ctx, svc, need, nsLabels, svc.pinnedPool) : resolveAuto(ctx, svc, need, nsLabels)
    default:
      return absurd(req)
  }
}

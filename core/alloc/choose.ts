// Picking addresses for one Service given who holds what (MetalLB's Assign, AllocateFromPool,
// Allocate/findBestPoolForService and AllocateFromPoolForAdditionalFamily). Pure over the occupancy:
// it only reads, and moves range cursors past addresses already in use.
import { absurd } from '../fp/absurd.js'
import type { IP } from '../net/address.js'
import { formatIP } from '../net/address.js'
import { type FamilyNeed, otherFamily } from './family.js'
import { lowestAvailable } from './freeSearch.js'
import type { Occupancy } from './occupancy.js'
import { type ServiceOutcome, pending } from './outcome.js'
import { type PoolIndex, type PoolSlot, hasFamily } from './poolIndex.js'
import type { Active } from './prepare.js'
import { type Claimant, type SharingVerdict, sharingVerdict } from './sharing.js'

type Choice =
  | { readonly _tag: 'Take'; readonly ips: readonly IP[]; readonly pool: PoolSlot }
  | { readonly _tag: 'Fail'; readonly outcome: ServiceOutcome }

type Found = Extract<Choice, { _tag: 'Take' }>

const offer = (ips: readonly IP[], pool: PoolSlot): Found => ({ _tag: 'Take', ips, pool })
const take = (f: Found): Choice => f
const fail = (outcome: ServiceOutcome): Choice => ({ _tag: 'Fail', outcome })

const refusal = (ip: IP, v: Exclude<SharingVerdict, { _tag: 'Shareable' }>, c: Claimant): ServiceOutcome => {
  const at = formatIP(ip)
  switch (v._tag) {
    case 'NotShared':
      return pending('RequestedIPInUse', `requested IP ${at} is in use by ${v.holder}; sharing needs the same metallb.io/allow-shared-ip key on both`)
    case 'OtherKey':
      return pending('RequestedIPInUse', `requested IP ${at} is in use by ${v.holder} under sharing key "${v.theirs}", not "${c.sharing ?? ''}"`)
    case 'BackendMismatch':
      return pending('SharingConflict', `requested IP ${at} is shared with ${v.holder}, which selects other pods (externalTrafficPolicy Local needs identical selectors)`)
    case 'PortClash':
      return pending('SharingConflict', `requested IP ${at} is shared with ${v.holder}, which already uses port ${v.port}`)
    default:
      return absurd(v)
  }
}

/** MetalLB's Assign: every requested IP free or shareable, else the first refusal (IPv4 first). */
const chooseSpecific = (ips: readonly IP[], pool: PoolSlot, c: Claimant, occ: Occupancy): Choice => {
  for (const ip of ips) {
    const use = occ.get(ip.family, ip.value)
    if (use === undefined) continue
    const v = sharingVerdict(c, use)
    if (v._tag !== 'Shareable') return fail(refusal(ip, v, c))
  }
  return offer(ips, pool)
}

/** What one pool offers for the need; PreferDualStack takes whatever families it has. */
const fromPool = (p: PoolSlot, need: FamilyNeed, c: Claimant, occ: Occupancy, index: PoolIndex): Found | undefined => {
  if (need._tag === 'Single') {
    const ip = lowestAvailable(p, need.family, c, occ, index)
    return ip === undefined ? undefined : offer([ip], p)
  }
  const v4 = lowestAvailable(p, 4, c, occ, index)
  const v6 = lowestAvailable(p, 6, c, occ, index)
  if (v4 !== undefined && v6 !== undefined) return offer([v4, v6], p)
  if (need.required) return undefined
  const one = v4 ?? v6
  return one === undefined ? undefined : offer([one], p)
}

/**
 * findBestPoolForService: the first pool giving everything the need asks; for PreferDualStack with
 * no pool giving both, the first pool giving the primary family, else the first giving the other.
 * A pool with one family can only be such a fallback, so once both fallbacks are known it is
 * skipped without searching it (the answer is the same, and 45 general pools cost 2 lookups, not 90).
 */
const bestInTier = (pools: readonly PoolSlot[], need: FamilyNeed, c: Claimant, occ: Occupancy, index: PoolIndex): Found | undefined => {
  if (need._tag === 'Single') {
    for (const p of pools) {
      const ip = lowestAvailable(p, need.family, c, occ, index)
      if (ip !== undefined) return offer([ip], p)
    }
    return undefined
  }
  const other = otherFamily(need.primary)
  let primary: Found | undefined
  let secondary: Found | undefined
  for (const p of pools) {
    const both = hasFamily(p, 4) && hasFamily(p, 6)
    if (!both && need.required) continue
    if (!both && primary !== undefined && secondary !== undefined) continue
    const a = (both || primary === undefined) && hasFamily(p, need.primary) ? lowestAvailable(p, need.primary, c, occ, index) : undefined
    const b = (both || secondary === undefined) && hasFamily(p, other) ? lowestAvailable(p, other, c, occ, index) : undefined
    if (a !== undefined && b !== undefined) return offer(need.primary === 4 ? [a, b] : [b, a], p)
    if (need.required) continue
    if (a !== undefined) primary ??= offer([a], p)
    if (b !== undefined) secondary ??= offer([b], p)
  }
  return primary ?? secondary
}

const poolList = (pools: readonly PoolSlot[]): string => {
  const names = pools.map((p) => p.name)
  const shown = names.slice(0, 5).join(', ')
  const more = names.length > 5 ? ` and ${names.length - 5} more` : ''
  return names.length === 1 ? `pool ${shown}` : `pools ${shown}${more}`
}

export const choose = (a: Active, occ: Occupancy, index: PoolIndex): Choice => {
  const r = a.request
  switch (r._tag) {
    case 'Specific':
      return chooseSpecific(r.ips, r.pool, a, occ)
    case 'Pinned': {
      const found = fromPool(r.pool, a.need, a, occ, index)
      return found !== undefined ? take(found) : fail(pending('NoAvailableIPs', `no available IPs in pool ${r.pool.name}`))
    }
    case 'Auto': {
      // MetalLB tries the pools selecting the Service first, and only then the general pools.
      for (const tier of r.tiers) {
        const found = bestInTier(tier, a.need, a, occ, index)
        if (found !== undefined) return take(found)
      }
      const all = [...new Set(r.tiers.flat())]
      return fail(pending('NoAvailableIPs', `no available IPs in ${poolList(all)}`))
    }
    case 'Unavailable':
      return fail(r.outcome)
    default:
      return absurd(r)
  }
}

/** The other family for a PreferDualStack Service holding one, from the same pool, if any. */
export const chooseExtra = (held: IP, pool: PoolSlot, c: Claimant, occ: Occupancy, index: PoolIndex): IP | undefined =>
  lowestAvailable(pool, otherFamily(held.family), c, occ, index)

// Per-pool address counts, as MetalLB's PoolCounters report them: assigned is the number of distinct
// addresses in use (a shared IP counts once), available is the usable size (avoided .0/.255 addresses
// taken out) minus assigned. Sizes are exact bigints until the end, then clamped into a JS number:
// never negative, saturating at Number.MAX_SAFE_INTEGER (MetalLB saturates /62-and-larger IPv6
// ranges at MaxInt64 instead).
import type { Family } from '../net/address.js'
import type { PoolUsage } from './outcome.js'
import type { PoolSlot } from './poolIndex.js'

const MAX = BigInt(Number.MAX_SAFE_INTEGER)

export const toCount = (n: bigint): number => (n <= 0n ? 0 : n >= MAX ? Number.MAX_SAFE_INTEGER : Number(n))

export const poolUsage = (pool: PoolSlot, used: (f: Family) => number): PoolUsage => ({
  name: pool.name,
  assignedIPv4: used(4),
  assignedIPv6: used(6),
  availableIPv4: toCount(pool.capacity[4] - BigInt(used(4))),
  availableIPv6: toCount(pool.capacity[6] - BigInt(used(6))),
})

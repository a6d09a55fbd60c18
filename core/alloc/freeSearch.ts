// Finding the address MetalLB would pick inside one pool for one family: walking the pool's ranges in
// the order written, the lowest address that is either unused or already used by Services this one
// may share with (getIPFromCIDR accepts the first address that passes checkSharing). MetalLB does not
// prefer shared addresses; it just meets them in address order.
//
// Cost: each range keeps a cursor below which everything is in use. Within one pass addresses are
// only taken, never released, so the cursor only moves forward and the walk is amortised O(1) per
// allocation (plus one step per address reserved ahead of it). Releasing moves the cursor back to
// the released address. Shareable addresses come from the per-key index, so only addresses under the
// same sharing key are looked at.
import type { Family, IP } from '../net/address.js'
import { unsafeIp } from '../net/address.js'
import { skipAvoided } from './avoidedAddresses.js'
import type { Occupancy } from './occupancy.js'
import type { PoolIndex, PoolSlot, RangeSlot } from './poolIndex.js'
import { type Claimant, sharingVerdict } from './sharing.js'

const lowestUnused = (r: RangeSlot, occ: Occupancy): bigint | undefined => {
  const f = r.range.family
  const avoid = r.pool.pool.avoidBuggyIPs
  let v = r.low
  for (;;) {
    if (avoid) v = skipAvoided(f, v)
    if (v > r.range.last || occ.get(f, v) === undefined) break
    v += 1n
  }
  // Everything below v is in use or avoided, whether or not the caller takes v.
  r.low = v
  return v > r.range.last ? undefined : v
}

interface Position {
  readonly order: number
  readonly value: bigint
}

const before = (a: Position, b: Position): boolean => a.order < b.order || (a.order === b.order && a.value < b.value)

const lowestShareable = (pool: PoolSlot, f: Family, c: Claimant, occ: Occupancy, index: PoolIndex): Position | undefined => {
  if (c.sharing === undefined) return undefined
  let best: Position | undefined
  for (const use of occ.sharedUnder(c.sharing)) {
    if (use.ip.family !== f || sharingVerdict(c, use)._tag !== 'Shareable') continue
    const slot = index.locate(use.ip).find((r) => r.pool === pool)
    if (slot === undefined) continue
    const here = { order: slot.order, value: use.ip.value }
    if (best === undefined || before(here, best)) best = here
  }
  return best
}

/** The address this claimant would get from the pool in family f, or undefined when it has none. */
export const lowestAvailable = (pool: PoolSlot, f: Family, c: Claimant, occ: Occupancy, index: PoolIndex): IP | undefined => {
  let order = -1
  let value = 0n
  // A pool whose every usable address is in use has nothing free: skip the walk. (Counts are
  // attributed to the pool an address was taken from, so this never claims full wrongly.)
  const full = occ.used(pool, f) >= pool.capacity[f]
  for (const r of full ? [] : pool.ranges) {
    if (r.range.family !== f) continue
    const v = lowestUnused(r, occ)
    if (v !== undefined) {
      order = r.order
      value = v
      break
    }
  }
  const shared = lowestShareable(pool, f, c, occ, index)
  if (shared !== undefined && (order < 0 || before(shared, { order, value }))) return unsafeIp(f, shared.value)
  return order < 0 ? undefined : unsafeIp(f, value)
}

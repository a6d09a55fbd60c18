// The configured pools as the allocator walks them: in name order (MetalLB iterates a Go map, so its
// order is random; ours is by name, deterministic), each range with a free-address cursor, and a
// sorted index answering "which pool owns this IP" in O(log ranges). Nothing here enumerates a range.
import type { PoolName } from '../model/names.js'
import type { Pool } from '../model/pool.js'
import type { Family, IP } from '../net/address.js'
import { type AddressRange, rangeSize } from '../net/range.js'
import { avoidedCount, isAvoided } from './avoidedAddresses.js'

export interface RangeSlot {
  readonly range: AddressRange
  /** Position among the pool's ranges as written: allocation walks them in this order. */
  readonly order: number
  readonly pool: PoolSlot
  /** Cursor: every address in [range.first, low) is in use or avoided. Only ever a lower bound. */
  low: bigint
}

export interface PoolSlot {
  readonly name: PoolName
  readonly pool: Pool
  /** Position in name order: the deterministic tie-break everywhere. */
  readonly index: number
  readonly ranges: readonly RangeSlot[]
  /** Usable addresses (size minus avoided ones), exact, per family. */
  readonly capacity: Readonly<Record<Family, bigint>>
  /** Whether any range is of the family. */
  readonly families: Readonly<Record<Family, boolean>>
}

export const hasFamily = (p: PoolSlot, f: Family): boolean => p.families[f]

export interface PoolIndex {
  readonly pools: readonly PoolSlot[]
  readonly byName: ReadonlyMap<PoolName, PoolSlot>
  /**
   * Range slots holding the IP, by pool order then range order; [] when no pool owns it. An address
   * a pool avoids (avoidBuggyIPs) is not in that pool unless `withAvoided` asks for it.
   */
  readonly locate: (ip: IP, withAvoided?: boolean) => readonly RangeSlot[]
  /** Moves cursors back so a released address is found again. */
  readonly released: (ip: IP) => void
}

const byName = (a: Pool, b: Pool): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

const mkSlot = (pool: Pool, index: number): PoolSlot => {
  const ranges: RangeSlot[] = []
  const capacity: Record<Family, bigint> = { 4: 0n, 6: 0n }
  const families = { 4: pool.ranges.some((r) => r.family === 4), 6: pool.ranges.some((r) => r.family === 6) }
  const slot: PoolSlot = { name: pool.name, pool, index, ranges, capacity, families }
  pool.ranges.forEach((range, order) => {
    ranges.push({ range, order, pool: slot, low: range.first })
    capacity[range.family] += rangeSize(range) - (pool.avoidBuggyIPs ? avoidedCount(range) : 0n)
  })
  return slot
}

/** Every range slot of one family, sorted by first address, plus whether any two overlap. */
interface FamilyRanges {
  readonly sorted: readonly RangeSlot[]
  readonly overlapping: boolean
}

const familyRanges = (pools: readonly PoolSlot[], f: Family): FamilyRanges => {
  const sorted = pools
    .flatMap((p) => p.ranges.filter((r) => r.range.family === f))
    .sort((a, b) => (a.range.first < b.range.first ? -1 : a.range.first > b.range.first ? 1 : 0))
  const overlapping = sorted.some((r, i) => i > 0 && (sorted[i - 1]?.range.last ?? -1n) >= r.range.first)
  return { sorted, overlapping }
}

const containing = (fr: FamilyRanges, v: bigint): RangeSlot[] => {
  // The decoder rejects overlapping pools, as MetalLB's config validation does; a binary search
  // then finds the one candidate. Overlaps (within a pool, or from a lenient caller) take a scan.
  if (fr.overlapping) return fr.sorted.filter((r) => r.range.first <= v && v <= r.range.last)
  if (fr.sorted.length === 0) return NOTHING
  let lo = 0
  let hi = fr.sorted.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const r = fr.sorted[mid]
    if (r === undefined) break
    if (v < r.range.first) hi = mid - 1
    else if (v > r.range.last) lo = mid + 1
    else return [r]
  }
  return NOTHING
}

const NOTHING: RangeSlot[] = []

const inPoolOrder = (a: RangeSlot, b: RangeSlot): number => a.pool.index - b.pool.index || a.order - b.order

export const mkPoolIndex = (pools: ReadonlyMap<PoolName, Pool>): PoolIndex => {
  const slots = [...pools.values()].sort(byName).map(mkSlot)
  const fams: Record<Family, FamilyRanges> = { 4: familyRanges(slots, 4), 6: familyRanges(slots, 6) }
  return {
    pools: slots,
    byName: new Map(slots.map((s) => [s.name, s])),
    locate: (ip, withAvoided = false) => {
      const found = containing(fams[ip.family], ip.value)
      // MetalLB's poolFor: an avoided address is not in an avoiding pool at all.
      const kept = withAvoided || !isAvoided(ip.family, ip.value) ? found : found.filter((r) => !r.pool.pool.avoidBuggyIPs)
      return kept.length < 2 ? kept : kept.sort(inPoolOrder)
    },
    released: (ip) => {
      for (const r of containing(fams[ip.family], ip.value)) if (ip.value < r.low) r.low = ip.value
    },
  }
}

/** The first pool (by name) holding every one of the IPs, as MetalLB's poolFor wants for a pair. */
export const poolHoldingAll = (index: PoolIndex, ips: readonly IP[]): PoolSlot | undefined => {
  const first = ips[0]
  if (first === undefined) return undefined
  for (const r of index.locate(first)) {
    let all = true
    for (let i = 1; i < ips.length && all; i++) {
      const ip = ips[i]
      all = ip !== undefined && index.locate(ip).some((o) => o.pool === r.pool)
    }
    if (all) return r.pool
  }
  return undefined
}

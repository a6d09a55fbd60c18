// Which addresses are in use, by whom, and how many per pool: the allocator's working memory during
// one planning pass (and, for incremental replans, between passes). Memory grows with addresses in
// use, never with pool sizes. Mutable by design and owned by one engine; nothing outside core/alloc
// sees it.
import type { ServiceKey } from '../model/names.js'
import type { Family, IP } from '../net/address.js'
import type { PoolIndex, PoolSlot } from './poolIndex.js'
import type { Claimant, Occupants } from './sharing.js'

/** Keys IPv4 by number (several times faster than bigint keys in V8) and IPv6 by bigint. */
export class IpMap<V> {
  private readonly v4 = new Map<number, V>()
  private readonly v6 = new Map<bigint, V>()
  get(family: Family, value: bigint): V | undefined {
    return family === 4 ? this.v4.get(Number(value)) : this.v6.get(value)
  }
  set(ip: IP, v: V): void {
    if (ip.family === 4) this.v4.set(Number(ip.value), v)
    else this.v6.set(ip.value, v)
  }
  delete(ip: IP): void {
    if (ip.family === 4) this.v4.delete(Number(ip.value))
    else this.v6.delete(ip.value)
  }
}

interface IpUse extends Occupants {
  readonly ip: IP
  readonly pool: PoolSlot
  first: ServiceKey
  rest: ServiceKey[] | undefined
  readonly ports: Map<string, ServiceKey> | undefined
}

export class Occupancy {
  private readonly uses = new IpMap<IpUse>()
  /** Occupied IPs per sharing key, to find a shareable one without scanning every address. */
  private readonly bySharing = new Map<string, Set<IpUse>>()
  /** Distinct addresses in use: [pool.index * 2] IPv4, [pool.index * 2 + 1] IPv6. */
  private readonly counts: number[]

  constructor(private readonly index: PoolIndex) {
    this.counts = index.pools.flatMap(() => [0, 0])
  }

  get(family: Family, value: bigint): IpUse | undefined {
    return this.uses.get(family, value)
  }

  sharedUnder(key: string): ReadonlySet<IpUse> {
    return this.bySharing.get(key) ?? EMPTY
  }

  used(pool: PoolSlot, f: Family): number {
    return this.counts[slotOf(pool, f)] ?? 0
  }

  /** Adds the claimant to the IP's occupants; the caller has checked that sharing allows it. */
  take(ip: IP, pool: PoolSlot, c: Claimant): void {
    let use = this.uses.get(ip.family, ip.value)
    if (use === undefined) {
      // Ports only matter between sharers, so an unshared address skips the map.
      use = { ip, pool, sharing: c.sharing, backend: c.backend, first: c.key, rest: undefined, ports: c.sharing === undefined ? undefined : new Map() }
      this.uses.set(ip, use)
      if (c.sharing !== undefined) {
        let group = this.bySharing.get(c.sharing)
        if (group === undefined) this.bySharing.set(c.sharing, (group = new Set()))
        group.add(use)
      }
      this.counts[slotOf(pool, ip.family)] = this.used(pool, ip.family) + 1
    } else (use.rest ??= []).push(c.key)
    if (use.ports !== undefined) for (const port of c.ports) use.ports.set(port, c.key)
  }

  /** Undoes `take`; the last occupant leaving frees the address for the cursors. */
  release(ip: IP, c: Claimant): void {
    const use = this.uses.get(ip.family, ip.value)
    if (use === undefined) return
    if (use.first === c.key) {
      const next = use.rest?.shift()
      if (next !== undefined) use.first = next
    } else {
      const at = use.rest?.indexOf(c.key) ?? -1
      if (at < 0) return
      use.rest?.splice(at, 1)
    }
    if (use.ports !== undefined) for (const port of c.ports) if (use.ports.get(port) === c.key) use.ports.delete(port)
    if (use.first !== c.key) return
    this.uses.delete(ip)
    if (use.sharing !== undefined) {
      const group = this.bySharing.get(use.sharing)
      group?.delete(use)
      if (group?.size === 0) this.bySharing.delete(use.sharing)
    }
    this.counts[slotOf(use.pool, ip.family)] = this.used(use.pool, ip.family) - 1
    this.index.released(ip)
  }
}

const EMPTY: ReadonlySet<IpUse> = new Set()

const slotOf = (pool: PoolSlot, f: Family): number => pool.index * 2 + (f === 4 ? 0 : 1)

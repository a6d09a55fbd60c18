// Who contests which address in phase 1: every holder whose held IPs the configuration allows,
// indexed by IP. Phase 1 decisions interact only through shared addresses, so after a change only the
// holders connected to the changed ones through such addresses need deciding again.
import type { IP } from '../net/address.js'
import { IpMap } from './occupancy.js'

export class Claims<E> {
  private readonly byIP = new IpMap<E[]>()

  constructor(private readonly heldBy: (e: E) => readonly IP[]) {}

  add(e: E): void {
    for (const ip of this.heldBy(e)) {
      const list = this.byIP.get(ip.family, ip.value)
      if (list === undefined) this.byIP.set(ip, [e])
      else list.push(e)
    }
  }

  remove(e: E): void {
    for (const ip of this.heldBy(e)) {
      const list = this.byIP.get(ip.family, ip.value)
      if (list === undefined) continue
      const at = list.indexOf(e)
      if (at >= 0) list.splice(at, 1)
      if (list.length === 0) this.byIP.delete(ip)
    }
  }

  /** The claimants reachable from these IPs through shared held IPs (in no particular order). */
  connected(start: readonly IP[]): E[] {
    const seenIP = new IpMap<true>()
    const found = new Set<E>()
    const queue = [...start]
    for (let ip = queue.pop(); ip !== undefined; ip = queue.pop()) {
      if (seenIP.get(ip.family, ip.value) !== undefined) continue
      seenIP.set(ip, true)
      for (const e of this.byIP.get(ip.family, ip.value) ?? []) {
        if (found.has(e)) continue
        found.add(e)
        queue.push(...this.heldBy(e))
      }
    }
    return [...found]
  }
}

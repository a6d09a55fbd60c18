// The addresses a pool with `avoidBuggyIPs` leaves out: IPv4 addresses whose last octet is 0 or 255
// (MetalLB's ipConfusesBuggyFirmwares; smurf protection on some consumer routers drops them), in every
// range of the pool, whatever the prefix length; IPv6 is never affected. Such an address is not in the pool at all for MetalLB
// (poolFor skips it), so it can be neither allocated, requested nor held.
import type { Family } from '../net/address.js'
import type { AddressRange } from '../net/range.js'

/** Whether a pool with avoidBuggyIPs leaves this address out. */
export const isAvoided = (family: Family, value: bigint): boolean => {
  if (family !== 4) return false
  const last = value & 0xffn
  return last === 0n || last === 255n
}

/** How many values in 0..n are congruent to r modulo 256 (0 when n < r). */
const upTo = (n: bigint, r: bigint): bigint => (n < r ? 0n : (n - r) / 256n + 1n)

/** Avoided addresses inside the range, counted without enumerating it. */
export const avoidedCount = (r: AddressRange): bigint => {
  if (r.family !== 4) return 0n
  const count = (res: bigint): bigint => upTo(r.last, res) - (r.first === 0n ? 0n : upTo(r.first - 1n, res))
  return count(0n) + count(255n)
}

/** The first value >= v that is not avoided (v itself when the family is IPv6). */
export const skipAvoided = (family: Family, v: bigint): bigint => {
  if (family !== 4) return v
  const last = v & 0xffn
  return last === 0n ? v + 1n : last === 255n ? v + 2n : v
}

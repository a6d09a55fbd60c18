// The free-address search against a plain scan: after any sequence of takes and releases (releases
// move the cursors back), the answer is the first address, in the order the ranges are written,
// that is neither in use nor avoided.
import fc from 'fast-check'
import t from 'tap'
import { isAvoided } from '../../../core/alloc/avoidedAddresses.js'
import { lowestAvailable } from '../../../core/alloc/freeSearch.js'
import { Occupancy } from '../../../core/alloc/occupancy.js'
import { mkPoolIndex } from '../../../core/alloc/poolIndex.js'
import { claimantOf } from '../../../core/alloc/sharing.js'
import { type IP, unsafeIp } from '../../../core/net/address.js'
import { mkConfig, mkPool, mkService } from './mk.js'

const c = claimantOf(mkService('taker'))

// 192.0.2.250 - 192.0.3.5 crosses .255/.0; the second range is written first.
const mkIndex = (avoid: boolean) => mkPoolIndex(mkConfig([mkPool('p', ['192.0.3.250-192.0.4.5', '192.0.2.250-192.0.3.5'], { avoidBuggyIPs: avoid })]).pools)

const scan = (avoid: boolean, used: ReadonlySet<bigint>): bigint | undefined => {
  const order = [...Array(12).keys()].map((i) => 0xc00003fan + BigInt(i)).concat([...Array(12).keys()].map((i) => 0xc00002fan + BigInt(i)))
  return order.find((v) => !used.has(v) && !(avoid && isAvoided(4, v)))
}

t.test('lowestAvailable equals a scan, through takes and releases', async (t) => {
  fc.assert(
    fc.property(fc.boolean(), fc.array(fc.oneof(fc.constant('take' as const), fc.nat(30)), { maxLength: 60 }), (avoid, ops) => {
      const ix = mkIndex(avoid)
      const pool = ix.pools[0]
      if (pool === undefined) return false
      const occ = new Occupancy(ix)
      const held: IP[] = []
      for (const op of ops) {
        const got = lowestAvailable(pool, 4, c, occ, ix)
        const want = scan(avoid, new Set(held.map((h) => h.value)))
        if (got?.value !== want) throw new Error(`got ${got?.value}, want ${want}, holding ${held.map((h) => h.value)}`)
        if (op === 'take') {
          if (got !== undefined) {
            occ.take(got, pool, c)
            held.push(got)
          }
        } else if (held.length > 0) {
          const [gone] = held.splice(op % held.length, 1)
          if (gone !== undefined) occ.release(gone, c)
        }
      }
      return true
    }),
  )
  t.pass()
})

t.test('no IPv6 address in an IPv4-only pool, and a /64 costs nothing to search', async (t) => {
  const ix = mkPoolIndex(mkConfig([mkPool('six', ['2001:db8::/64'])]).pools)
  const pool = ix.pools[0]
  if (pool === undefined) return
  const occ = new Occupancy(ix)
  t.equal(lowestAvailable(pool, 4, c, occ, ix), undefined)
  occ.take(unsafeIp(6, 0x20010db8000000000000000000000000n), pool, c)
  t.equal(lowestAvailable(pool, 6, c, occ, ix)?.value, 0x20010db8000000000000000000000001n)
})

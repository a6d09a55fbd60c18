// avoidBuggyIPs: IPv4 addresses ending in .0 or .255 are skipped in every range (MetalLB's
// ipConfusesBuggyFirmwares), are not part of the pool for requests and held IPs (poolFor), and are
// not counted as available (poolCount).
import fc from 'fast-check'
import t from 'tap'
import { avoidedCount, isAvoided, skipAvoided } from '../../../core/alloc/avoidedAddresses.js'
import { unsafeIp } from '../../../core/net/address.js'
import { mkRange } from '../../../core/net/range.js'
import * as E from 'fp-ts/lib/Either.js'
import { ip, mkPool, mkService, range } from './mk.js'
import { type Row, runTable } from './table.js'

t.test('isAvoided', async (t) => {
  const cases = [
    { desc: '.0', in: '192.0.2.0', want: true },
    { desc: '.255', in: '192.0.2.255', want: true },
    { desc: '.1', in: '192.0.2.1', want: false },
    { desc: '.254', in: '192.0.2.254', want: false },
    { desc: 'IPv6 ending in 00', in: '2001:db8::100', want: false },
    { desc: 'IPv6 ending in ff', in: '2001:db8::ff', want: false },
  ]
  for (const c of cases) {
    const a = ip(c.in)
    t.equal(isAvoided(a.family, a.value), c.want, c.desc)
  }
})

t.test('skipAvoided lands on the next usable address', async (t) => {
  const cases = [
    { desc: 'usable stays', in: '192.0.2.7', want: 0xc0000207n },
    { desc: '.0 moves to .1', in: '192.0.2.0', want: 0xc0000201n },
    { desc: '.255 moves to the next .1', in: '192.0.2.255', want: 0xc0000301n },
  ]
  for (const c of cases) t.equal(skipAvoided(4, ip(c.in).value), c.want, c.desc)
})

t.test('avoidedCount equals counting one by one', async () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 1200 }), (start, len) => {
      const first = BigInt(start)
      const last = BigInt(Math.min(start + len, 2 ** 32 - 1))
      const r = mkRange(unsafeIp(4, first), unsafeIp(4, last))
      if (E.isLeft(r)) return false
      let n = 0n
      for (let v = first; v <= last; v++) if (isAvoided(4, v)) n++
      return avoidedCount(r.right) === n
    }),
  )
})

t.test('avoidedCount of the examples', async (t) => {
  const cases = [
    { desc: 'a /24 has two', in: '192.0.2.0/24', want: 2n },
    { desc: 'a /22 has eight', in: '192.0.0.0/22', want: 8n },
    { desc: 'a /30 at the start of a /24 has one', in: '192.0.2.0/30', want: 1n },
    { desc: 'a /30 in the middle has none', in: '192.0.2.4/30', want: 0n },
    { desc: 'a range across a /24 boundary has two', in: '192.0.2.250-192.0.3.5', want: 2n },
    { desc: 'IPv6 has none', in: '2001:db8::/120', want: 0n },
  ]
  for (const c of cases) t.equal(avoidedCount(range(c.in)), c.want, c.desc)
})

const avoiding = mkPool('avoid', ['192.0.2.254-192.0.3.2'], { avoidBuggyIPs: true })
const rows: Row[] = [
  {
    desc: 'allocation skips .255 and .0',
    in: { pools: [avoiding], services: ['a', 'b', 'c', 'd'].map((n) => mkService(n)) },
    want: { a: '192.0.2.254@avoid', b: '192.0.3.1@avoid', c: '192.0.3.2@avoid', d: 'Pending:NoAvailableIPs' },
  },
  {
    desc: 'without the flag .255 and .0 are ordinary',
    in: { pools: [mkPool('plain', ['192.0.2.255-192.0.3.0'])], services: ['a', 'b'].map((n) => mkService(n)) },
    want: { a: '192.0.2.255@plain', b: '192.0.3.0@plain' },
  },
  {
    desc: 'an avoided address cannot be requested',
    in: { pools: [avoiding], services: [mkService('s', { want: ['192.0.3.0'] })] },
    want: { s: 'Pending:RequestedIPNotInAnyPool' },
    says: { s: 'avoids addresses ending in .0 and .255' },
  },
  {
    desc: 'a held avoided address is given up when the pool starts avoiding it',
    in: { pools: [avoiding], services: [mkService('s', { holds: ['192.0.2.255'] })] },
    want: { s: '192.0.2.254@avoid' },
  },
  {
    desc: 'IPv6 is never avoided',
    in: { pools: [mkPool('six', ['2001:db8::ff-2001:db8::100'], { avoidBuggyIPs: true })], services: ['a', 'b'].map((n) => mkService(n, { ipFamilies: [6] })) },
    want: { a: '2001:db8::ff@six', b: '2001:db8::100@six' },
  },
]

t.test('avoidBuggyIPs examples', async (t) => runTable(t, rows))

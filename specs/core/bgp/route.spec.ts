import t from 'tap'
import fc from 'fast-check'
import type { Asn } from '../../../core/model/bgpPeer.js'
import type { BGPCommunity } from '../../../core/model/community.js'
import { type AsPathPrepend, type LargeCommunity, type Route, type StandardCommunity, mkRoute } from '../../../core/bgp/route.js'
import { prefixArb } from './arbitraries.js'

const std = (high: number, low: number): StandardCommunity => ({ _tag: 'Standard', high, low })
const large = (global: number, local1: number, local2: number): LargeCommunity => ({ _tag: 'Large', global, local1, local2 })
const communityArb: fc.Arbitrary<BGPCommunity> = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })).map(([h, l]) => std(h, l)),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })).map(([g, a, b]) => large(g, a, b)),
)

t.test('mkRoute splits communities by kind, sorts them and drops repeats', async (t) => {
  const [prefix] = fc.sample(prefixArb(4), { numRuns: 1, seed: 1 })
  if (prefix === undefined) throw new Error('no sample')
  const prepend: AsPathPrepend = { count: 2, asn: 64500 as Asn }
  const rows: { desc: string; in: Parameters<typeof mkRoute>[0]; want: Route }[] = [
    { desc: 'no communities', in: { prefix, communities: [] }, want: { prefix, communities: [], largeCommunities: [] } },
    {
      desc: 'mixed, unsorted, repeated',
      in: { prefix, communities: [std(65000, 2), large(1, 2, 3), std(65000, 1), std(65000, 2)], localPref: 50 },
      want: { prefix, communities: [std(65000, 1), std(65000, 2)], largeCommunities: [large(1, 2, 3)], localPref: 50 },
    },
    { desc: 'a prepend of 0 is no prepend', in: { prefix, communities: [], prepend: { count: 0, asn: 64500 as Asn } }, want: { prefix, communities: [], largeCommunities: [] } },
    { desc: 'a prepend is kept', in: { prefix, communities: [], prepend }, want: { prefix, communities: [], largeCommunities: [], prepend } },
  ]
  for (const r of rows) t.strictSame(mkRoute(r.in), r.want, r.desc)
})

t.test('mkRoute is order-independent and idempotent', async (t) => {
  fc.assert(
    fc.property(prefixArb(6), fc.array(communityArb, { maxLength: 12 }), (prefix, cs) => {
      const a = mkRoute({ prefix, communities: cs })
      const b = mkRoute({ prefix, communities: [...cs].reverse() })
      const again = mkRoute({ prefix, communities: [...a.communities, ...a.largeCommunities] })
      t.strictSame(b, a, 'reversed input')
      t.strictSame(again, a, 'applied twice')
    }),
    { numRuns: 200 },
  )
})

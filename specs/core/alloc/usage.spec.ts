// Per-pool counts (MetalLB's PoolCounters): distinct addresses in use per family, and the usable size
// minus those; exact until Number.MAX_SAFE_INTEGER, then saturated; never negative.
import t from 'tap'
import { planAllocation } from '../../../core/alloc/plan.js'
import { toCount } from '../../../core/alloc/usage.js'
import { mkInput, mkPool, mkService } from './mk.js'

t.test('toCount clamps', async (t) => {
  const cases = [
    { desc: 'negative', in: -5n, want: 0 },
    { desc: 'zero', in: 0n, want: 0 },
    { desc: 'ordinary', in: 254n, want: 254 },
    { desc: 'the largest safe integer', in: BigInt(Number.MAX_SAFE_INTEGER), want: Number.MAX_SAFE_INTEGER },
    { desc: 'a /64', in: 1n << 64n, want: Number.MAX_SAFE_INTEGER },
  ]
  for (const c of cases) t.equal(toCount(c.in), c.want, c.desc)
})

t.test('pool usage examples', async (t) => {
  const cases = [
    {
      desc: 'a /24 with one address in use',
      in: { pools: [mkPool('p', ['192.0.2.0/24'])], services: [mkService('a')] },
      want: [{ name: 'p', assignedIPv4: 1, assignedIPv6: 0, availableIPv4: 255, availableIPv6: 0 }],
    },
    {
      desc: 'avoided addresses are not available',
      in: { pools: [mkPool('p', ['192.0.2.0/24', '192.0.3.250-192.0.4.5'], { avoidBuggyIPs: true })], services: [] },
      want: [{ name: 'p', assignedIPv4: 0, assignedIPv6: 0, availableIPv4: 254 + 10, availableIPv6: 0 }],
    },
    {
      desc: 'a shared address counts once',
      in: {
        pools: [mkPool('p', ['192.0.2.0/30'])],
        services: [
          mkService('a', { sharingKey: 'k', ports: [{ protocol: 'TCP', port: 80 }] }),
          mkService('b', { sharingKey: 'k', ports: [{ protocol: 'TCP', port: 443 }] }),
        ],
      },
      want: [{ name: 'p', assignedIPv4: 1, assignedIPv6: 0, availableIPv4: 3, availableIPv6: 0 }],
    },
    {
      desc: 'dual-stack per family; a /64 saturates, a /120 is exact; sorted by name',
      in: {
        pools: [mkPool('z', ['2001:db8:1::/120']), mkPool('a', ['192.0.2.0/30', '2001:db8::/64'])],
        services: [mkService('d', { ipFamilies: [4, 6], ipFamilyPolicy: 'RequireDualStack' }), mkService('s', { ipFamilies: [6], pool: 'z' })],
      },
      want: [
        { name: 'a', assignedIPv4: 1, assignedIPv6: 1, availableIPv4: 3, availableIPv6: Number.MAX_SAFE_INTEGER },
        { name: 'z', assignedIPv4: 0, assignedIPv6: 1, availableIPv4: 0, availableIPv6: 255 },
      ],
    },
    {
      desc: 'a full pool has none available',
      in: { pools: [mkPool('p', ['192.0.2.0/31'])], services: ['a', 'b', 'c'].map((n) => mkService(n)) },
      want: [{ name: 'p', assignedIPv4: 2, assignedIPv6: 0, availableIPv4: 0, availableIPv6: 0 }],
    },
  ]
  for (const c of cases) t.same(planAllocation(mkInput(c.in.pools, c.in.services)).pools, c.want, c.desc)
})

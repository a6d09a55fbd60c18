// Pools as the allocator walks them: name order, usable capacity without enumerating, and which pool
// owns an address (avoided addresses belong to no avoiding pool, as in MetalLB's poolFor).
import t from 'tap'
import { mkPoolIndex, poolHoldingAll } from '../../../core/alloc/poolIndex.js'
import { ip, mkConfig, mkPool } from './mk.js'

const index = () =>
  mkPoolIndex(
    mkConfig([
      mkPool('z-big', ['2001:db8::/48', '10.0.0.0/8']),
      mkPool('a-avoid', ['192.0.2.0/24'], { avoidBuggyIPs: true }),
      mkPool('m-dual', ['198.51.100.8/29', '2001:db8:1::/126']),
    ]).pools,
  )

t.test('pools in name order, with capacities', async (t) => {
  const ix = index()
  t.same(ix.pools.map((p) => p.name), ['a-avoid', 'm-dual', 'z-big'])
  const cap = Object.fromEntries(ix.pools.map((p) => [p.name, [p.capacity[4], p.capacity[6]]]))
  t.same(cap, { 'a-avoid': [254n, 0n], 'm-dual': [8n, 4n], 'z-big': [1n << 24n, 1n << 80n] }, 'exact, a /48 included')
})

t.test('locate and poolHoldingAll', async (t) => {
  const ix = index()
  const cases = [
    { desc: 'inside a /48', in: ['2001:db8:0:ffff::1'], want: 'z-big' },
    { desc: 'an avoided address is in no pool', in: ['192.0.2.255'], want: undefined },
    { desc: 'an ordinary address of the avoiding pool', in: ['192.0.2.7'], want: 'a-avoid' },
    { desc: 'outside every pool', in: ['203.0.113.1'], want: undefined },
    { desc: 'both families in one pool', in: ['198.51.100.9', '2001:db8:1::2'], want: 'm-dual' },
    { desc: 'the families in different pools', in: ['198.51.100.9', '2001:db8::2'], want: undefined },
  ]
  for (const c of cases) t.equal(poolHoldingAll(ix, c.in.map(ip))?.name, c.want, c.desc)
  t.equal(ix.locate(ip('192.0.2.255'), true)[0]?.pool.name, 'a-avoid', 'found when asked to include avoided addresses')
})

t.test('overlapping ranges still answer, first pool by name', async (t) => {
  const ix = mkPoolIndex(mkConfig([mkPool('b', ['192.0.2.0/24']), mkPool('a', ['192.0.2.128/25'])]).pools)
  t.equal(poolHoldingAll(ix, [ip('192.0.2.200')])?.name, 'a')
  t.equal(poolHoldingAll(ix, [ip('192.0.2.2')])?.name, 'b')
})

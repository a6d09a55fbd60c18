import t from 'tap'
import fc from 'fast-check'
import { formatIP, unsafeIp } from '../../../core/net/address.js'
import { rangesOverlap, mkRange } from '../../../core/net/range.js'
import * as E from 'fp-ts/lib/Either.js'
import { build, configOf, errorsOf, lines, mkPool } from './mk.js'

const rows: ReadonlyArray<{ desc: string; in: unknown[]; want: string[] }> = [
  {
    desc: 'the seed example is valid',
    in: [mkPool('first-pool', ['192.168.10.0/24', '192.168.9.1-192.168.9.5', 'fc00:f853:0ccd:e799::/124'])],
    want: [],
  },
  {
    desc: 'a bare address is neither a CIDR nor a range',
    in: [mkPool('p', ['192.168.10.0/30', '192.168.10.5'])],
    want: ['IPAddressPool/p spec.addresses[1]: "192.168.10.5" is neither a CIDR nor a range (a single address needs /32 or /128)'],
  },
  { desc: 'a /32 is fine', in: [mkPool('p', ['192.168.10.5/32'])], want: [] },
  { desc: 'a range with spaces', in: [mkPool('p', ['10.0.0.1 - 10.0.0.9'])], want: [] },
  {
    desc: 'a range that ends before it starts',
    in: [mkPool('p', ['10.0.0.9-10.0.0.1'])],
    want: ['IPAddressPool/p spec.addresses[0]: range 10.0.0.9-10.0.0.1 ends before it starts'],
  },
  {
    desc: 'a range mixing families',
    in: [mkPool('p', ['10.0.0.1-fc00::1'])],
    want: ['IPAddressPool/p spec.addresses[0]: range 10.0.0.1-fc00::1 mixes IPv4 and IPv6'],
  },
  {
    desc: 'a bad prefix length',
    in: [mkPool('p', ['10.0.0.0/33'])],
    want: ['IPAddressPool/p spec.addresses[0]: "10.0.0.0/33" is not a valid CIDR: prefix length 33 is outside 0..32 for IPv4'],
  },
  { desc: 'no addresses', in: [mkPool('p', [])], want: ['IPAddressPool/p spec.addresses: a pool needs at least one CIDR or range'] },
  {
    desc: 'overlap within one pool',
    in: [mkPool('p', ['10.0.0.0/24', '10.0.0.128/25'])],
    want: ['IPAddressPool/p spec.addresses[1]: "10.0.0.128/25" overlaps "10.0.0.0/24" in this pool'],
  },
  {
    desc: 'overlap across pools is reported on the pool later by name',
    in: [mkPool('b', ['10.0.0.5-10.0.0.9']), mkPool('a', ['10.0.0.0/29'])],
    want: ['IPAddressPool/b spec.addresses[0]: "10.0.0.5-10.0.0.9" overlaps "10.0.0.0/29" in pool "a"'],
  },
  {
    desc: 'a range touching a CIDR does not overlap it',
    in: [mkPool('a', ['10.0.0.0/29']), mkPool('b', ['10.0.0.8-10.0.0.9'])],
    want: [],
  },
  { desc: 'same numbers, other family', in: [mkPool('a', ['0.0.0.0/8']), mkPool('b', ['::/104'])], want: [] },
  {
    desc: 'the same CIDR twice',
    in: [mkPool('a', ['10.0.0.0/24']), mkPool('b', ['10.0.0.0/24'])],
    want: ['IPAddressPool/b spec.addresses[0]: "10.0.0.0/24" overlaps "10.0.0.0/24" in pool "a"'],
  },
  {
    desc: 'duplicate pool names',
    in: [mkPool('a', ['10.0.0.0/24']), mkPool('a', ['10.0.1.0/24'])],
    want: ['IPAddressPool/a metadata.name: another IPAddressPool named "a" is already defined in metallb-system'],
  },
  {
    desc: 'serviceAllocation namespaces listed twice',
    in: [mkPool('a', ['10.0.0.0/24'], { serviceAllocation: { namespaces: ['x', 'y', 'x'] } })],
    want: ['IPAddressPool/a spec.serviceAllocation.namespaces[2]: namespace "x" is listed twice'],
  },
  {
    desc: 'serviceAllocation selectors are checked',
    in: [
      mkPool('a', ['10.0.0.0/24'], {
        serviceAllocation: {
          namespaceSelectors: [{ matchLabels: { team: 'x' } }, { matchLabels: { team: 'x' } }],
          serviceSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] }],
        },
      }),
    ],
    want: [
      'IPAddressPool/a spec.serviceAllocation.namespaceSelectors[1]: the same selector is given twice in this list',
      'IPAddressPool/a spec.serviceAllocation.serviceSelectors[0].matchExpressions[0].values: operator In needs at least one value',
    ],
  },
]

t.test('pool rules', async (t) => {
  for (const row of rows) t.same(lines(build(row.in)), row.want, row.desc)
})

t.test('the seed example has three ranges in the order written', async (t) => {
  const config = configOf(build([mkPool('first-pool', ['192.168.10.0/24', '192.168.9.1-192.168.9.5', 'fc00:f853:0ccd:e799::/124'])]))
  const pool = config?.pools.get('first-pool' as never)
  t.same(
    pool?.ranges.map((r) => r.text),
    ['192.168.10.0/24', '192.168.9.1-192.168.9.5', 'fc00:f853:ccd:e799::/124'],
  )
  t.equal(pool?.autoAssign, true, 'autoAssign defaults to true')
  t.equal(pool?.avoidBuggyIPs, false)
  t.equal(pool?.serviceAllocation, undefined, 'no serviceAllocation')
})

t.test('fields are carried into the model', async (t) => {
  const config = configOf(
    build([
      mkPool(
        'p',
        ['10.0.0.0/24'],
        { autoAssign: false, avoidBuggyIPs: true, serviceAllocation: { priority: 5, namespaces: ['a'] } },
        { labels: { zone: 'east' } },
      ),
    ]),
  )
  const pool = config?.pools.get('p' as never)
  t.equal(pool?.autoAssign, false)
  t.equal(pool?.avoidBuggyIPs, true)
  t.same(pool?.labels, { zone: 'east' })
  t.same(pool?.serviceAllocation, { priority: 5, namespaces: ['a'], namespaceSelectors: [], serviceSelectors: [] })
})

t.test('serviceAllocation present but empty is kept as a match-everything allocation', async (t) => {
  const pool = configOf(build([mkPool('p', ['10.0.0.0/24'], { serviceAllocation: {} })]))?.pools.get('p' as never)
  t.same(pool?.serviceAllocation, { priority: 0, namespaces: [], namespaceSelectors: [], serviceSelectors: [] })
})

t.test('pools are keyed and ordered by name whatever the input order', async (t) => {
  fc.assert(
    fc.property(fc.shuffledSubarray(['c', 'a', 'd', 'b'], { minLength: 1 }), (names) => {
      const objects = names.map((n, i) => mkPool(n, [`10.0.${i}.0/24`]))
      const keys = [...(configOf(build(objects))?.pools.keys() ?? [])]
      return JSON.stringify(keys) === JSON.stringify([...names].sort())
    }),
  )
  t.pass('sorted')
})

// Small IPv4 ranges near each other, so overlaps are common.
const smallRange = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 10 })).map(([start, len]) => {
  const r = mkRange(unsafeIp(4, BigInt(start)), unsafeIp(4, BigInt(start + len)))
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
})

const textOf = (r: { first: bigint; last: bigint }): string => `${formatIP(unsafeIp(4, r.first))}-${formatIP(unsafeIp(4, r.last))}`

t.test('two pools are in error exactly when their blocks overlap', async (t) => {
  fc.assert(
    fc.property(smallRange, smallRange, (a, b) => {
      const r = build([mkPool('a', [textOf(a)]), mkPool('b', [textOf(b)])])
      return (errorsOf(r).length > 0) === rangesOverlap(a, b)
    }),
  )
  t.pass('overlap is decided exactly')
})

t.test('the errors do not depend on the order of the objects', async (t) => {
  fc.assert(
    fc.property(fc.array(smallRange, { minLength: 1, maxLength: 6 }), fc.nat(), (ranges, seed) => {
      const objects = ranges.map((r, i) => mkPool(`p${i}`, [textOf(r)]))
      const rotated = [...objects.slice(seed % objects.length), ...objects.slice(0, seed % objects.length)].reverse()
      return JSON.stringify(lines(build(objects)).sort()) === JSON.stringify(lines(build(rotated)).sort())
    }),
  )
  t.pass('order independent')
})

t.test('every block that overlaps another is reported or named', async (t) => {
  fc.assert(
    fc.property(fc.array(smallRange, { minLength: 2, maxLength: 6 }), (ranges) => {
      const objects = ranges.map((r, i) => mkPool(`p${i}`, [textOf(r)]))
      const errs = errorsOf(build(objects))
      return ranges.every((r, i) => {
        const overlapping = ranges.some((o, j) => j !== i && rangesOverlap(r, o))
        const mentioned = errs.some((e) => e.name === `p${i}` || e.message.includes(`pool "p${i}"`))
        return overlapping === mentioned
      })
    }),
  )
  t.pass('no overlap goes unmentioned, no clean pool is blamed')
})

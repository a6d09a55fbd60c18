import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { widestBlockLength } from '../../../core/config/bgpChecks.js'
import { unsafeIp } from '../../../core/net/address.js'
import { mkRange, parseAddressEntry } from '../../../core/net/range.js'
import { build, lines, mkBfd, mkBgpAdv, mkGoodPeer, mkPool } from './mk.js'

const widthRows: ReadonlyArray<{ desc: string; in: string; want: number }> = [
  { desc: 'a /24', in: '10.0.0.0/24', want: 24 },
  { desc: 'a single address range', in: '10.0.0.5-10.0.0.5', want: 32 },
  { desc: 'MetalLB summary .1-.5 is /32 /31 /31', in: '192.168.9.1-192.168.9.5', want: 31 },
  { desc: 'an aligned range is one block', in: '10.0.0.0-10.0.0.255', want: 24 },
  { desc: 'unaligned start', in: '10.0.0.1-10.0.0.255', want: 25 },
  { desc: 'IPv6', in: 'fc00::/124', want: 124 },
  { desc: 'everything', in: '0.0.0.0/0', want: 0 },
]

t.test('widest CIDR of a range', async (t) => {
  for (const row of widthRows) {
    const r = parseAddressEntry(row.in)
    t.equal(E.isRight(r) ? widestBlockLength(r.right) : -1, row.want, row.desc)
  }
})

// A model: the widest block is the largest aligned power-of-two block that fits in the range.
const widestByBruteForce = (first: number, last: number): number => {
  for (let size = 0; size <= 32; size++) {
    const block = 2 ** (32 - size)
    const start = Math.ceil(first / block) * block
    if (start + block - 1 <= last) return size
  }
  return 32
}

t.test('matches a brute-force model', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 5000 }), (a, n) => {
      const r = mkRange(unsafeIp(4, BigInt(a)), unsafeIp(4, BigInt(a + n)))
      return E.isRight(r) && widestBlockLength(r.right) === widestByBruteForce(a, a + n)
    }),
  )
  t.pass('agrees')
})

const aggRows: ReadonlyArray<{ desc: string; in: unknown[]; want: string[] }> = [
  { desc: 'aggregate a /24 pool to /24', in: [mkPool('p', ['10.0.0.0/24']), mkBgpAdv('a', { aggregationLength: 24 })], want: [] },
  { desc: 'aggregate a /24 pool to /28', in: [mkPool('p', ['10.0.0.0/24']), mkBgpAdv('a', { aggregationLength: 28 })], want: [] },
  {
    desc: 'aggregate a /24 pool to /16',
    in: [mkPool('p', ['10.0.0.0/24']), mkBgpAdv('a', { aggregationLength: 16 })],
    want: ['BGPAdvertisement/a spec.aggregationLength: 16 aggregates beyond pool "p": its entry "10.0.0.0/24" contains a /24, so the length must be at least 24'],
  },
  {
    desc: 'a range is judged by its widest CIDR',
    in: [mkPool('p', ['192.168.9.1-192.168.9.5']), mkBgpAdv('a', { aggregationLength: 30 })],
    want: ['BGPAdvertisement/a spec.aggregationLength: 30 aggregates beyond pool "p": its entry "192.168.9.1-192.168.9.5" contains a /31, so the length must be at least 31'],
  },
  {
    desc: 'the IPv6 length is checked against IPv6 entries only',
    in: [mkPool('p', ['10.0.0.0/24', 'fc00::/120']), mkBgpAdv('a', { aggregationLength: 24, aggregationLengthV6: 112 })],
    want: ['BGPAdvertisement/a spec.aggregationLengthV6: 112 aggregates beyond pool "p": its entry "fc00::/120" contains a /120, so the length must be at least 120'],
  },
  {
    desc: 'pools the advertisement does not cover are not checked',
    in: [mkPool('p', ['10.0.0.0/24']), mkPool('q', ['10.0.1.0/26']), mkBgpAdv('a', { aggregationLength: 24, ipAddressPools: ['p'] })],
    want: [],
  },
]

t.test('aggregation against the pools', async (t) => {
  for (const row of aggRows) t.same(lines(build(row.in)), row.want, row.desc)
})

const pool = mkPool('p', ['10.0.0.0/24'])
const conflict =
  'BGPAdvertisement/b spec.localPref: 200 conflicts with BGPAdvertisement "a" (localPref 100): both announce pool "p" with the same prefix length to the same peers from the same nodes'

const prefRows: ReadonlyArray<{ desc: string; in: unknown[]; want: string[] }> = [
  { desc: 'same localPref', in: [pool, mkBgpAdv('a', { localPref: 100 }), mkBgpAdv('b', { localPref: 100 })], want: [] },
  {
    desc: 'different asPathPrepend, all peers, all nodes (BGPAdvertisementsHaveCompatibleAsPathPrepend)',
    in: [pool, mkBgpAdv('a', { asPathPrepend: 2 }), mkBgpAdv('b', { asPathPrepend: 3 })],
    want: ['BGPAdvertisement/b spec.asPathPrepend: 3 conflicts with BGPAdvertisement "a" (asPathPrepend 2): both announce pool "p" with the same prefix length to the same peers from the same nodes'],
  },
  {
    desc: 'asPathPrepend set on one only',
    in: [pool, mkBgpAdv('a', {}), mkBgpAdv('b', { asPathPrepend: 3 })],
    want: ['BGPAdvertisement/b spec.asPathPrepend: 3 conflicts with BGPAdvertisement "a" (asPathPrepend 0): both announce pool "p" with the same prefix length to the same peers from the same nodes'],
  },
  { desc: 'different asPathPrepend, other lengths', in: [pool, mkBgpAdv('a', { asPathPrepend: 2 }), mkBgpAdv('b', { asPathPrepend: 3, aggregationLength: 24 })], want: [] },
  { desc: 'different asPathPrepend, disjoint peers', in: [pool, mkBgpAdv('a', { asPathPrepend: 2, peers: ['r1'] }), mkBgpAdv('b', { asPathPrepend: 3, peers: ['r2'] })], want: [] },
  { desc: 'different localPref, all peers, all nodes', in: [pool, mkBgpAdv('a', { localPref: 100 }), mkBgpAdv('b', { localPref: 200 })], want: [conflict] },
  {
    desc: 'different aggregation lengths never compete',
    in: [pool, mkBgpAdv('a', { localPref: 100 }), mkBgpAdv('b', { localPref: 200, aggregationLength: 24 })],
    want: [],
  },
  {
    desc: 'disjoint peers',
    in: [pool, mkBgpAdv('a', { localPref: 100, peers: ['r1'] }), mkBgpAdv('b', { localPref: 200, peers: ['r2'] })],
    want: [],
  },
  {
    desc: 'one side announces to every peer',
    in: [pool, mkBgpAdv('a', { localPref: 100 }), mkBgpAdv('b', { localPref: 200, peers: ['r2'] })],
    want: [conflict],
  },
  {
    desc: 'a shared peer',
    in: [pool, mkBgpAdv('a', { localPref: 100, peers: ['r1', 'r2'] }), mkBgpAdv('b', { localPref: 200, peers: ['r2'] })],
    want: [conflict],
  },
  {
    desc: 'different node selectors are taken as different nodes',
    in: [
      pool,
      mkBgpAdv('a', { localPref: 100, nodeSelectors: [{ matchLabels: { rack: '1' } }] }),
      mkBgpAdv('b', { localPref: 200, nodeSelectors: [{ matchLabels: { rack: '2' } }] }),
    ],
    want: [],
  },
  {
    desc: 'one side on every node',
    in: [pool, mkBgpAdv('a', { localPref: 100 }), mkBgpAdv('b', { localPref: 200, nodeSelectors: [{ matchLabels: { rack: '2' } }] })],
    want: [conflict],
  },
  {
    desc: 'a shared node selector',
    in: [
      pool,
      mkBgpAdv('a', { localPref: 100, nodeSelectors: [{ matchLabels: { rack: '1' } }, { matchLabels: { rack: '2' } }] }),
      mkBgpAdv('b', { localPref: 200, nodeSelectors: [{ matchLabels: { rack: '2' } }] }),
    ],
    want: [conflict],
  },
  {
    desc: 'serviceSelectors skip the check',
    in: [pool, mkBgpAdv('a', { localPref: 100 }), mkBgpAdv('b', { localPref: 200, serviceSelectors: [{ matchLabels: { app: 'x' } }] })],
    want: [],
  },
  {
    desc: 'different pools',
    in: [pool, mkPool('q', ['10.0.1.0/24']), mkBgpAdv('a', { localPref: 100, ipAddressPools: ['p'] }), mkBgpAdv('b', { localPref: 200, ipAddressPools: ['q'] })],
    want: [],
  },
  {
    desc: 'dual-stack pool: one family length differing is not enough',
    in: [mkPool('p', ['10.0.0.0/24', 'fc00::/120']), mkBgpAdv('a', { localPref: 100 }), mkBgpAdv('b', { localPref: 200, aggregationLength: 24 })],
    want: [
      'BGPAdvertisement/b spec.localPref: 200 conflicts with BGPAdvertisement "a" (localPref 100): both announce pool "p" with the same prefix length to the same peers from the same nodes',
    ],
  },
  {
    desc: 'dual-stack pool: both lengths differing',
    in: [mkPool('p', ['10.0.0.0/24', 'fc00::/120']), mkBgpAdv('a', { localPref: 100 }), mkBgpAdv('b', { localPref: 200, aggregationLength: 24, aggregationLengthV6: 120 })],
    want: [],
  },
  {
    desc: 'IPv6-only pool: the IPv4 length does not matter',
    in: [mkPool('p', ['fc00::/120']), mkBgpAdv('a', { localPref: 100 }), mkBgpAdv('b', { localPref: 200, aggregationLength: 24 })],
    want: [
      'BGPAdvertisement/b spec.localPref: 200 conflicts with BGPAdvertisement "a" (localPref 100): both announce pool "p" with the same prefix length to the same peers from the same nodes',
    ],
  },
]

t.test('LOCAL_PREF conflicts', async (t) => {
  for (const row of prefRows) t.same(lines(build(row.in)), row.want, row.desc)
})

t.test('a conflicting pair is reported once, on the advertisement later by name, whatever the order', async (t) => {
  const objects = [mkPool('p', ['10.0.0.0/24']), mkPool('q', ['10.0.1.0/24']), mkBgpAdv('b', { localPref: 200 }), mkBgpAdv('a', { localPref: 100 })]
  t.same(lines(build(objects)), lines(build([...objects].reverse())))
  t.equal(lines(build(objects)).length, 1)
})

const echoRows: ReadonlyArray<{ desc: string; in: unknown[]; want: string[] }> = [
  {
    desc: 'echo toward an IPv6 pool',
    in: [mkPool('p', ['fc00::/120']), mkBfd('echo', { echoMode: true }), mkGoodPeer('r1', { bfdProfile: 'echo' }), mkBgpAdv('a')],
    want: ['BGPAdvertisement/a spec.peers: peer "r1" uses BFD profile "echo" with echoMode, which does not work for the IPv6 addresses of pool "p"'],
  },
  {
    desc: 'echo toward an IPv6 pool, peer named',
    in: [mkPool('p', ['fc00::/120']), mkBfd('echo', { echoMode: true }), mkGoodPeer('r1', { bfdProfile: 'echo' }), mkBgpAdv('a', { peers: ['r0', 'r1'] })],
    want: ['BGPAdvertisement/a spec.peers[1]: peer "r1" uses BFD profile "echo" with echoMode, which does not work for the IPv6 addresses of pool "p"'],
  },
  { desc: 'echo toward an IPv4 pool', in: [mkPool('p', ['10.0.0.0/24']), mkBfd('echo', { echoMode: true }), mkGoodPeer('r1', { bfdProfile: 'echo' }), mkBgpAdv('a')], want: [] },
  { desc: 'no echo', in: [mkPool('p', ['fc00::/120']), mkBfd('plain', {}), mkGoodPeer('r1', { bfdProfile: 'plain' }), mkBgpAdv('a')], want: [] },
  {
    desc: 'echo peer not among the advertisement peers',
    in: [mkPool('p', ['fc00::/120']), mkBfd('echo', { echoMode: true }), mkGoodPeer('r1', { bfdProfile: 'echo' }), mkBgpAdv('a', { peers: ['r2'] })],
    want: [],
  },
]

t.test('BFD echo and IPv6 pools', async (t) => {
  for (const row of echoRows) t.same(lines(build(row.in)), row.want, row.desc)
})

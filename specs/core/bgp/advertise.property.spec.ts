// Properties of whatShouldNodeAdvertise over random clusters: every (Service IP, peer) gets routes
// or exactly one reason, never both; a route goes out iff every rule admits it (an oracle written as
// one plain conjunction, no order of checks); each prefix holds its IP at the length an applying
// advertisement asks; the peers map is the advertised routes merged; the answer does not depend on
// the order of the input objects.
import fc from 'fast-check'
import t from 'tap'
import { formatIP, parseIP } from '../../../core/net/address.js'
import { formatPrefix, parsePrefix } from '../../../core/net/prefix.js'
import { mkBgpAd, mkNode, mkPeer, mkPool, mkService, mkSlice, planFor } from './mkAdvertise.js'

const NODES = ['n1', 'n2', 'n3'] as const
const PEERS = ['r4', 'ri', 'r6'] as const
const IPS = ['198.51.100.1', '198.51.100.77', '2001:db8::9', '203.0.113.1', '2001:db8:1::1'] as const

const arbNode = (name: string) =>
  fc.record({ rack: fc.constantFrom('a', 'b'), excluded: fc.boolean(), unavailable: fc.boolean() }).map((o) => ({ name, ...o }))

const arbAd = (i: number) =>
  fc.record({
    pools: fc.subarray(['p4', 'p6', 'pd']),
    rack: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
    peers: fc.subarray([...PEERS]),
    app: fc.option(fc.constantFrom('x', 'y'), { nil: undefined }),
    len4: fc.constantFrom(24, 28, 32),
    len6: fc.constantFrom(120, 124, 128),
    community: fc.option(fc.constantFrom('64500:1', '64500:2', 'large:1:2:3'), { nil: undefined }),
  }).map((o) => ({ name: `ad${i}`, ...o }))

const arbService = (i: number) =>
  fc.record({
    ips: fc.subarray([...IPS], { maxLength: 2 }),
    lb: fc.boolean(),
    local: fc.boolean(),
    app: fc.constantFrom('x', 'y'),
    endpoints: fc.subarray([...NODES, 'gone']),
  }).map((o) => ({ name: `s${i}`, ...o }))

const arbCluster = fc.record({
  nodes: fc.tuple(...NODES.map(arbNode)),
  ads: fc.integer({ min: 0, max: 3 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbAd(i)))),
  services: fc.integer({ min: 0, max: 3 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbService(i)))),
  r4Rack: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
  dual: fc.boolean(),
  localPref: fc.constantFrom(0, 300),
  self: fc.constantFrom(...NODES),
})
type Cluster = typeof arbCluster extends fc.Arbitrary<infer C> ? C : never

const objectsOf = (c: Cluster) => [
  ...c.nodes.map((n) =>
    mkNode(n.name, { rack: n.rack, ...(n.excluded ? { 'node.kubernetes.io/exclude-from-external-load-balancers': 'true' } : {}) }, n.unavailable),
  ),
  mkPool('p4', ['198.51.100.0/24']),
  mkPool('p6', ['2001:db8::/120']),
  mkPool('pd', ['203.0.113.0/24', '2001:db8:1::/120']),
  mkPeer('r4', { peerASN: 64501, peerAddress: '192.0.2.1', ...(c.r4Rack === undefined ? {} : { nodeSelectors: [{ matchLabels: { rack: c.r4Rack } }] }) }),
  mkPeer('ri', { peerASN: 64500, peerAddress: '192.0.2.2', dualStackAddressFamily: c.dual }),
  mkPeer('r6', { peerASN: 64502, peerAddress: '2001:db8::ffff' }),
  // One localPref for all: different values on one pool are a config error, tested in the tables.
  ...c.ads.map((a) =>
    mkBgpAd(a.name, {
      ipAddressPools: a.pools.length === 0 ? ['none'] : a.pools,
      peers: a.peers,
      localPref: c.localPref,
      ...(a.app === undefined ? { aggregationLength: a.len4, aggregationLengthV6: a.len6 } : { serviceSelectors: [{ matchLabels: { app: a.app } }] }),
      ...(a.rack === undefined ? {} : { nodeSelectors: [{ matchLabels: { rack: a.rack } }] }),
      ...(a.community === undefined ? {} : { communities: [a.community] }),
    }),
  ),
  ...c.services.map((s) => mkService(s.name, { ips: s.ips, type: s.lb ? 'LoadBalancer' : 'ClusterIP', local: s.local, labels: { app: s.app } })),
  ...c.services.map((s) => mkSlice(s.name, s.endpoints)),
]

const poolOf = (ip: string): string => (ip.startsWith('198.') ? 'p4' : ip.startsWith('203.') || ip.startsWith('2001:db8:1:') ? 'pd' : 'p6')
const samePool = (ips: readonly string[]): boolean => ips.every((ip) => poolOf(ip) === poolOf(ips[0] ?? ''))

/** Every rule as one conjunction: the route set a (service, ip, peer) gets is non-empty iff this holds. */
const admitted = (c: Cluster, s: Cluster['services'][number], ip: string, peer: string): boolean => {
  const self = c.nodes.find((n) => n.name === c.self)
  if (self === undefined) return false
  const family = ip.includes(':') ? 6 : 4
  const peerHere = peer !== 'r4' || c.r4Rack === undefined || c.r4Rack === self.rack
  const carries = peer === 'r6' ? family === 6 : peer === 'ri' ? c.dual || family === 4 : family === 4
  const ads = c.ads.filter(
    (a) =>
      a.pools.includes(poolOf(ip)) &&
      (a.app === undefined || a.app === s.app) &&
      (a.rack === undefined || a.rack === self.rack) &&
      (a.peers.length === 0 || a.peers.includes(peer as (typeof PEERS)[number])),
  )
  return (
    s.lb &&
    samePool(s.ips) &&
    s.endpoints.length > 0 &&
    ads.length > 0 &&
    !self.unavailable &&
    !self.excluded &&
    (!s.local || s.endpoints.includes(self.name)) &&
    peerHere &&
    carries
  )
}

const canon = (ip: string): string => {
  const p = parseIP(ip)
  return p._tag === 'Right' ? formatIP(p.right) : ip
}

t.test('routes iff every rule admits; one reason otherwise; prefixes hold their IP', async (t) => {
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(arbCluster, (c) => {
        const plan = planFor(c.self, objectsOf(c))
        for (const s of c.services)
          for (const raw of s.ips.length === 0 ? [undefined] : s.ips)
            for (const peer of PEERS) {
              const ip = raw === undefined ? undefined : canon(raw)
              const key = `default/${s.name}`
              const routes = plan.advertised.filter((a) => a.service === key && formatIP(a.ip) === ip && a.peer === peer)
              const reasons = plan.skipped.filter((x) => x.service === key && (x.ip === undefined ? undefined : formatIP(x.ip)) === ip && x.peer === peer)
              const want = raw !== undefined && admitted(c, s, raw, peer)
              if (want !== routes.length > 0) throw new Error(`${key} ${ip} ${peer}: want advertised=${want}, got ${JSON.stringify(reasons.map((r) => r.reason))}`)
              if (routes.length > 0 === (reasons.length === 1) || reasons.length > 1) throw new Error(`${key} ${ip} ${peer}: routes and reasons overlap`)
              for (const r of routes) {
                const net = parsePrefix(`${formatIP(r.ip)}/${r.route.prefix.length}`)
                if (net._tag === 'Left' || formatPrefix(net.right) !== formatPrefix(r.route.prefix)) throw new Error(`${formatPrefix(r.route.prefix)} does not hold ${ip}`)
                const bits = r.ip.family === 4 ? 32 : 128
                if (r.route.prefix.length > bits) throw new Error('longer than the address')
                if (r.route.localPref !== undefined && peer !== 'ri') throw new Error('localPref to an eBGP peer')
              }
            }
        // The peers map: the advertised prefixes of each peer, once each.
        for (const [peer, routes] of plan.peers) {
          const want = [...new Set(plan.advertised.filter((a) => a.peer === peer).map((a) => formatPrefix(a.route.prefix)))].sort()
          const got = routes.map((r) => formatPrefix(r.prefix)).sort()
          if (JSON.stringify(want) !== JSON.stringify(got)) throw new Error(`${peer}: ${got} vs ${want}`)
        }
      }),
      { numRuns: 300 },
    ),
  )
})

t.test('the answer does not depend on the order of the input objects', async (t) => {
  fc.assert(
    fc.property(arbCluster, fc.func(fc.integer()), (c, rank) => {
      const objs = objectsOf(c)
      const shuffled = objs.map((o, i) => ({ o, k: rank(i) })).sort((a, b) => a.k - b.k).map((x) => x.o)
      const a = planFor(c.self, objs)
      const b = planFor(c.self, shuffled)
      t.same(b, a)
    }),
    { numRuns: 100 },
  )
})

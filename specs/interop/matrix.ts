// The interop matrix against one router kind (issue 10): one topology, all twelve cells (cells.ts) at
// once. The router's namespace holds the LAN bridge with two node namespaces on it and a client
// namespace behind it; each node namespace runs one speaker process (speakerMain.ts: every cell's
// sessions from the cell's own addresses, and an HTTP server answering with the node's name) and holds
// every cell's Service IPs on its loopback. Per cell it checks: the router's RIB holds exactly the
// oracle's routes (prefixes, next hops, AS path, communities, large communities, localPref); the
// kernel FIB holds each route via both nodes; the client reaches each Service IP through the router
// and its connections land on both nodes (ECMP: the router hashes on ports, sysctl below). GoBGP
// installs no kernel routes (shell/testbed/routerGobgp.ts says why), so its cells check the RIB only.
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { type Neighbor, type RibRoute, type Router, type RouterKind, startRouter } from '../../shell/testbed/router.js'
import { sysctl } from '../../shell/testbed/netns.js'
import { type Lab, labFor } from '../support/netns.js'
import { type Agent, startAgent } from '../support/netnsAgent.js'
import { CELLS, CLIENT, type Cell, type ExpectedRoute, HTTP_PORT, NODES, ROUTER, cellName, expectedRoutes, nodeAddresses, routerNeighbors, serviceIps } from './cells.js'

const SPEAKER = fileURLToPath(new URL('./speakerMain.ts', import.meta.url))
/** Connections per Service IP: all on one node by chance has odds 2^-(N-1) when the hash is fair. */
const CONNECTIONS = 16

/** JSON with object keys sorted: equal for deep-equal values whatever their key order. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x))
const same = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b)

const poll = async <A>(ms: number, probe: () => Promise<A>, done: (a: A) => boolean): Promise<A> => {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await probe()
    if (done(v) || Date.now() > deadline) return v
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** The RIB's routes in the oracle's shape (no MED is ever sent: a MED would show as a difference). */
const ribShape = (r: RibRoute): ExpectedRoute & { med?: number } => r

const byPrefix = (a: { prefix: string }, b: { prefix: string }): number => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0)

interface Topology {
  readonly rtr: string
  readonly nodes: readonly string[]
  readonly cli: string
}

/** Router namespace with the LAN bridge, two nodes on it, a client behind; addresses and routes. */
const buildTopology = async (lab: Lab): Promise<Topology> => {
  const rtr = await lab.namespace('rtr')
  const cli = await lab.namespace('cli')
  const nodes = [await lab.namespace('n1'), await lab.namespace('n2')]
  await sysctl(rtr, [
    'net.ipv4.ip_forward=1',
    'net.ipv6.conf.all.forwarding=1',
    // Layer 4 hashing: flows from one client to one Service IP spread over the next hops by port.
    'net.ipv4.fib_multipath_hash_policy=1',
    'net.ipv6.fib_multipath_hash_policy=1',
  ])
  await lab.veth({ ns: rtr, ifname: 'p1' }, { ns: nodes[0] ?? '', ifname: 'eth0' })
  await lab.veth({ ns: rtr, ifname: 'p2' }, { ns: nodes[1] ?? '', ifname: 'eth0' })
  await lab.bridge(rtr, 'lan', ['p1', 'p2'])
  await lab.address(rtr, 'lan', `${ROUTER.v4}/24`)
  await lab.address(rtr, 'lan', `${ROUTER.v6}/64`)
  await lab.veth({ ns: rtr, ifname: 'cli0' }, { ns: cli, ifname: 'eth0' })
  await lab.address(rtr, 'cli0', `${ROUTER.clientV4}/24`)
  await lab.address(rtr, 'cli0', `${ROUTER.clientV6}/64`)
  await lab.address(cli, 'eth0', `${CLIENT.v4}/24`)
  await lab.address(cli, 'eth0', `${CLIENT.v6}/64`)
  const routes = async (ns: string, v4: string, v6: string): Promise<void> => {
    for (const [flag, via] of [['-4', v4], ['-6', v6]] as const) {
      const r = await lab.exec(ns, ['ip', flag, 'route', 'add', 'default', 'via', via])
      if (r.code !== 0) throw new Error(`default route via ${via} in ${ns}: ${r.stderr}`)
    }
  }
  await routes(cli, ROUTER.clientV4, ROUTER.clientV6)
  await Promise.all(
    nodes.map(async (ns, n) => {
      await Promise.all(
        CELLS.flatMap((c) => {
          const own = nodeAddresses(c, n)
          const ips = serviceIps(c)
          return [
            lab.address(ns, 'eth0', `${own.v4}/24`),
            lab.address(ns, 'eth0', `${own.v6}/64`),
            ...(ips.v4 === undefined ? [] : [lab.address(ns, 'lo', `${ips.v4}/32`)]),
            ...(ips.v6 === undefined ? [] : [lab.address(ns, 'lo', `${ips.v6}/128`)]),
          ]
        }),
      )
      await routes(ns, ROUTER.v4, ROUTER.v6)
    }),
  )
  return { rtr, nodes, cli }
}

const neighborsOf = (cells: readonly Cell[]): Neighbor[] =>
  cells.flatMap((c) => routerNeighbors(c).map((n) => ({ peer: { address: n.address }, peerAs: n.asn, passive: true, ...(n.password === undefined ? {} : { password: n.password }) })))

/** Waits until every cell's session on this speaker says Up (and none went Down since). */
const allUp = async (speaker: Agent, ms: number): Promise<Set<number>> => {
  const up = (): Set<number> => {
    const s = new Set<number>()
    for (const e of speaker.events) {
      if (e.event === 'up') s.add(Number(e['cell']))
      if (e.event === 'down') s.delete(Number(e['cell']))
    }
    return s
  }
  return poll(ms, async () => up(), (s) => s.size === CELLS.length)
}

/** The node names that answered `count` fresh connections from the client to `ip` (curl, one process). */
const reach = async (lab: Lab, cli: string, ip: string): Promise<string[]> => {
  const url = `http://${ip.includes(':') ? `[${ip}]` : ip}:${HTTP_PORT}/`
  // Connection: close: a new connection (a new source port) per request.
  const r = await lab.exec(cli, ['curl', '-s', '-g', '--max-time', '3', '-H', 'Connection: close', '-w', '\\n', ...Array.from({ length: CONNECTIONS }, () => url)], 30_000)
  return r.stdout.split('\n').filter((l) => l !== '')
}

interface CellResult {
  rib: boolean
  fib?: boolean
  reach?: boolean
}

/** The whole matrix against one router kind; `installsRoutes`: whether its FIB and forwarding are checked. */
export const runMatrix = async (t: Test, kind: RouterKind, installsRoutes: boolean): Promise<void> => {
  const started = Date.now()
  const lab = labFor(t)
  const topo = await buildTopology(lab)
  // Speakers first: they take seconds to load and dial again every 2 s (connectTime) until the router listens.
  const speakers = topo.nodes.map((ns, n) => startAgent(lab, ns, ['--node-index', String(n), '--max-seconds', '110'], SPEAKER))
  const router: Router = await startRouter({ kind, ns: topo.rtr, asn: ROUTER.asn, routerId: ROUTER.v4, neighbors: neighborsOf(CELLS) })
  t.teardown(() => router.stop())
  const results = new Map<number, CellResult>(CELLS.map((c) => [c.index, { rib: false }]))
  let threw = false
  try {
    const ups = await Promise.all(speakers.map((s) => allUp(s, 45_000)))
    t.comment(`${kind}: sessions up ${Date.now() - started} ms after the start`)
    ups.forEach((u, n) => t.equal(u.size, CELLS.length, `${NODES[n]}: every cell's session Established (${[...u].sort((a, b) => a - b).join(',')})`))
    const want = CELLS.flatMap(expectedRoutes).sort(byPrefix)
    const rib = (await poll(15_000, router.rib, (r) => same(r.map(ribShape).sort(byPrefix), want))).map(ribShape).sort(byPrefix)
    t.comment(`${kind}: RIB settled ${Date.now() - started} ms after the start`)
    t.same(rib, want, `${kind}'s RIB holds exactly the ${want.length} expected routes`)
    for (const c of CELLS) {
      await t.test(cellName(c), async (t) => {
        const mine = expectedRoutes(c).sort(byPrefix)
        const prefixes = new Set(mine.map((r) => r.prefix))
        const got = rib.filter((r) => prefixes.has(r.prefix))
        const res: CellResult = { rib: t.same(got, mine, 'RIB: prefixes, next hops, AS path, communities, localPref') }
        if (installsRoutes) {
          let fibOk = true
          for (const r of mine) {
            const hops = await poll(5_000, () => router.fib(r.prefix), (f) => same(f, r.nexthops))
            fibOk = t.same(hops, r.nexthops, `FIB: ${r.prefix} via both nodes`) && fibOk
          }
          res.fib = fibOk
          const ips = serviceIps(c)
          const answers = await Promise.all([ips.v4, ips.v6].flatMap((ip) => (ip === undefined ? [] : [reach(lab, topo.cli, ip).then((a) => [ip, a] as const)])))
          let reachOk = true
          for (const [ip, a] of answers) {
            reachOk = t.equal(a.length, CONNECTIONS, `${ip}: ${CONNECTIONS} connections answered`) && reachOk
            const spread = [...new Set(a)].sort()
            t.comment(`${ip}: node1 ${a.filter((x) => x === 'node1').length}, node2 ${a.filter((x) => x === 'node2').length}`)
            reachOk = t.same(spread, [...NODES], `${ip}: flows reach both nodes (ECMP)`) && reachOk
          }
          res.reach = reachOk
        }
        results.set(c.index, res)
      })
    }
  } catch (e) {
    threw = true
    throw e
  } finally {
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    const mark = (v: boolean | undefined): string => (v === undefined ? 'n/a' : v ? 'pass' : 'FAIL')
    t.comment(`matrix ${kind} (${seconds} s): ${CELLS.map((c) => `[${cellName(c)}: RIB ${mark(results.get(c.index)?.rib)}, FIB ${mark(results.get(c.index)?.fib)}, reach+ECMP ${mark(results.get(c.index)?.reach)}]`).join(' ')}`)
    if (threw || !t.passing()) {
      t.comment(router.logTail(40))
      for (const s of speakers) t.comment(`speaker stderr: ${s.stderr().slice(-1500)}; last events ${JSON.stringify(s.events.slice(-4))}`)
    }
  }
}

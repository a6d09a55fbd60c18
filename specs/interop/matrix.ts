// The interop matrix (issue 10): FRR, BIRD 2 and GoBGP on one LAN, all twelve cells (cells.ts) at once.
// Each router has a namespace of its own with a leg on the LAN bridge, and FRR and BIRD a client
// namespace behind them; two node namespaces on the LAN each run one speaker process (speakerMain.ts:
// the speaker's reconcile and BGP applier per cell, sessions to every router from the cell's own
// addresses, and an HTTP server answering with the node's name) and hold every cell's Service IPs on
// their loopback. Per router and cell: the router's RIB holds exactly the oracle's routes (prefixes,
// next hops, AS path, communities, large communities, localPref); the kernel FIB holds each route via
// both nodes; the client reaches each Service IP through the router, its connections landing on both
// nodes (ECMP: the router hashes on ports, sysctl below). GoBGP installs no kernel routes (shell/testbed/routerGobgp.ts says why): its
// cells check the RIB only. One topology and two speaker processes for all three routers: loading a
// speaker (TypeScript through tap's loader) is the slowest step here, about 10 s, 40 s at load 20.
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { type Neighbor, type RibRoute, type Router, startRouter } from '../../shell/testbed/router.js'
import { sysctl } from '../../shell/testbed/netns.js'
import { type Lab, labFor } from '../support/netns.js'
import { type Agent, startAgent } from '../support/netnsAgent.js'
import { CELLS, type Cell, type ExpectedRoute, HTTP_PORT, type InteropRouter, NODES, ROUTERS, ROUTER_ASN, INTEROP_ROUTERS, cellName, clientNet, expectedRoutes, nodeAddresses, routerNeighbors, serviceIps } from './cells.js'
import { poll } from '../support/poll.js'

const SPEAKER = fileURLToPath(new URL('./speakerMain.ts', import.meta.url))
/** Connections per Service IP: all on one node by chance has odds 2^-(N-1) when the hash is fair. */
const CONNECTIONS = 24
/** The routers that install routes, so forwarding and ECMP are checked through them. */
const FORWARDING: ReadonlySet<InteropRouter> = new Set(['frr', 'bird'])

/** JSON with object keys sorted: equal for deep-equal values whatever their key order. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x))
const same = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b)

/** The RIB's routes in the oracle's shape (no MED is ever sent: a MED would show as a difference). */
const ribShape = (r: RibRoute): ExpectedRoute & { med?: number } => r

const byPrefix = (a: { prefix: string }, b: { prefix: string }): number => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0)

interface Topology {
  readonly lan: string
  readonly routers: Readonly<Record<InteropRouter, string>>
  readonly clients: ReadonlyMap<InteropRouter, string>
  readonly nodes: readonly string[]
}

const namespaces = async (lab: Lab): Promise<Topology> => {
  const routers = { frr: await lab.namespace('frr'), bird: await lab.namespace('bird'), gobgp: await lab.namespace('gobgp') }
  const clients = new Map<InteropRouter, string>()
  for (const r of FORWARDING) clients.set(r, await lab.namespace(`cli${r}`))
  return { lan: await lab.namespace('lan'), routers, clients, nodes: [await lab.namespace('n1'), await lab.namespace('n2')] }
}

/** A static route in `ns` (a lab command, bounded in time). */
const route = async (lab: Lab, ns: string, to: string, via: string): Promise<void> => {
  const r = await lab.exec(ns, ['ip', to.includes(':') ? '-6' : '-4', 'route', 'add', to, 'via', via])
  if (r.code !== 0) throw new Error(`route ${to} via ${via} in ${ns}: ${r.stderr}`)
}

/** The LAN bridge with the routers and nodes on it, each forwarding router's client; addresses and routes. */
const buildTopology = async (lab: Lab, topo: Topology): Promise<void> => {
  const ports = [...INTEROP_ROUTERS.map((r) => `p-${r}`), 'p-n1', 'p-n2']
  for (const r of INTEROP_ROUTERS) {
    const ns = topo.routers[r]
    await lab.veth({ ns: topo.lan, ifname: `p-${r}` }, { ns, ifname: 'lan' })
    await lab.address(ns, 'lan', `${ROUTERS[r].v4}/24`)
    await lab.address(ns, 'lan', `${ROUTERS[r].v6}/64`)
  }
  await Promise.all(
    topo.nodes.map((ns, n) => lab.veth({ ns: topo.lan, ifname: `p-n${n + 1}` }, { ns, ifname: 'eth0' })),
  )
  await lab.bridge(topo.lan, 'br0', ports)
  for (const [r, cli] of topo.clients) {
    const ns = topo.routers[r]
    const net = clientNet(r)
    await sysctl(ns, [
      'net.ipv4.ip_forward=1',
      'net.ipv6.conf.all.forwarding=1',
      // Layer 4 hashing: flows from one client to one Service IP spread over the next hops by port.
      'net.ipv4.fib_multipath_hash_policy=1',
      'net.ipv6.fib_multipath_hash_policy=1',
    ])
    await lab.veth({ ns, ifname: 'cli' }, { ns: cli, ifname: 'eth0' })
    await lab.address(ns, 'cli', `${net.router.v4}/26`)
    await lab.address(ns, 'cli', `${net.router.v6}/64`)
    await lab.address(cli, 'eth0', `${net.client.v4}/26`)
    await lab.address(cli, 'eth0', `${net.client.v6}/64`)
    await route(lab, cli, '0.0.0.0/0', net.router.v4)
    await route(lab, cli, '::/0', net.router.v6)
  }
  await Promise.all(
    topo.nodes.map(async (ns, n) => {
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
      // Answers to each client go back through that client's router.
      for (const r of topo.clients.keys()) {
        await route(lab, ns, clientNet(r).v4, ROUTERS[r].v4)
        await route(lab, ns, clientNet(r).v6, ROUTERS[r].v6)
      }
    }),
  )
}

const neighborsOf = (cells: readonly Cell[]): Neighbor[] =>
  cells.flatMap((c) => routerNeighbors(c).map((n) => ({ peer: { address: n.address }, peerAs: n.asn, passive: true, ...(n.password === undefined ? {} : { password: n.password }) })))

/** Waits until every session of this speaker (cell x router) is Established by its latest state. */
const allUp = async (speaker: Agent, ms: number): Promise<Set<string>> => {
  const up = (): Set<string> => {
    const s = new Set<string>()
    for (const e of speaker.events) {
      if (e.event !== 'state') continue
      const key = `${String(e['cell'])}/${String(e['peer'])}`
      if (e['state'] === 'Established') s.add(key)
      else s.delete(key)
    }
    return s
  }
  return poll(ms, async () => up(), (s) => s.size === CELLS.length * INTEROP_ROUTERS.length, 250)
}

/** The node names that answered fresh connections from the client to `ip` (curl, one process). */
const reach = async (lab: Lab, cli: string, ip: string): Promise<string[]> => {
  const url = `http://${ip.includes(':') ? `[${ip}]` : ip}:${HTTP_PORT}/`
  // Connection: close: a new connection (a new source port) per request.
  const r = await lab.exec(cli, ['curl', '-s', '-g', '--connect-timeout', '1', '--max-time', '2', '-H', 'Connection: close', '-w', '\\n', ...Array.from({ length: CONNECTIONS }, () => url)], 30_000)
  return r.stdout.split('\n').filter((l) => l !== '')
}

interface CellResult {
  rib: boolean
  fib?: boolean
  reach?: boolean
}

const mark = (v: boolean | undefined): string => (v === undefined ? 'n/a' : v ? 'pass' : 'FAIL')

/** One router's cells: the whole RIB, then per cell the RIB, FIB and forwarding. */
const checkRouter = async (t: Test, lab: Lab, kind: InteropRouter, router: Router, cli: string | undefined, settleMs: number): Promise<Map<number, CellResult>> => {
  const results = new Map<number, CellResult>(CELLS.map((c) => [c.index, { rib: false }]))
  const want = CELLS.flatMap(expectedRoutes).sort(byPrefix)
  const rib = (await poll(settleMs, router.rib, (r) => same(r.map(ribShape).sort(byPrefix), want), 250)).map(ribShape).sort(byPrefix)
  t.same(rib, want, `${kind}'s RIB holds exactly the ${want.length} expected routes`)
  for (const c of CELLS) {
    await t.test(cellName(c), async (t) => {
      const mine = expectedRoutes(c).sort(byPrefix)
      const prefixes = new Set(mine.map((r) => r.prefix))
      const res: CellResult = { rib: t.same(rib.filter((r) => prefixes.has(r.prefix)), mine, 'RIB: prefixes, next hops, AS path, communities, localPref') }
      if (cli !== undefined) {
        let fibOk = true
        // Only a route the RIB holds is worth waiting for in the FIB.
        for (const r of mine) {
          const hops = await poll(res.rib ? 5_000 : 0, () => router.fib(r.prefix), (f) => same(f, r.nexthops), 250)
          fibOk = t.same(hops, r.nexthops, `FIB: ${r.prefix} via both nodes`) && fibOk
        }
        res.fib = fibOk
        if (!fibOk) return void results.set(c.index, { ...res, reach: false })
        const ips = serviceIps(c)
        const answers = await Promise.all([ips.v4, ips.v6].flatMap((ip) => (ip === undefined ? [] : [reach(lab, cli, ip).then((a) => [ip, a] as const)])))
        let reachOk = true
        for (const [ip, a] of answers) {
          reachOk = t.equal(a.length, CONNECTIONS, `${ip}: ${CONNECTIONS} connections answered`) && reachOk
          t.comment(`${ip}: node1 ${a.filter((x) => x === 'node1').length}, node2 ${a.filter((x) => x === 'node2').length}`)
          reachOk = t.same([...new Set(a)].sort(), [...NODES], `${ip}: flows reach both nodes (ECMP)`) && reachOk
        }
        res.reach = reachOk
      }
      results.set(c.index, res)
    })
  }
  return results
}

/** The matrix as README shows it: a row per cell, a column per router ("RIB, FIB, reach+ECMP" marks). */
const markdownTable = (table: ReadonlyMap<InteropRouter, { results: Map<number, CellResult>; seconds: number }>): string[] => {
  const kinds = [...table.keys()]
  const cell = (r: CellResult | undefined): string => (r === undefined ? '-' : [r.rib, r.fib, r.reach].map(mark).join(' / '))
  return [
    `| cell | ${kinds.map((k) => `${k} (${table.get(k)?.seconds.toFixed(1)} s)`).join(' | ')} |`,
    `|---|${kinds.map(() => '---').join('|')}|`,
    ...CELLS.map((c) => `| ${cellName(c)} | ${kinds.map((k) => cell(table.get(k)?.results.get(c.index))).join(' | ')} |`),
  ]
}

/** The whole matrix: topology, speakers, the three routers, then each router's cells in a subtest. */
export const runMatrix = async (t: Test): Promise<void> => {
  const started = Date.now()
  const since = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`
  const lab = labFor(t)
  const topo = await namespaces(lab)
  // Speakers first: they take seconds to load, and dial again every 2 s (connectTime) until their
  // addresses exist and the routers listen.
  const speakers = topo.nodes.map((ns, n) => startAgent(lab, ns, ['--node-index', String(n), '--max-seconds', '115'], SPEAKER))
  await buildTopology(lab, topo)
  t.comment(`topology built after ${since()}`)
  const routers = new Map<InteropRouter, Router>()
  t.teardown(() => Promise.all([...routers.values()].map((r) => r.stop())))
  await Promise.all(
    INTEROP_ROUTERS.map(async (kind) => {
      const r = await startRouter({ kind, ns: topo.routers[kind], asn: ROUTER_ASN, routerId: ROUTERS[kind].v4, neighbors: neighborsOf(CELLS) })
      routers.set(kind, r)
    }),
  )
  t.comment(`routers answering after ${since()}`)
  let threw = false
  const table = new Map<InteropRouter, { results: Map<number, CellResult>; seconds: number }>()
  try {
    const ups = await Promise.all(speakers.map((s) => allUp(s, 60_000)))
    t.comment(`every session up after ${since()}`)
    const allUpOk = ups.every((u) => u.size === CELLS.length * INTEROP_ROUTERS.length)
    ups.forEach((u, n) => t.equal(u.size, CELLS.length * INTEROP_ROUTERS.length, `${NODES[n]}: all ${CELLS.length} cells x ${INTEROP_ROUTERS.length} routers Established`))
    for (const kind of INTEROP_ROUTERS) {
      const router = routers.get(kind)
      if (router === undefined) throw new Error(`${kind} not started`)
      const t0 = Date.now()
      await t.test(`${kind}${FORWARDING.has(kind) ? '' : ': the RIB only (no kernel routes)'}`, async (t) => {
        table.set(kind, { results: await checkRouter(t, lab, kind, router, topo.clients.get(kind), allUpOk ? 15_000 : 2_000), seconds: (Date.now() - t0) / 1000 })
      })
    }
  } catch (e) {
    threw = true
    throw e
  } finally {
    t.comment(`matrix done after ${since()}; as a table:\n${markdownTable(table).join('\n')}`)
    if (threw || !t.passing()) {
      for (const r of routers.values()) t.comment(r.logTail(25))
      for (const s of speakers) t.comment(`speaker stderr: ${s.stderr().slice(-1500)}; last events ${JSON.stringify(s.events.slice(-4))}`)
    }
  }
}

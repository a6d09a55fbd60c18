// The lab's BGP router (`ironlb-lab up --router frr|bird|gobgp`): the router host runs the chosen router from
// the shared harness (shell/testbed/router*.ts) as lab processes, recorded in state.json like every other,
// with dynamic neighbours for the node addresses (a listen range on the LAN, IPv4 and IPv6: the speakers
// dial the router). What `status` shows of it: each neighbour's session and the normalized RIB. The
// router's files are in a folder of their own outside the state folder (FRR runs as user frr, which may
// not enter the root-only state folder); `down` removes it.
import { mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mergePaths, pollUntil, prerequisiteOf, routerPlan, routerQueries, writeRouterFiles, type NeighborState, type RibRoute, type RouterConfig, type RouterKind } from '../testbed/router.js'
import { removeFrrLeftovers } from '../testbed/routerFrr.js'
import { errText } from '../testbed/sys.js'
import { procAlive, startProc } from './procs.js'
import { writeState, type LabState, type ProcRecord } from './state.js'
import { hostOrThrow, lanOf, namespaceOf, type Topology } from './topology.js'

const LAB_ROUTER_ASN = 64500
/** The AS the router expects the nodes in when it must name one (GoBGP); FRR and BIRD take any external AS. */
const LAB_NODE_ASN = 64512
const READY_MS = 20_000
/** BFD toward every node (examples/bgp-demo.yaml's BFDProfile asks the same): FRR and BIRD; GoBGP has none. */
const LAB_BFD = { receiveMs: 100, transmitMs: 100, multiplier: 3 } as const

/** The router's folder: named after the lab, so `down` finds it from the lab id alone. */
const routerDirOf = (id: string): string => join(tmpdir(), `ironlb-lab-${id}-router`)

export const labRouterConfig = (topo: Topology, kind: RouterKind): RouterConfig => {
  const lan = topo.segments.find((s) => s.name === 'lan')
  if (lan === undefined) throw new Error('the topology has no LAN')
  const peerAs = kind === 'gobgp' ? LAB_NODE_ASN : 'external'
  const bfd = kind === 'gobgp' ? {} : { bfd: LAB_BFD }
  return {
    kind,
    ns: namespaceOf(topo.id, 'router'),
    asn: LAB_ROUTER_ASN,
    routerId: lanOf(hostOrThrow(topo, 'router')).v4,
    neighbors: [
      { peer: { range: lan.v4Prefix }, peerAs, ...bfd },
      { peer: { range: lan.v6Prefix }, peerAs, ...bfd },
    ],
  }
}

/** Writes the router's files and starts its daemons (recorded before each starts); resolves when it answers. */
export const startLabRouter = async (state: LabState, topo: Topology, kind: RouterKind, logOf: (name: string) => string): Promise<string> => {
  const dir = routerDirOf(state.id)
  state.router = { kind, dir }
  writeState(state)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { mode: 0o700 })
  const plan = routerPlan(labRouterConfig(topo, kind), dir)
  writeRouterFiles(plan, dir)
  const procs: ProcRecord[] = []
  for (const d of plan.daemons) {
    await prerequisiteOf(d, READY_MS)
    procs.push(await startProc(state, { name: `router-${d.name}`, host: 'router', argv: d.argv, log: logOf(`router-${d.name}`) }))
  }
  const q = routerQueries(kind, namespaceOf(state.id, 'router'), dir)
  await pollUntil(`${kind} on the router answering`, READY_MS, async () => {
    const dead = procs.find((p) => !procAlive(p))
    if (dead !== undefined) throw new Error(`${dead.name} exited; see ${dead.log}`)
    return q.ready()
  })
  return `${kind} router at ${lanOf(hostOrThrow(topo, 'router')).v4} (AS ${LAB_ROUTER_ASN}) listening for the nodes on ${labRouterConfig(topo, kind).neighbors.map((n) => ('range' in n.peer ? n.peer.range : '')).join(' and ')}; client's default route through it`
}

/** What `down` removes besides the namespaces: the router's folder and FRR's crash-log folders of its daemons. */
export const removeLabRouterFiles = (state: LabState | undefined, id: string): void => {
  removeFrrLeftovers((state?.procs ?? []).filter((p) => p.name.startsWith('router-')).flatMap((p) => (p.ref === undefined ? [] : [p.ref.pid])))
  rmSync(state?.router?.dir ?? routerDirOf(id), { recursive: true, force: true })
}

export type LabRouterStatus =
  | { readonly kind: RouterKind; readonly neighbors: readonly NeighborState[]; readonly rib: readonly RibRoute[] }
  | { readonly kind: RouterKind; readonly error: string }

/** The router's neighbours and RIB, or why they could not be read; undefined in a lab without a router. */
export const labRouterStatus = async (state: LabState): Promise<LabRouterStatus | undefined> => {
  if (state.router === undefined) return undefined
  const { kind, dir } = state.router
  try {
    const q = routerQueries(kind, namespaceOf(state.id, 'router'), dir)
    const neighbors = await q.neighbors()
    return { kind, neighbors, rib: mergePaths(await q.paths(), neighbors, LAB_ROUTER_ASN) }
  } catch (e) {
    return { kind, error: errText(e).split('\n')[0] ?? 'unreadable' }
  }
}

/** The router part of `status` as the CLI prints it. */
export const labRouterText = (rs: LabRouterStatus): string => {
  const lines = ['', `router (${rs.kind}, AS ${LAB_ROUTER_ASN}):`]
  if ('error' in rs) return `${[...lines, `  (unavailable: ${rs.error})`].join('\n')}\n`
  lines.push('  neighbours:')
  if (rs.neighbors.length === 0) lines.push('    (none yet: the speakers dial the router once a BGPPeer names it)')
  for (const n of rs.neighbors) lines.push(`    ${n.address.padEnd(20)} AS ${String(n.remoteAs ?? '-').padEnd(11)} ${n.state}${n.raw !== n.state ? ` (${n.raw})` : ''}`)
  lines.push('  RIB:')
  if (rs.rib.length === 0) lines.push('    (empty)')
  for (const r of rs.rib) {
    const extra = [r.communities.join(' '), r.largeCommunities.join(' '), r.localPref === undefined ? '' : `localPref ${r.localPref}`, r.med === undefined ? '' : `med ${r.med}`].filter((x) => x !== '')
    lines.push(`    ${r.prefix.padEnd(24)} via ${r.nexthops.join(', ').padEnd(36)} AS path ${r.asPath.join(' ') || '(empty)'}${extra.length > 0 ? `  ${extra.join('  ')}` : ''}`)
  }
  return `${lines.join('\n')}\n`
}

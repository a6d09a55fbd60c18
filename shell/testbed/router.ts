// A BGP router in a network namespace, for the interop specs and the lab: FRR (zebra, bgpd, bfdd), BIRD 2 or
// GoBGP, each from one RouterConfig, each answering the same queries in the same shape (the RIB, every
// neighbour's session state, the kernel FIB's next hops for a prefix). Each kind's file renders its config
// and argv (routerFrr.ts, routerBird.ts, routerGobgp.ts); this file starts, queries and stops them. Every
// file of a router lives in one temp folder of its own (never /etc/frr, /var/run/frr or /etc/bird), and
// `stop` kills what it started and removes that folder, even when the start failed part way.
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { birdPlan, birdQueries } from './routerBird.js'
import { frrPlan, frrQueries, removeFrrLeftovers } from './routerFrr.js'
import { gobgpPlan, gobgpQueries } from './routerGobgp.js'
import { errText, launch, mustRun, sleep, stopAll, tailFile, type ProcRef } from './sys.js'
import { isDocumentationAddress } from './netns.js'

export type RouterKind = 'frr' | 'bird' | 'gobgp'
export const ROUTER_KINDS: readonly RouterKind[] = ['frr', 'bird', 'gobgp']

export interface BfdTimers {
  readonly receiveMs: number
  readonly transmitMs: number
  readonly multiplier: number
}

/** One neighbour, or a listen range of dynamic ones (the speakers dial the router). */
export interface Neighbor {
  readonly peer: { readonly address: string } | { readonly range: string }
  /** A number, or iBGP/eBGP with whatever AS the peer says (FRR and BIRD only). */
  readonly peerAs: number | 'internal' | 'external'
  readonly password?: string
  readonly bfd?: BfdTimers
  /** eBGP multihop with this TTL. */
  readonly multihop?: number
  /** Never dial; wait for the peer. A listen range is always passive. */
  readonly passive?: boolean
  /**
   * FRR only: BGP unnumbered on this interface (`neighbor IF interface`, RFC 8950): the session goes to
   * the IPv6 link-local address that answers there, and FRR sends Router Advertisements on it; `peer`
   * is then not rendered.
   */
  readonly unnumbered?: string
}

export interface RouterConfig {
  readonly kind: RouterKind
  readonly ns: string
  readonly asn: number
  /** IPv4 router id, also the address GoBGP's and BIRD's sessions are sourced from when set. */
  readonly routerId: string
  readonly neighbors: readonly Neighbor[]
  /** Install every equal path (default true); false: one best path. */
  readonly ecmp?: boolean
}

/** One route as every router kind reports it: paths with equal attributes merged, next hops sorted. */
export interface RibRoute {
  readonly prefix: string
  readonly nexthops: readonly string[]
  readonly asPath: readonly number[]
  /** 'high:low' */
  readonly communities: readonly string[]
  /** 'global:local1:local2' */
  readonly largeCommunities: readonly string[]
  /** Only for routes learned over iBGP (BIRD puts a default on eBGP routes; the others do not). */
  readonly localPref?: number
  readonly med?: number
}

type SessionState = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established'

export interface NeighborState {
  readonly address: string
  readonly remoteAs: number | undefined
  readonly state: SessionState
  /** The router's own word for it (e.g. BIRD's Passive). */
  readonly raw: string
}

/** A route as one router reports one path, before merging: `from` is the neighbour it came from. */
export interface RibPath {
  readonly prefix: string
  readonly nexthop: string
  readonly asPath: readonly number[]
  readonly communities: readonly string[]
  readonly largeCommunities: readonly string[]
  readonly localPref?: number
  readonly med?: number
  readonly from: string
}

/** What a kind's file renders: files to write into the folder, and the daemons to start, in order. */
export interface RouterPlan {
  readonly files: readonly { readonly name: string; readonly text: string }[]
  readonly daemons: readonly {
    readonly name: string
    readonly argv: readonly string[]
    /** A path (a socket) the daemon needs to exist when it starts; launched only once it does. */
    readonly after?: string
  }[]
  /** FRR drops to user frr: the folder and its files must be the frr user's. */
  readonly owner?: 'frr'
}

export interface RouterQueries {
  /** Answers once the router takes queries. */
  readonly ready: () => Promise<boolean>
  readonly paths: () => Promise<RibPath[]>
  readonly neighbors: () => Promise<NeighborState[]>
}

export interface Router {
  readonly kind: RouterKind
  readonly ns: string
  readonly dir: string
  /** The daemons started, by pid and start time. */
  readonly procs: readonly ProcRef[]
  readonly rib: () => Promise<RibRoute[]>
  readonly neighbors: () => Promise<NeighborState[]>
  /** The kernel FIB's next hops for exactly `prefix` in the router's namespace ([] when no route). */
  readonly fib: (prefix: string) => Promise<string[]>
  /** The end of every daemon's log, for a failing spec's comment. */
  readonly logTail: (lines?: number) => string
  /** Kills the daemons and removes the folder; safe to call twice. */
  readonly stop: () => Promise<void>
}

const CIDR = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/

/** Refuses a config that would render a broken or unsafe file: the error names the field. */
export const checkRouterConfig = (c: RouterConfig): void => {
  if (!ROUTER_KINDS.includes(c.kind)) throw new Error(`router kind: ${String(c.kind)} is not one of ${ROUTER_KINDS.join(', ')}`)
  if (!Number.isInteger(c.asn) || c.asn < 1 || c.asn > 4294967294) throw new Error(`asn: ${c.asn} is not 1..4294967294`)
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(c.routerId)) throw new Error(`routerId: ${c.routerId} is not an IPv4 address`)
  c.neighbors.forEach((n, i) => {
    const at = `neighbors[${i}]`
    if ('address' in n.peer) {
      if (!isDocumentationAddress(n.peer.address)) throw new Error(`${at}.peer.address: ${n.peer.address} is not a documentation address`)
    } else {
      const m = CIDR.exec(n.peer.range)
      if (m === null || !isDocumentationAddress(m[1] ?? '')) throw new Error(`${at}.peer.range: ${n.peer.range} is not a documentation prefix`)
    }
    if (n.unnumbered !== undefined && (c.kind !== 'frr' || !/^[A-Za-z0-9_-]{1,15}$/.test(n.unnumbered))) throw new Error(`${at}.unnumbered: an interface name, and FRR only`)
    if (typeof n.peerAs === 'number' && !(Number.isInteger(n.peerAs) && n.peerAs >= 1 && n.peerAs <= 4294967294)) throw new Error(`${at}.peerAs: ${n.peerAs} is not 1..4294967294`)
    // It goes into a config file between quotes: no space, quote or backslash.
    if (n.password !== undefined && !/^[\x21\x23-\x5b\x5d-\x7e]{1,80}$/.test(n.password))
      throw new Error(`${at}.password: 1..80 printable characters, no space, quote or backslash`)
    if (n.multihop !== undefined && !(Number.isInteger(n.multihop) && n.multihop >= 1 && n.multihop <= 255)) throw new Error(`${at}.multihop: ${n.multihop} is not 1..255`)
    if (n.bfd !== undefined) {
      const b = n.bfd
      for (const [k, v] of [['receiveMs', b.receiveMs], ['transmitMs', b.transmitMs]] as const)
        if (!(Number.isInteger(v) && v >= 10 && v <= 60_000)) throw new Error(`${at}.bfd.${k}: ${v} is not 10..60000`)
      if (!(Number.isInteger(b.multiplier) && b.multiplier >= 2 && b.multiplier <= 255)) throw new Error(`${at}.bfd.multiplier: ${b.multiplier} is not 2..255`)
    }
  })
}

/** The config rendered for its kind: files and argv, nothing started. */
export const routerPlan = (c: RouterConfig, dir: string): RouterPlan => {
  checkRouterConfig(c)
  switch (c.kind) {
    case 'frr':
      return frrPlan(c, dir)
    case 'bird':
      return birdPlan(c, dir)
    case 'gobgp':
      return gobgpPlan(c, dir)
  }
}

export const routerQueries = (kind: RouterKind, ns: string, dir: string): RouterQueries => {
  switch (kind) {
    case 'frr':
      return frrQueries(ns, dir)
    case 'bird':
      return birdQueries(ns, dir)
    case 'gobgp':
      return gobgpQueries(ns)
  }
}

/** The frr user's uid and gid from /etc/passwd. */
const frrIds = (): [number, number] => {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('frr:'))
  const [, , uid, gid] = (line ?? '').split(':')
  if (uid === undefined || gid === undefined) throw new Error('no frr user in /etc/passwd: install FRR (`make system-tools`)')
  return [Number(uid), Number(gid)]
}

/** Writes the plan's files into `dir` (private to root, or to the frr user for FRR). */
export const writeRouterFiles = (plan: RouterPlan, dir: string): void => {
  for (const f of plan.files) writeFileSync(join(dir, f.name), f.text, { mode: 0o600 })
  if (plan.owner !== 'frr') return
  const [uid, gid] = frrIds()
  chownSync(dir, uid, gid)
  for (const f of plan.files) chownSync(join(dir, f.name), uid, gid)
}

/**
 * Waits for what `d` needs at start (zebra's socket for FRR's bgpd and bfdd): a client that finds no zebra
 * tries again only 10 s later, with its routes and BFD sessions waiting that long.
 */
export const prerequisiteOf = async (d: RouterPlan['daemons'][number], ms: number): Promise<void> => {
  const needs = d.after
  if (needs !== undefined) await pollUntil(`${needs} before ${d.name} starts`, ms, async () => existsSync(needs))
}

/** Polls `probe` every 100 ms, at most `ms`. */
export const pollUntil = async (what: string, ms: number, probe: () => Promise<boolean>): Promise<void> => {
  const deadline = Date.now() + ms
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`)
    await sleep(100)
  }
}

// ---- the normalized answers ---------------------------------------------------------------------------

const asNumbers = (as: readonly number[]): string => as.join(' ')

/**
 * Paths with equal attributes become one route with their next hops merged (ECMP shows as one route with
 * several next hops); localPref is kept only on paths from an iBGP neighbour. Sorted, so two routers'
 * answers compare with a deep equal.
 */
export const mergePaths = (paths: readonly RibPath[], neighbors: readonly NeighborState[], localAsn: number): RibRoute[] => {
  const remoteAs = new Map(neighbors.map((n) => [n.address, n.remoteAs]))
  const byKey = new Map<string, { route: Omit<RibRoute, 'nexthops'>; nexthops: Set<string> }>()
  for (const p of paths) {
    const internal = remoteAs.get(p.from) === localAsn
    const route: Omit<RibRoute, 'nexthops'> = {
      prefix: p.prefix,
      asPath: p.asPath,
      communities: [...p.communities].sort(),
      largeCommunities: [...p.largeCommunities].sort(),
      ...(internal && p.localPref !== undefined ? { localPref: p.localPref } : {}),
      ...(p.med !== undefined ? { med: p.med } : {}),
    }
    const key = JSON.stringify([route.prefix, asNumbers(route.asPath), route.communities, route.largeCommunities, route.localPref, route.med])
    const slot = byKey.get(key) ?? { route, nexthops: new Set<string>() }
    slot.nexthops.add(p.nexthop)
    byKey.set(key, slot)
  }
  return [...byKey.values()]
    .map(({ route, nexthops }) => ({ ...route, nexthops: [...nexthops].sort() }))
    .sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
}

const SESSION_STATES: readonly SessionState[] = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established']

/** A router's word for a session state as one of RFC 4271's; BIRD's Passive is waiting to be dialled, i.e. Active. */
export const sessionState = (raw: string): SessionState => {
  const word = raw.trim().toLowerCase()
  if (word === 'passive') return 'Active'
  return SESSION_STATES.find((s) => word.startsWith(s.toLowerCase())) ?? 'Idle'
}

/** 4259840100 -> '65000:100' (GoBGP gives a standard community as one 32-bit number). */
export const communityText = (n: number): string => `${Math.floor(n / 65536)}:${n % 65536}`

interface IpRoute {
  readonly gateway?: string
  readonly nexthops?: readonly { readonly gateway?: string }[]
}

/** The next hops of `ip -j route show exact PREFIX` output. */
export const fibNexthopsOf = (json: string): string[] => {
  const routes = JSON.parse(json === '' ? '[]' : json) as IpRoute[]
  return routes
    .flatMap((r) => [...(r.gateway === undefined ? [] : [r.gateway]), ...(r.nexthops ?? []).flatMap((n) => (n.gateway === undefined ? [] : [n.gateway]))])
    .sort()
}

const fibNexthops = async (ns: string, prefix: string): Promise<string[]> =>
  fibNexthopsOf(await mustRun(['ip', ...(prefix.includes(':') ? ['-6'] : ['-4']), '-n', ns, '-j', 'route', 'show', 'exact', prefix]))

// ---- start and stop -----------------------------------------------------------------------------------

const READY_MS = 15_000

/** Starts the router in `c.ns`; on any failure everything it started is stopped and its folder removed. */
export const startRouter = async (c: RouterConfig): Promise<Router> => {
  const dir = mkdtempSync(join(tmpdir(), `ironlb-${c.kind}-`))
  const refs: ProcRef[] = []
  const logs: string[] = []
  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    await stopAll(refs, 3_000)
    if (c.kind === 'frr') removeFrrLeftovers(refs.map((r) => r.pid))
    rmSync(dir, { recursive: true, force: true })
  }
  const logTail = (lines = 30): string => logs.map((l) => `--- ${l}\n${tailFile(l, lines)}`).join('\n')
  try {
    const plan = routerPlan(c, dir)
    writeRouterFiles(plan, dir)
    for (const d of plan.daemons) {
      const log = join(dir, `${d.name}.log`)
      logs.push(log)
      await prerequisiteOf(d, READY_MS)
      refs.push(await launch(c.ns, d.argv, log, process.env))
    }
    const q = routerQueries(c.kind, c.ns, dir)
    await pollUntil(`${c.kind} in ${c.ns} answering`, READY_MS, q.ready)
    const neighbors = q.neighbors
    return {
      kind: c.kind,
      ns: c.ns,
      dir,
      procs: refs,
      neighbors,
      rib: async () => mergePaths(await q.paths(), await neighbors(), c.asn),
      fib: (prefix) => fibNexthops(c.ns, prefix),
      logTail,
      stop,
    }
  } catch (e) {
    const tail = logTail(12)
    await stop()
    throw new Error(`${c.kind} did not start in ${c.ns}: ${errText(e)}\n${tail}`)
  }
}

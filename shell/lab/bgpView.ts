// What a router lab's router holds, as the BGP demo, end-to-end specs and bench read it: the RIB (bgpd's
// view, through the harness's queries), the kernel FIB's next hops for one prefix (what forwards the
// client's packets), and a watcher of the kernel's route events for a prefix, so that a change is timed
// to the event. The pure judges of what the watcher and the client's probe saw are in bgpJudge.ts.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { NeighborState, RibRoute } from '../testbed/router.js'
import { fibNexthopsOf } from '../testbed/router.js'
import { run, sleep } from '../testbed/sys.js'
import type { Lab } from './lab.js'
import { labRouterStatus } from './router.js'
import { readState } from './state.js'
import { routeEventOf, type FibState } from './bgpJudge.js'

const routerStatus = async (lab: Lab): Promise<{ readonly rib: readonly RibRoute[]; readonly neighbors: readonly NeighborState[] }> => {
  const st = readState(lab.stateDir)
  const rs = st === undefined ? undefined : await labRouterStatus(st)
  if (rs === undefined) throw new Error('this lab has no router')
  if ('error' in rs) throw new Error(`the router: ${rs.error}`)
  return rs
}

/** The router's RIB (every prefix, paths merged); throws when the lab has no router or it cannot be read. */
export const routerRib = async (lab: Lab): Promise<readonly RibRoute[]> => (await routerStatus(lab)).rib

/** The router's session state with the neighbour at `address` (undefined: no such neighbour now). */
export const sessionWith = async (lab: Lab, address: string): Promise<NeighborState['state'] | undefined> =>
  (await routerStatus(lab)).neighbors.find((n) => n.address === address)?.state

/** The RIB's next hops for exactly `prefix` (sorted; [] when absent). */
export const ribNexthops = async (lab: Lab, prefix: string): Promise<string[]> => [...((await routerRib(lab)).find((r) => r.prefix === prefix)?.nexthops ?? [])].sort()

/** The router kernel's next hops for exactly `prefix` (sorted; [] when no route). */
export const fibNexthops = async (lab: Lab, prefix: string): Promise<string[]> => {
  const r = await run(['ip', prefix.includes(':') ? '-6' : '-4', '-n', lab.namespace('router'), '-j', 'route', 'show', 'exact', prefix], { timeoutMs: 5_000 })
  if (r.code !== 0) throw new Error(`ip route show exact ${prefix} in the router: ${r.stderr.trim()}`)
  return fibNexthopsOf(r.stdout)
}

/** The prefix a Service IP is advertised as (no aggregation): a /32 or a /128. */
export const hostPrefix = (ip: string): string => `${ip}/${ip.includes(':') ? 128 : 32}`

interface FibWatch {
  readonly states: () => readonly FibState[]
  readonly stop: () => Promise<readonly FibState[]>
}

/** zebra may replace a route by deleting it first: a deletion counts only when no route follows within this. */
const DELETE_SETTLE_MS = 20

/**
 * The router's FIB for `prefix` (a host route) as it changes: its state now, then every kernel route
 * event for it (`ip -o monitor route` in the router's namespace, timed on arrival here), until stop or
 * `maxMs`. Event-driven: a change is timed to the event, not to a poll, and nothing spins meanwhile.
 */
export const watchFib = async (lab: Lab, prefix: string, maxMs = 120_000): Promise<FibWatch> => {
  const addr = prefix.split('/')[0] ?? prefix
  const states: FibState[] = []
  const mon = spawn('timeout', [String(Math.ceil(maxMs / 1000)), 'ip', '-n', lab.namespace('router'), '-o', 'monitor', 'route'], { stdio: ['ignore', 'pipe', 'ignore'] })
  const exited = new Promise<void>((r) => mon.once('close', () => r()))
  let pendingDelete: NodeJS.Timeout | undefined
  createInterface({ input: mon.stdout }).on('line', (line) => {
    const e = routeEventOf(line, addr)
    if (e === undefined) return
    const t = Date.now()
    clearTimeout(pendingDelete)
    if (e.deleted) pendingDelete = setTimeout(() => states.push({ t, hops: [] }), DELETE_SETTLE_MS)
    else states.push({ t, hops: e.hops })
  })
  // Subscribed first, then read: a change in between shows as an event after this state.
  await sleep(100)
  states.push({ t: Date.now(), hops: await fibNexthops(lab, prefix) })
  return {
    states: () => [...states],
    stop: async () => {
      mon.kill('SIGTERM')
      await exited
      await sleep(DELETE_SETTLE_MS + 5)
      return [...states]
    },
  }
}

/** One vtysh command to the lab's FRR router, its JSON parsed; throws for another router kind. */
const frrJson = async (lab: Lab, cmd: string): Promise<Record<string, unknown>> => {
  const r = readState(lab.stateDir)?.router
  if (r?.kind !== 'frr') throw new Error(`this lab's router is ${r?.kind ?? 'absent'}, not frr`)
  const out = await run(['vtysh', '--vty_socket', r.dir, '--config_dir', r.dir, '-c', cmd], { timeoutMs: 20_000 })
  if (out.code !== 0) throw new Error(`vtysh -c '${cmd}': ${(out.stderr + out.stdout).trim().slice(0, 300)}`)
  const text = out.stdout.trim()
  return text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {}
}

/** The next hops of bgpd's valid paths for exactly `prefix` (FRR; sorted, [] when absent): one query, quicker than the whole RIB. */
export const frrPrefixNexthops = async (lab: Lab, prefix: string): Promise<string[]> => {
  const j = await frrJson(lab, `show bgp ${prefix.includes(':') ? 'ipv6' : 'ipv4'} unicast ${prefix} json`)
  const paths = (Array.isArray(j['paths']) ? j['paths'] : []) as { valid?: boolean; nexthops?: { ip?: string; scope?: string }[] }[]
  return paths.flatMap((p) => (p.valid === true ? (p.nexthops ?? []).filter((h) => h.scope !== 'link-local').slice(0, 1).flatMap((h) => (h.ip === undefined ? [] : [h.ip])) : [])).sort()
}

/** The addresses of the neighbours whose BFD session the FRR router holds Up. */
export const frrBfdUp = async (lab: Lab): Promise<Set<string>> => {
  const r = readState(lab.stateDir)?.router
  if (r?.kind !== 'frr') throw new Error(`this lab's router is ${r?.kind ?? 'absent'}, not frr`)
  const out = await run(['vtysh', '--vty_socket', r.dir, '--config_dir', r.dir, '-c', 'show bfd peers json'], { timeoutMs: 20_000 })
  const peers = out.code === 0 && out.stdout.trim().startsWith('[') ? (JSON.parse(out.stdout) as { peer?: string; status?: string }[]) : []
  return new Set(peers.flatMap((p) => (p.status === 'up' && p.peer !== undefined ? [p.peer] : [])))
}

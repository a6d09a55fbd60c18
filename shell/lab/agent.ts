#!/usr/bin/env node
// The lab's stand-ins for what a real cluster runs besides IronLB, one process per role:
//   agent.js node <config>     on each node: kube-proxy's part (every LoadBalancer ingress IP bound on
//                              kube-ipvs0) and the Service's backend (HTTP on :80 answering the node name)
//   agent.js cluster <config>  in infra: the EndpointSlice controller's part (see desired.ts)
// Level-based: a list-then-watch cache of Services (watchCache.ts) marks the state dirty; the worker
// rebuilds from it, and a periodic resync repairs drift (an address removed by hand, a slice edited).
// Writes are batched (one `ip -batch` per sync) or a few in flight (slices, as kube-controller-
// manager's EndpointSlice workers), so 10,000 Services do not make 10,000 round trips in a row.
// Logs are JSON lines.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { addressPlan, canonicalIP, desiredSlices, MANAGED_BY, serviceIPs, slicePlan, sliceObject, slimService, type LabNode, type SlimService } from './desired.js'
import { apply, getJson, loadTarget, remove, type KubeTarget } from './kubeHttp.js'
import { IPVS_IFNAME } from './network.js'
import { errText, mustRun, sleep } from '../testbed/sys.js'
import { NS_PREFIX } from './topology.js'
import { startWatchCache, type WatchCache } from './watchCache.js'

export interface AgentConfig {
  readonly kubeconfig: string
  readonly node?: string
  readonly nodes: readonly LabNode[]
  readonly resyncMs: number
}

const log = (event: string, fields: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ ts: new Date().toISOString(), op: 'lab-agent', event, ...fields })}\n`)
}

/** A sync: `full` when the resync timer woke it (drift repair) rather than a change. */
type Sync = (full: boolean) => Promise<void>

/** Services as the agents read them; a sync before the first list has arrived does nothing. */
const servicesOf = (cache: WatchCache<SlimService>): SlimService[] | undefined => (cache.synced() ? cache.list() : undefined)

/** Runs `fn` over `items`, at most `n` at a time; the first failure is thrown once all have settled. */
const inFlight = async <T>(items: readonly T[], n: number, fn: (x: T) => Promise<void>): Promise<void> => {
  let next = 0
  const errors: unknown[] = []
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) await fn(items[i] as T).catch((e: unknown) => void errors.push(e))
  }
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker))
  if (errors.length > 0) throw errors[0]
}

// ---- node: kube-proxy's addresses, and the backend ------------------------------------------------------

const ipvsAddresses = async (): Promise<string[]> => {
  const out = JSON.parse(await mustRun(['ip', '-j', 'addr', 'show', 'dev', IPVS_IFNAME])) as { addr_info?: { local?: string }[] }[]
  return (out[0]?.addr_info ?? []).map((a) => a.local).filter((a): a is string => a !== undefined)
}

/** One `ip -batch` for a sync's changes; -force goes on past a failed line (the next sync reads the kernel again). */
const ipBatch = async (lines: readonly string[]): Promise<void> => {
  if (lines.length > 0) await mustRun(['ip', '-force', '-batch', '-'], { stdin: `${lines.join('\n')}\n` })
}

/**
 * The addresses are read from the kernel at the start, on each resync and after a failed batch, and
 * between reads known from the agent's own batches (`ip -j addr show` of thousands of addresses on
 * every sync was most of the node agents' CPU).
 */
const syncAddresses = (cache: WatchCache<SlimService>, node: string): Sync => {
  let bound: Set<string> | undefined
  return async (full) => {
    const services = servicesOf(cache)
    if (services === undefined) return
    const { ips, skipped } = serviceIPs(services)
    for (const s of skipped) log('ip-skipped', { node, reason: s._tag, ip: s.ip, service: s.service })
    if (bound === undefined || full) bound = new Set((await ipvsAddresses()).map((a) => canonicalIP(a) ?? a))
    const have = bound
    bound = undefined // until the batches below have gone through
    const plan = addressPlan(ips, [...have])
    const len = (ip: string): number => (ip.includes(':') ? 128 : 32)
    // nodad: usable at once; on a NOARP device the kernel never answers ARP or NDP for it elsewhere.
    await ipBatch(plan.add.map((ip) => `addr add ${ip}/${len(ip)} dev ${IPVS_IFNAME}${ip.includes(':') ? ' nodad' : ''}`))
    for (const ip of plan.add) log('ip-bound', { node, ip })
    await ipBatch(plan.remove.map((ip) => `addr del ${ip}/${len(ip)} dev ${IPVS_IFNAME}`))
    for (const ip of plan.remove) log('ip-unbound', { node, ip })
    const removed = new Set(plan.remove)
    bound = new Set([...have, ...plan.add].filter((ip) => !removed.has(ip)))
  }
}

const serveBackend = (node: string): Promise<() => void> =>
  new Promise((resolve, reject) => {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-lab-node': node, connection: 'close' })
      res.end(req.method === 'HEAD' ? undefined : `${node}\n`)
    })
    server.once('error', reject)
    // `::` with ipv6Only off takes IPv4 too: every address of the node, service IPs included.
    server.listen({ host: '::', port: 80, ipv6Only: false }, () => resolve(() => server.close()))
  })

// ---- cluster: EndpointSlices ----------------------------------------------------------------------------

/**
 * Slice writes in flight. kube-controller-manager runs 5 workers (--concurrent-service-endpoint-syncs),
 * but its writes take milliseconds; here, with 10,000 Services arriving on a loaded 2-core machine, one
 * apply took 409 ms on average and 5 in flight held the slices about 1,800 behind the Services
 * (BGP bench, 2026-12-03): the lab's stand-in, not IronLB, set the pace.
 */
const SLICE_WRITERS = 16

/**
 * The slices are listed at the start and on each resync, and between lists known from the agent's own
 * writes (nothing else writes lab-managed slices; a hand edit is repaired at the next resync).
 */
const syncSlices = (t: KubeTarget, cache: WatchCache<SlimService>, nodes: readonly LabNode[]): Sync => {
  let known: Map<string, unknown> | undefined
  const keyOf = (x: { readonly namespace: string; readonly name: string }): string => `${x.namespace}/${x.name}`
  return async (full) => {
    const services = servicesOf(cache)
    if (services === undefined) return
    if (known === undefined || full) {
      const selector = encodeURIComponent(`endpointslice.kubernetes.io/managed-by=${MANAGED_BY}`)
      const items = (await getJson(t, `/apis/discovery.k8s.io/v1/endpointslices?labelSelector=${selector}`, 120_000))['items']
      const metaOf = (o: unknown): { namespace: string; name: string } => {
        const m = (o as { metadata?: { namespace?: string; name?: string } } | null)?.metadata
        return { namespace: m?.namespace ?? '', name: m?.name ?? '' }
      }
      known = new Map((Array.isArray(items) ? items : []).map((o: unknown) => [keyOf(metaOf(o)), o] as const))
    }
    const have = known
    const plan = slicePlan(desiredSlices(services, nodes), [...have.values()])
    await inFlight(plan.apply, SLICE_WRITERS, async (s) => {
      const obj = sliceObject(s)
      await apply(t, `/apis/discovery.k8s.io/v1/namespaces/${s.namespace}/endpointslices/${s.name}`, obj, 'ironlb-lab')
      have.set(keyOf(s), obj)
      log('slice-applied', { service: `${s.namespace}/${s.service}`, slice: s.name, endpoints: s.endpoints.map((e) => `${e.nodeName}:${e.conditions.ready ? 'ready' : 'notready'}`) })
    })
    await inFlight(plan.remove, SLICE_WRITERS, async (r) => {
      await remove(t, `/apis/discovery.k8s.io/v1/namespaces/${r.namespace}/endpointslices/${r.name}`)
      have.delete(keyOf(r))
      log('slice-removed', { slice: `${r.namespace}/${r.name}` })
    })
  }
}

// ---- the loop ---------------------------------------------------------------------------------------------

/** A worker that syncs when dirty or every `resyncMs` (then `full`), woken by `kick`; until stop(). */
const runLoop = (sync: Sync, resyncMs: number): { readonly kick: () => void; readonly stop: () => void } => {
  let stopped = false
  let dirty = true
  let wake: (() => void) | undefined
  const kick = (): void => {
    dirty = true
    wake?.()
  }
  const nap = (ms: number): Promise<void> =>
    new Promise((r) => {
      const timer = setTimeout(done, ms)
      function done(): void {
        clearTimeout(timer)
        wake = undefined
        r()
      }
      wake = done
    })
  void (async () => {
    let backoff = 250
    while (!stopped) {
      const full = !dirty
      if (!dirty) await nap(resyncMs)
      if (stopped) break
      dirty = false
      const started = Date.now()
      try {
        await sync(full)
        backoff = 250
        // Coalesce a burst of events into one more pass: at least 100 ms, longer after a long pass.
        await sleep(Math.max(100, Math.min(2_000, Date.now() - started)))
      } catch (e) {
        log('sync-failed', { error: errText(e), retryMs: backoff })
        dirty = true
        await sleep(backoff)
        backoff = Math.min(backoff * 2, 5_000)
      }
    }
  })()
  return {
    kick,
    stop: () => {
      stopped = true
      wake?.()
    },
  }
}

/** The Services cache and the loop it kicks. */
const runAgent = (t: KubeTarget, sync: (services: WatchCache<SlimService>) => Sync, resyncMs: number): (() => void) => {
  let kick = (): void => undefined
  const services = startWatchCache(t, '/api/v1/services', slimService, () => kick())
  const loop = runLoop(sync(services), resyncMs)
  kick = loop.kick
  return () => {
    services.stop()
    loop.stop()
  }
}

const main = async (argv: readonly string[]): Promise<number> => {
  const [mode, configPath] = argv
  if ((mode !== 'node' && mode !== 'cluster') || configPath === undefined) {
    process.stderr.write('usage: agent.js node|cluster <config.json>\n')
    return 2
  }
  // The agent changes addresses with plain `ip`: it must run inside a lab namespace, never the machine's.
  const here = (await mustRun(['ip', 'netns', 'identify', String(process.pid)])).trim()
  if (!here.startsWith(NS_PREFIX)) {
    process.stderr.write(`lab-agent: refusing to run outside a lab namespace (here: "${here}"); ironlb-lab starts it inside the lab\n`)
    return 2
  }
  const cfg = JSON.parse(readFileSync(configPath, 'utf8')) as AgentConfig
  const t = loadTarget(cfg.kubeconfig)
  const stops: (() => void)[] = []
  if (mode === 'node') {
    const node = cfg.node
    if (node === undefined) throw new Error(`${configPath}: a node agent needs "node"`)
    stops.push(await serveBackend(node))
    stops.push(runAgent(t, (services) => syncAddresses(services, node), cfg.resyncMs))
    log('started', { mode, node, backendPort: 80 })
  } else {
    stops.push(runAgent(t, (services) => syncSlices(t, services, cfg.nodes), cfg.resyncMs))
    log('started', { mode, nodes: cfg.nodes.map((n) => n.name) })
  }
  return new Promise((resolve) => {
    const shutdown = (sig: string): void => {
      log('stopping', { signal: sig })
      for (const s of stops) s()
      resolve(0)
    }
    process.once('SIGTERM', () => shutdown('SIGTERM'))
    process.once('SIGINT', () => shutdown('SIGINT'))
  })
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`lab-agent: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    process.exit(1)
  },
)

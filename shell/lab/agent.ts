#!/usr/bin/env node
// The lab's stand-ins for what a real cluster runs besides IronLB, one process per role:
//   agent.js node <config>     on each node: kube-proxy's part (every LoadBalancer ingress IP bound on
//                              kube-ipvs0) and the Service's backend (HTTP on :80 answering the node name)
//   agent.js cluster <config>  in infra: the EndpointSlice controller's part (see desired.ts)
// Level-based: a watch on Services only marks the state dirty; the worker lists and rebuilds, and a
// periodic resync repairs drift (an address removed by hand, a slice edited). Logs are JSON lines.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { addressPlan, desiredSlices, MANAGED_BY, serviceIPs, slicePlan, sliceObject, slimService, type LabNode, type SlimService } from './desired.js'
import { apply, getJson, loadTarget, remove, watchOnce, type KubeTarget } from './kubeHttp.js'
import { IPVS_IFNAME } from './network.js'
import { errText, mustRun, sleep } from '../testbed/sys.js'
import { NS_PREFIX } from './topology.js'

export interface AgentConfig {
  readonly kubeconfig: string
  readonly node?: string
  readonly nodes: readonly LabNode[]
  readonly resyncMs: number
}

const log = (event: string, fields: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ ts: new Date().toISOString(), op: 'lab-agent', event, ...fields })}\n`)
}

const listServices = async (t: KubeTarget): Promise<SlimService[]> => {
  const list = await getJson(t, '/api/v1/services')
  return (Array.isArray(list['items']) ? list['items'] : []).map(slimService).filter((s): s is SlimService => s !== undefined)
}

// ---- node: kube-proxy's addresses, and the backend ------------------------------------------------------

const ipvsAddresses = async (): Promise<string[]> => {
  const out = JSON.parse(await mustRun(['ip', '-j', 'addr', 'show', 'dev', IPVS_IFNAME])) as { addr_info?: { local?: string }[] }[]
  return (out[0]?.addr_info ?? []).map((a) => a.local).filter((a): a is string => a !== undefined)
}

const syncAddresses = (t: KubeTarget, node: string) => async (): Promise<void> => {
  const { ips, skipped } = serviceIPs(await listServices(t))
  for (const s of skipped) log('ip-skipped', { node, reason: s._tag, ip: s.ip, service: s.service })
  const plan = addressPlan(ips, await ipvsAddresses())
  for (const ip of plan.add) {
    const v6 = ip.includes(':')
    // nodad: usable at once; on a NOARP device the kernel never answers ARP or NDP for it elsewhere.
    await mustRun(['ip', v6 ? '-6' : '-4', 'addr', 'add', `${ip}/${v6 ? 128 : 32}`, 'dev', IPVS_IFNAME, ...(v6 ? ['nodad'] : [])])
    log('ip-bound', { node, ip })
  }
  for (const ip of plan.remove) {
    await mustRun(['ip', 'addr', 'del', `${ip}/${ip.includes(':') ? 128 : 32}`, 'dev', IPVS_IFNAME])
    log('ip-unbound', { node, ip })
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

const syncSlices = (t: KubeTarget, nodes: readonly LabNode[]) => async (): Promise<void> => {
  const services = await listServices(t)
  const selector = encodeURIComponent(`endpointslice.kubernetes.io/managed-by=${MANAGED_BY}`)
  const existing = await getJson(t, `/apis/discovery.k8s.io/v1/endpointslices?labelSelector=${selector}`)
  const plan = slicePlan(desiredSlices(services, nodes), Array.isArray(existing['items']) ? existing['items'] : [])
  for (const s of plan.apply) {
    await apply(t, `/apis/discovery.k8s.io/v1/namespaces/${s.namespace}/endpointslices/${s.name}`, sliceObject(s), 'ironlb-lab')
    log('slice-applied', { service: `${s.namespace}/${s.service}`, slice: s.name, endpoints: s.endpoints.map((e) => `${e.nodeName}:${e.conditions.ready ? 'ready' : 'notready'}`) })
  }
  for (const r of plan.remove) {
    await remove(t, `/apis/discovery.k8s.io/v1/namespaces/${r.namespace}/endpointslices/${r.name}`)
    log('slice-removed', { slice: `${r.namespace}/${r.name}` })
  }
}

// ---- the loop ---------------------------------------------------------------------------------------------

interface Loop {
  readonly stop: () => void
}

/** A worker that syncs when dirty or every `resyncMs`, and a watch that marks dirty; both until stop(). */
const runLoop = (t: KubeTarget, sync: () => Promise<void>, resyncMs: number): Loop => {
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
      if (!dirty) await nap(resyncMs)
      if (stopped) break
      dirty = false
      try {
        await sync()
        backoff = 250
        await sleep(100) // coalesce a burst of events into one more pass
      } catch (e) {
        log('sync-failed', { error: errText(e), retryMs: backoff })
        dirty = true
        await sleep(backoff)
        backoff = Math.min(backoff * 2, 5_000)
      }
    }
  })()
  void (async () => {
    while (!stopped) {
      const started = Date.now()
      await watchOnce(t, '/api/v1/services', 60, () => kick())
      kick()
      // A watch that ends at once (API server down) is retried after a pause, not in a tight loop.
      if (Date.now() - started < 1_000) await sleep(1_000)
    }
  })()
  return {
    stop: () => {
      stopped = true
      wake?.()
    },
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
    stops.push(runLoop(t, syncAddresses(t, node), cfg.resyncMs).stop)
    log('started', { mode, node, backendPort: 80 })
  } else {
    stops.push(runLoop(t, syncSlices(t, cfg.nodes), cfg.resyncMs).stop)
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

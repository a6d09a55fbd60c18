// `make demo-cluster`: `make demo`'s Layer 2 story (shell/lab/demo.ts) on the lab cluster's kubelets
// instead of the process lab. The cluster comes up (timed, its memory printed), IronLB is installed from
// deploy/manifests/ exactly as a user applies it, a pool with an IPv4 and an IPv6 range, an
// L2Advertisement and a dual-stack Service over a probe Pod per node. For each of the Service's IPs it
// prints who announces it (the speakers' ServiceL2Status and the MAC that answers the client's ARP or
// NDP, which must agree) and who serves the client's request. Then the announcing node is lost (its cable
// pulled: the node gone from the LAN while a client asks both IPs every 20 ms): it prints how long the
// client got no answer on each IP (bar: 2 s, the Layer 2 bar of the lab) and who took over; then plugs the
// cable back and prints who announces afterwards, every request answered again on both IPs. Exits 0 only when every check held; the cluster is always
// removed. Root. `node dist/specs/support/k8s-cluster/demo.js`.
import { join } from 'node:path'
import { run, sleep } from '../../../shell/testbed/sys.js'
import { repoRoot } from '../repoRoot.js'
import { clusterUp, pollFor, type Cluster } from './lab/cluster.js'
import { clusterInputs, dualStackService, IMAGE, l2Config, PAUSE, probePods, SANDBOX_IMAGE } from './lab/clusterSpec.js'
import { startProber } from './lab/prober.js'

const NODES = 2
const FAILOVER_BAR_MS = 2_000
const ASKS = 20
const SYSTEM = ['-n', 'metallb-system']

let failures = 0
const check = (ok: boolean, what: string): boolean => {
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'}  ${what}\n`)
  if (!ok) failures++
  return ok
}
const say = (what: string): void => void process.stdout.write(`      ${what}\n`)

/** Node name by the MAC of its eth0, lower case. */
const nodeMacs = async (cluster: Cluster): Promise<Map<string, string>> => {
  const macs = new Map<string, string>()
  for (const [name, ns] of cluster.wires.nodes) macs.set(((await run(['ip', '-n', ns, '-br', 'link', 'show', 'eth0'])).stdout.split(/\s+/)[2] ?? '?').toLowerCase(), name)
  return macs
}

/** The MAC that answers the client's ARP (IPv4) or NDP (IPv6) for `ip`, the client's cached entry forgotten first. */
const answeringMac = async (cluster: Cluster, ip: string): Promise<string | undefined> => {
  await cluster.onClient(['ip', 'neigh', 'flush', 'to', ip])
  if (ip.includes(':')) {
    const r = await cluster.onClient(['ndisc6', '-m', '-n', '-r', '3', '-w', '500', ip, 'eth0'], 10_000)
    return /Target link-layer address: ([0-9A-Fa-f:]{17})/.exec(r.stdout)?.[1]?.toLowerCase()
  }
  const r = await cluster.onClient(['arping', '-c', '3', '-W', '0.5', '-w', '5', '-i', 'eth0', ip], 10_000)
  // arping (Habets'): "60 bytes from 02:...:0b (198.51.100.200): index=0 ..."
  return /bytes from ([0-9A-Fa-f:]{17}) \(/.exec(r.stdout)?.[1]?.toLowerCase()
}

/** The nodes whose speakers report announcing Service default/web (their ServiceL2Status objects, as `make demo` shows). */
const statusNodes = async (cluster: Cluster): Promise<string[]> => {
  const labels = 'metallb.io/service-name=web,metallb.io/service-namespace=default'
  const out = (await cluster.kubectl(['get', 'servicel2statuses', ...SYSTEM, '-l', labels, '-o', 'jsonpath={range .items[*]}{.metadata.labels.metallb\\.io/node}{"\\n"}{end}'])).stdout
  return out.split('\n').filter((l) => l !== '').sort()
}

/** `count` requests to `ip`, one after the other: how many were answered, and by which nodes' Pods. */
const ask = async (cluster: Cluster, ip: string, count: number): Promise<{ answered: number; who: string[] }> => {
  const who = new Set<string>()
  let answered = 0
  const url = ip.includes(':') ? `http://[${ip}]/` : `http://${ip}/`
  for (let i = 0; i < count; i++) {
    const r = await cluster.onClient(['curl', '-s', '-g', '--max-time', '3', url], 10_000)
    if (r.code === 0) {
      answered++
      who.add(r.stdout.trim())
    }
  }
  return { answered, who: [...who].sort() }
}

/**
 * Who announces each IP now, by ARP/NDP and by the speakers' own status; the node that answers, or undefined.
 * `whole`: every node is on the LAN, so every one of the client's requests must be answered.
 */
const whoAnnounces = async (cluster: Cluster, ips: readonly string[], macs: Map<string, string>, whole: boolean): Promise<string | undefined> => {
  const byStatus = await pollFor(30_000, async () => {
    const nodes = await statusNodes(cluster)
    return nodes.length > 0 ? nodes : undefined
  })
  let owner: string | undefined
  for (const ip of ips) {
    const mac = await pollFor(30_000, () => answeringMac(cluster, ip))
    const node = macs.get(mac ?? '')
    check(node !== undefined, `${ip}: ${ip.includes(':') ? 'NDP' : 'ARP'} answered by ${node ?? 'nobody'} (${mac ?? 'no answer'})`)
    check(node !== undefined && (byStatus ?? []).includes(node), `${ip}: the speakers' ServiceL2Status names ${JSON.stringify(byStatus ?? [])}, the node that answers among them`)
    const { answered, who } = await ask(cluster, ip, ASKS)
    const served = `${answered} of ${ASKS} requests answered, by the Pods on ${who.join(' and ') || 'nobody'} (kube-proxy spreads them)`
    if (whole) check(answered === ASKS, `${ip}: ${served}`)
    else say(`${ip}: ${served}`)
    owner ??= node
  }
  return owner
}

const install = async (cluster: Cluster): Promise<boolean> => {
  const { kubectl } = cluster
  const applied = Date.now()
  if (!check((await kubectl(['apply', '-f', join(repoRoot, 'deploy', 'manifests')], undefined, 120_000)).code === 0, 'kubectl apply -f deploy/manifests/')) return false
  const ready = await pollFor(240_000, async () => {
    const c = (await kubectl([...SYSTEM, 'get', 'deployment', 'controller', '-o', 'jsonpath={.status.readyReplicas}'])).stdout
    const s = (await kubectl([...SYSTEM, 'get', 'daemonset', 'speaker', '-o', 'jsonpath={.status.numberReady}'])).stdout
    return c === '2' && s === String(NODES) ? true : undefined
  })
  if (!check(ready === true, `the controller (2/2) and the speakers (${NODES}/${NODES}) Ready, ${((Date.now() - applied) / 1000).toFixed(1)} s after kubectl apply`)) return false
  check((await kubectl(['apply', '-f', '-'], probePods(NODES))).code === 0, 'a probe Pod per node, each answering its node name')
  check((await pollFor(60_000, async () => ((await kubectl(['apply', '-f', '-'], l2Config)).code === 0 ? true : undefined))) === true, 'a pool (an IPv4 and an IPv6 range on the LAN) and an L2Advertisement pass the webhook')
  check((await kubectl(['apply', '-f', '-'], dualStackService.replace('name: probe-dual', 'name: web'))).code === 0, 'a dual-stack LoadBalancer Service "web"')
  return true
}

/**
 * The announcing node's cable pulled (its port on the LAN bridge down) while the client asks both IPs every
 * 20 ms; plugged back afterwards. Not `ip link set eth0 down` inside the node: an administrative down flushes
 * the node's global IPv6 addresses (keep_addr_on_down is 0) and every route through eth0, so after the heal
 * that node announced the IPv6 address with no address or route to answer from (0 of 20 answered).
 */
const loseNode = async (cluster: Cluster, ips: readonly string[], owner: string, macs: Map<string, string>, later: (fn: () => unknown) => void): Promise<void> => {
  const ns = cluster.wires.nodes.get(owner) ?? ''
  const cable = (state: 'up' | 'down') => run(['ip', '-n', cluster.wires.lan, 'link', 'set', `p-${owner}`, state])
  const ownerMac = [...macs].find(([, n]) => n === owner)?.[0] ?? ''
  const probes = ips.map((ip) => startProber(cluster.wires.client, ip, 120, later))
  await sleep(2_000)
  const cut = Date.now()
  check((await cable('down')).code === 0, `${owner} lost: its cable pulled (its port on the LAN bridge down)`)
  later(() => cable('up'))
  const moved = await pollFor(20_000, async () => {
    const entries = await Promise.all(ips.map(async (ip) => (await cluster.onClient(['ip', 'neigh', 'show', ip])).stdout))
    return entries.every((e) => e.includes('lladdr') && !e.includes(ownerMac)) ? entries.map((e) => e.trim()) : undefined
  })
  say(`the client's neighbour entries left ${owner} ${moved === undefined ? 'never (20 s)' : `${Date.now() - cut} ms after the cut (a 500 ms poll): ${moved.join('; ')}`}`)
  await sleep(3_000)
  for (const [i, p] of probes.entries()) {
    const r = await p.stop()
    check(r.sent > 100 && r.longestOutageMs <= FAILOVER_BAR_MS, `${ips[i] ?? ''}: the client's longest run without an answer ${r.longestOutageMs} ms (bar ${FAILOVER_BAR_MS}); ${r.failed} of ${r.sent} requests failed`)
  }
  say('(requests still sent to the lost node\'s Pod fail until its endpoint is removed: kube-proxy spreads them over both Pods)')
  say('who announces now:')
  await whoAnnounces(cluster, ips, macs, false)
  check((await cable('up')).code === 0, `heal: ${owner}'s cable back`)
  await sleep(10_000)
  say(`${owner}'s eth0 after the heal: ${(await run(['ip', '-n', ns, '-br', 'address', 'show', 'eth0'])).stdout.trim()}; routes: ${(await run(['ip', '-n', ns, 'route'])).stdout.trim().split('\n').length} IPv4, ${(await run(['ip', '-n', ns, '-6', 'route'])).stdout.trim().split('\n').length} IPv6`)
  say('who announces after the heal (the election may give an IP back):')
  await whoAnnounces(cluster, ips, macs, true)
}

const demo = async (later: (fn: () => unknown) => void): Promise<void> => {
  const { k8sBins, clusterBins, skip, missing } = await clusterInputs(['ip', 'curl', 'nsenter', 'unshare', 'sh', 'mount', 'runc', 'openssl', 'nft', 'sysctl', 'arping', 'ndisc6'])
  if (!check(skip === undefined && missing === undefined, `the cluster's inputs (${skip ?? missing ?? 'all here'})`)) return
  const cluster = await clusterUp({ teardown: later }, { nodes: NODES, k8sBins, clusterBins, images: [PAUSE, IMAGE], sandboxImage: SANDBOX_IMAGE })
  say(`cluster up in ${(cluster.startupMs / 1000).toFixed(1)} s (control plane /readyz ${(cluster.infra.startupMs / 1000).toFixed(1)} s); resident MiB, idle: ${JSON.stringify(cluster.memory())}`)
  if (!(await install(cluster))) return
  const ips = await pollFor(60_000, async () => {
    const out = (await cluster.kubectl(['get', 'service', 'web', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}'])).stdout.trim().split(' ').filter((a) => a !== '')
    return out.length === 2 ? out : undefined
  })
  if (!check(ips !== undefined, `web has an IPv4 and an IPv6 address: ${JSON.stringify(ips ?? [])}`) || ips === undefined) return
  const macs = await nodeMacs(cluster)
  const owner = await whoAnnounces(cluster, ips, macs, true)
  say(`resident MiB, IronLB installed: ${JSON.stringify(cluster.memory())}`)
  if (owner === undefined) return
  await loseNode(cluster, ips, owner, macs, later)
}

const main = async (): Promise<number> => {
  const teardowns: (() => unknown)[] = []
  const cleanUp = async (): Promise<void> => {
    for (const fn of teardowns.splice(0).reverse()) await Promise.resolve(fn()).catch((e: unknown) => say(`teardown: ${String(e)}`))
  }
  process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)))
  const started = Date.now()
  try {
    await demo((fn) => teardowns.push(fn))
  } catch (e) {
    check(false, `the demo stopped: ${String(e)}`)
  } finally {
    await cleanUp()
  }
  say(`${failures === 0 ? 'every check held' : `${failures} check(s) failed`}; ${((Date.now() - started) / 1000).toFixed(0)} s in all, the cluster removed`)
  return failures === 0 ? 0 : 1
}

process.exitCode = await main()

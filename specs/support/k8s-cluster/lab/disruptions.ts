// What IronLB on the lab cluster must ride through while a client asks its Service IP every 20 ms (issue
// 11): the announcing speaker's Pod deleted, `kubectl rollout restart` of the speakers and of the
// controller, an upgrade to another image tag, and the announcing node's cable pulled. Each is a row of
// the caller's test; `ip` is the Service's IPv4 address, served before the row starts.
import { spawn } from 'node:child_process'
import type { Test } from 'tap'
import { run, sleep } from '../../../../shell/testbed/sys.js'
import { startArpProber, type ArpReport } from './arpProber.js'
import { pollFor, type Cluster } from './cluster.js'
import { NS, nodeMacs } from './installChecks.js'
import { startProber, type ProbeReport } from './prober.js'

const inSystem = (cluster: Cluster, args: readonly string[], timeoutMs?: number) => cluster.kubectl(['-n', NS, ...args], undefined, timeoutMs)

/** The client's ARP entry for `ip`, each change with its MAC (ip monitor neigh), until stopped. */
const watchNeigh = (t: Test, cluster: Cluster, ip: string): { stop: () => string[] } => {
  const neigh = spawn('ip', ['-n', cluster.wires.client, 'monitor', 'neigh'], { stdio: ['ignore', 'pipe', 'ignore'] })
  t.teardown(() => neigh.kill('SIGKILL'))
  let out = ''
  neigh.stdout.on('data', (d: Buffer) => (out += d.toString()))
  return {
    stop: () => {
      neigh.kill('SIGKILL')
      return out.split('\n').filter((l) => l.startsWith(`${ip} dev`) && l.includes('lladdr')).map((l) => /lladdr (\S+)/.exec(l)?.[1] ?? '')
    },
  }
}

/**
 * The rollout bars. Issue 11 asks for no failed request. What no Layer 2 balancer avoids: a connection open
 * at the instant the IP moves (twice in a speaker rollout: away from the restarted owner and back) reaches
 * a node that does not know it and is reset (seen once in 997 requests). Those resets are allowed, one per
 * move of the client's ARP entry; nothing else (a timeout: issue 11's failures were all timeouts). And a
 * speaker answers ARP for the IP at every moment: what the HTTP client cannot see, its neighbour entry kept
 * fresh by its own TCP traffic while the node it points to forwards, speaker or not.
 */
const rolloutBars = (t: Test, report: ProbeReport, asked: ArpReport, macs: readonly string[]): void => {
  const resets = report.errors['ECONNRESET'] ?? 0
  const entryMoves = macs.filter((m, i) => i > 0 && m !== macs[i - 1]).length
  t.comment(`client every 20 ms: ${JSON.stringify(report)}; ARP every 20 ms: ${JSON.stringify(asked)}; the client's ARP entry: ${macs.join(', ')}`)
  t.ok(report.sent > 100, `the client kept asking (${report.sent} requests)`)
  t.equal(report.failed - resets, 0, `no request failed but for resets (longest run of failures ${report.longestOutageMs} ms)`)
  t.ok(resets <= entryMoves, `${resets} reset(s), at most one per move of the client's ARP entry (${entryMoves})`)
  t.ok(asked.requests > 100, `ARP asked ${asked.requests} times`)
  t.ok(asked.longestSilenceMs < 1_000, `and answered within every second (longest silence ${asked.longestSilenceMs} ms)`)
}

/** `change` (a rollout) under the client, ARP asks and the ARP entry's watch; then the rollout bars. */
const underProbes = async (t: Test, cluster: Cluster, ip: string, change: () => Promise<void>): Promise<void> => {
  const probe = startProber(cluster.wires.client, ip, 300, (kill) => t.teardown(kill))
  const arp = startArpProber(cluster.wires.client, ip, 300, (kill) => t.teardown(kill))
  const neigh = watchNeigh(t, cluster, ip)
  await sleep(1_000)
  await change()
  rolloutBars(t, await probe.stop(), await arp.stop(), neigh.stop())
}

const speakerPods = async (cluster: Cluster, node: string): Promise<string> =>
  (await inSystem(cluster, ['get', 'pods', '-l', 'app.kubernetes.io/component=speaker', '--field-selector', `spec.nodeName=${node}`, '-o', 'name'])).stdout.trim()

const speakersReady = async (cluster: Cluster): Promise<boolean> =>
  (await inSystem(cluster, ['get', 'daemonset', 'speaker', '-o', 'jsonpath={.status.numberReady}/{.status.updatedNumberScheduled}'])).stdout === `${cluster.nodes.length}/${cluster.nodes.length}`

/** How many of 20 requests, one after the other, the IP answers. */
const answered20 = async (cluster: Cluster, ip: string): Promise<number> => {
  let ok = 0
  for (let i = 0; i < 20; i++) ok += (await cluster.onClient(['curl', '-s', '-o', '/dev/null', '--max-time', '2', `http://${ip}/`])).code === 0 ? 1 : 0
  return ok
}

/** The node whose eth0 the client's ARP entry for `ip` names. */
export const announcerOf = async (cluster: Cluster, ip: string): Promise<string | undefined> => {
  const entry = (await cluster.onClient(['ip', 'neigh', 'show', ip])).stdout.toLowerCase()
  return [...(await nodeMacs(cluster))].find(([, mac]) => entry.includes(mac))?.[0]
}

export const speakerPodDeleted = async (t: Test, cluster: Cluster, ip: string, announcer: string): Promise<void> => {
  const before = await speakerPods(cluster, announcer)
  const probe = startProber(cluster.wires.client, ip, 150, (kill) => t.teardown(kill))
  const deleted = Date.now()
  t.equal((await inSystem(cluster, ['delete', 'pod', '--wait=false', before.replace('pod/', '')])).code, 0, `${before} on ${announcer} deleted`)
  const back = await pollFor(120_000, async () => {
    const now = await speakerPods(cluster, announcer)
    return now !== '' && now !== before && (await speakersReady(cluster)) ? now : undefined
  })
  t.ok(back, `a new speaker Pod on ${announcer} is Ready (${back ?? 'none'}, ${Date.now() - deleted} ms after the delete)`)
  const report = await probe.stop()
  t.equal(await answered20(cluster, ip), 20, 'the IP answers 20 requests of 20 afterwards')
  t.comment(`client every 20 ms meanwhile: ${JSON.stringify(report)}`)
}

export const speakerRollout = (t: Test, cluster: Cluster, ip: string): Promise<void> =>
  underProbes(t, cluster, ip, async () => {
    const restarted = Date.now()
    t.equal((await inSystem(cluster, ['rollout', 'restart', 'daemonset/speaker'])).code, 0, 'rollout restart accepted')
    const status = await inSystem(cluster, ['rollout', 'status', 'daemonset/speaker', '--timeout=180s'], 200_000)
    t.equal(status.code, 0, `the rollout completes (${Date.now() - restarted} ms)`)
    await sleep(2_000)
  })

export const controllerRollout = async (t: Test, cluster: Cluster, ip: string): Promise<void> => {
  const probe = startProber(cluster.wires.client, ip, 240, (kill) => t.teardown(kill))
  await sleep(1_000)
  const restarted = Date.now()
  t.equal((await inSystem(cluster, ['rollout', 'restart', 'deployment/controller'])).code, 0, 'rollout restart accepted')
  const status = await inSystem(cluster, ['rollout', 'status', 'deployment/controller', '--timeout=180s'], 200_000)
  t.equal(status.code, 0, `the rollout completes (${Date.now() - restarted} ms)`)
  await sleep(5_000) // the new leader's first passes
  const report = await probe.stop()
  t.comment(`client every 20 ms (the speakers untouched: a control for the speaker rollout): ${JSON.stringify(report)}`)
  t.equal((await cluster.kubectl(['get', 'service', 'probe-lb', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}'])).stdout, ip, 'the Service keeps its IP')
}

/** Both workloads moved to `ref` (`kubectl set image`), the image already in every node's containerd under that name. */
export const upgradeTo = (t: Test, cluster: Cluster, ip: string, ref: string): Promise<void> =>
  underProbes(t, cluster, ip, async () => {
    const upgraded = Date.now()
    t.equal((await inSystem(cluster, ['set', 'image', 'daemonset/speaker', `speaker=${ref}`])).code, 0, 'kubectl set image daemonset/speaker')
    t.equal((await inSystem(cluster, ['set', 'image', 'deployment/controller', `controller=${ref}`])).code, 0, 'kubectl set image deployment/controller')
    for (const w of ['daemonset/speaker', 'deployment/controller']) {
      const status = await inSystem(cluster, ['rollout', 'status', w, '--timeout=240s'], 260_000)
      t.equal(status.code, 0, `${w} rolled out (${Date.now() - upgraded} ms after the first set image)`)
    }
    await sleep(5_000) // the new controller leader's first passes
    const images = (await inSystem(cluster, ['get', 'pods', '-o', 'jsonpath={range .items[*]}{.spec.containers[0].image}{"\\n"}{end}'])).stdout.trim().split('\n')
    t.same(images, Array.from({ length: cluster.nodes.length + 2 }, () => ref), `every Pod runs ${ref}`)
    t.equal((await cluster.kubectl(['get', 'service', 'probe-lb', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}'])).stdout, ip, 'the Service keeps its IP')
  })

// The lab's Layer 2 bar for one failover: the worst silence at most 2 s (README, the outages e2e).
const FAILOVER_BAR_MS = 2_000

/**
 * The announcing node lost: its cable pulled (its port on the LAN bridge down), not `ip link set eth0 down`
 * inside it, which flushes the node's global IPv6 addresses and every route through eth0 (README, `make
 * demo-cluster`): the cluster goes on after this row. Plugged back at the end, and the IP answered again.
 */
export const cablePulled = async (t: Test, cluster: Cluster, ip: string): Promise<void> => {
  const owner = await announcerOf(cluster, ip)
  if (owner === undefined) return void t.fail(`the client's entry for ${ip} names no node`)
  const mac = (await nodeMacs(cluster)).get(owner) ?? ''
  const cable = (state: 'up' | 'down') => run(['ip', '-n', cluster.wires.lan, 'link', 'set', `p-${owner}`, state])
  const probe = startProber(cluster.wires.client, ip, 60, (kill) => t.teardown(kill))
  await sleep(2_000)
  const cut = Date.now()
  t.equal((await cable('down')).code, 0, `${owner}'s cable pulled`)
  t.teardown(() => cable('up'))
  // Then the survivor answers; half the requests still go to the lost node's Pod until its endpoint goes (tens of seconds).
  const moved = await pollFor(20_000, async () => {
    const now = (await cluster.onClient(['ip', 'neigh', 'show', ip])).stdout.toLowerCase()
    return now.includes('lladdr') && !now.includes(mac) ? now.trim() : undefined
  })
  const movedMs = Date.now() - cut
  await sleep(3_000)
  const report = await probe.stop()
  t.ok(moved, `the client's entry moved off ${owner} (${moved ?? 'never'}, seen by a 500 ms poll ${movedMs} ms after the cut)`)
  t.comment(`client every 20 ms: ${JSON.stringify(report)}`)
  t.ok(report.longestOutageMs <= FAILOVER_BAR_MS, `the longest run of failed requests ${report.longestOutageMs} ms, at most ${FAILOVER_BAR_MS}`)
  t.equal((await cable('up')).code, 0, `${owner}'s cable back`)
  const healed = await pollFor(60_000, async () => ((await answered20(cluster, ip)) === 20 ? true : undefined))
  t.ok(healed, `after the heal the IP answers 20 requests of 20 (${Date.now() - cut} ms after the cut)`)
}

/**
 * The announcing node lost as issue 11 words it: its kubelet and containerd stopped, and with them its Pods
 * (LabNode.stop empties the node's cgroups, as a power loss would; a real node's containers outlive a
 * stopped kubelet, and then nothing fails over). The node does not come back: the last row of a file.
 */
export const nodeStopped = async (t: Test, cluster: Cluster, ip: string): Promise<void> => {
  const owner = await announcerOf(cluster, ip)
  const node = cluster.nodes.find((n) => n.plan.name === owner)
  if (owner === undefined || node === undefined) return void t.fail(`the client's entry for ${ip} names no node`)
  const mac = (await nodeMacs(cluster)).get(owner) ?? ''
  const probe = startProber(cluster.wires.client, ip, 60, (kill) => t.teardown(kill))
  await sleep(2_000)
  const cut = Date.now()
  await node.stop()
  t.comment(`${owner}'s kubelet, kube-proxy, containerd and Pods gone in ${Date.now() - cut} ms`)
  const moved = await pollFor(20_000, async () => {
    const now = (await cluster.onClient(['ip', 'neigh', 'show', ip])).stdout.toLowerCase()
    return now.includes('lladdr') && !now.includes(mac) ? now.trim() : undefined
  })
  const movedMs = Date.now() - cut
  await sleep(3_000)
  const report = await probe.stop()
  t.ok(moved, `the client's entry moved off ${owner} (${moved ?? 'never'}, seen by a 500 ms poll ${movedMs} ms after the stop began)`)
  t.comment(`client every 20 ms: ${JSON.stringify(report)}`)
  t.ok(report.longestOutageMs <= FAILOVER_BAR_MS, `the longest run of failed requests ${report.longestOutageMs} ms, at most ${FAILOVER_BAR_MS}`)
}

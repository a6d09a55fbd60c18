// IronLB installed the way users install it, on a real cluster (issue 11): the lab cluster
// (specs/support/k8s-cluster/lab: etcd, kube-apiserver, kube-controller-manager, kube-scheduler; two nodes
// with containerd, runc, CNI, kubelet and kube-proxy in nftables mode), our image imported into each
// node. First the cluster itself (Nodes, podCIDRs, scheduling, ClusterIPs through kube-proxy), then IronLB
// from deploy/manifests/ exactly as a user applies it: both workloads Ready, the memberlist Secret, a pool
// and an L2Advertisement through the webhook, a LoadBalancer IP that a client outside the cluster reaches
// (ARP from a speaker, then the node's kube-proxy to Pods on both nodes). Root. Not in `make test`:
// `make cluster-specs`.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import t from 'tap'
import { run, sleep } from '../../../shell/testbed/sys.js'
import { repoRoot } from '../../support/repoRoot.js'
import { clusterUp, pollFor } from '../../support/k8s-cluster/lab/cluster.js'
import { clusterInputs, IMAGE, l2Config, lbService, PAUSE, probePods, SANDBOX_IMAGE } from '../../support/k8s-cluster/lab/clusterSpec.js'
import { startArpProber } from '../../support/k8s-cluster/lab/arpProber.js'
import { startProber } from '../../support/k8s-cluster/lab/prober.js'
import { CAP, containerProcess } from '../../support/k8s-cluster/lab/containerProcess.js'

// The manifests under test; another folder (a mutated copy) to see what the spec catches.
const MANIFESTS = resolve(process.env['IRONLB_MANIFESTS'] ?? join(repoRoot, 'deploy', 'manifests'))
const NODES = 2
const { k8sBins, clusterBins, skip, missing } = await clusterInputs(['ip', 'curl', 'nsenter', 'unshare', 'sh', 'mount', 'runc', 'openssl', 'nft', 'sysctl'])
if (missing !== undefined) t.fail(missing)

const bgpPeer = `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: {name: lab-router, namespace: metallb-system}
spec: {myASN: 64512, peerASN: 64500, peerAddress: 198.51.100.1}
`

/** Every log line of the speaker Pods a node ran (current and earlier ones). */
const speakerLogs = (podLogs: string): string =>
  (existsSync(podLogs) ? readdirSync(podLogs) : [])
    .filter((d) => d.startsWith('metallb-system_speaker-'))
    .flatMap((d) => readdirSync(join(podLogs, d, 'speaker')).map((f) => readFileSync(join(podLogs, d, 'speaker', f), 'utf8')))
    .join('')

t.test('the lab cluster', { skip: skip ?? false }, async (t) => {
  const cluster = await clusterUp(t, { nodes: NODES, k8sBins, clusterBins, images: [PAUSE, IMAGE], sandboxImage: SANDBOX_IMAGE })
  const { kubectl } = cluster
  t.comment(`cluster up (namespaces, control plane, ${NODES} nodes Ready): ${cluster.startupMs} ms; control plane /readyz ${cluster.infra.startupMs} ms`)
  t.comment(`resident MiB, idle: ${JSON.stringify(cluster.memory())}`)

  const cidrs = (await kubectl(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.podCIDR} {end}'])).stdout.trim()
  t.match(cidrs, /^node1=192\.0\.2\.(0|32|64|96)\/27 node2=192\.0\.2\.(0|32|64|96)\/27$/, 'each node registered itself and got a /27 of the Pod range from the controller manager')
  const sa = await pollFor(60_000, async () => ((await kubectl(['get', 'serviceaccount', 'default'])).code === 0 ? true : undefined))
  t.ok(sa, "the controller manager made the default namespace's ServiceAccount")

  t.equal((await kubectl(['apply', '-f', '-'], probePods(NODES))).code, 0, 'a Deployment of probe Pods is accepted')
  const ready = await pollFor(120_000, async () => ((await kubectl(['get', 'deployment', 'probe', '-o', 'jsonpath={.status.readyReplicas}'])).stdout === String(NODES) ? true : undefined))
  t.ok(ready, 'the scheduler placed them, the kubelets ran them, both Ready')
  const pods = (await kubectl(['get', 'pods', '-l', 'app=probe', '-o', 'jsonpath={range .items[*]}{.spec.nodeName}={.status.podIP} {end}'])).stdout.trim().split(' ')
  t.equal(new Set(pods.map((p) => p.split('=')[0])).size, NODES, `one on each node (${pods.join(' ')})`)

  t.equal((await kubectl(['expose', 'deployment', 'probe', '--port=80', '--target-port=8080'])).code, 0, 'a ClusterIP Service for them')
  const clusterIp = (await kubectl(['get', 'service', 'probe', '-o', 'jsonpath={.spec.clusterIP}'])).stdout
  t.match(clusterIp, /^192\.0\.2\.(1[3-8]\d|19[01])$/, 'from the Service range')
  // From node1's namespace: kube-proxy's nftables DNAT, half the time to the Pod on node2 (the routes between nodes).
  const seen = new Set<string>()
  // Bounded in count and time, paced: kube-proxy may program the second endpoint a moment after the first.
  for (let i = 0, end = Date.now() + 30_000; i < 150 && seen.size < NODES && Date.now() < end; i++, await sleep(200)) {
    const r = await run(['ip', 'netns', 'exec', cluster.wires.nodes.get('node1') ?? '', 'curl', '-s', '--max-time', '3', `http://${clusterIp}/`])
    if (r.code === 0) seen.add(r.stdout.trim())
  }
  t.same([...seen].sort(), ['node1', 'node2'], 'the ClusterIP reaches the Pods on both nodes through kube-proxy')
  t.comment(`resident MiB, with ${NODES} probe Pods: ${JSON.stringify(cluster.memory())}`)

  let lbIp: string | undefined
  let announcer: string | undefined
  await t.test('kubectl apply -f deploy/manifests/, then a pool, an L2Advertisement and a LoadBalancer Service', async (t) => {
    const applied = Date.now()
    const r = await kubectl(['apply', '-f', MANIFESTS], undefined, 120_000)
    t.equal(r.code, 0, `the manifests apply (${r.stderr.trim().split('\n').at(-1) ?? ''})`)
    const inSystem = (args: readonly string[]) => kubectl(['-n', 'metallb-system', ...args])
    const controller = await pollFor(180_000, async () => ((await inSystem(['get', 'deployment', 'controller', '-o', 'jsonpath={.status.readyReplicas}'])).stdout === '2' ? true : undefined))
    t.ok(controller, 'the controller Deployment: 2 replicas Ready')
    const speakers = await pollFor(180_000, async () => ((await inSystem(['get', 'daemonset', 'speaker', '-o', 'jsonpath={.status.numberReady}'])).stdout === String(NODES) ? true : undefined))
    t.ok(speakers, `the speaker DaemonSet: ${NODES} Pods Ready, one per node`)
    t.comment(`controller and speakers Ready ${Date.now() - applied} ms after kubectl apply`)
    if (controller === undefined || speakers === undefined) return void t.comment((await inSystem(['get', 'pods', '-o', 'wide'])).stdout)
    t.equal((await inSystem(['get', 'secret', 'memberlist', '-o', 'jsonpath={.data.secretkey}'])).stdout.length > 0, true, 'the controller created the memberlist Secret')

    // The validating webhook answers from the controller's Pod: retried until the API server reaches it.
    const configured = await pollFor(60_000, async () => ((await kubectl(['apply', '-f', '-'], l2Config)).code === 0 ? true : undefined))
    t.ok(configured, 'the pool and the L2Advertisement pass the webhook')
    t.equal((await kubectl(['apply', '-f', '-'], lbService)).code, 0, 'a LoadBalancer Service for the probe Pods')
    const ip = await pollFor(60_000, async () => {
      const out = (await kubectl(['get', 'service', 'probe-lb', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])).stdout
      return out === '' ? undefined : out
    })
    t.match(ip, /^198\.51\.100\.20\d$/, 'the controller assigned an IP from the pool')
    const answers: string[] = []
    for (let i = 0, end = Date.now() + 30_000; i < 150 && new Set(answers).size < NODES && Date.now() < end; i++, await sleep(200)) {
      const r = await cluster.onClient(['curl', '-s', '--max-time', '3', `http://${ip ?? ''}/`])
      if (r.code === 0) answers.push(r.stdout.trim())
    }
    t.same([...new Set(answers)].sort(), ['node1', 'node2'], `the client reaches both Pods through the announced IP (${answers.length} answers)`)
    const mac = (await cluster.onClient(['ip', 'neigh', 'show', ip ?? ''])).stdout
    const macs = await Promise.all([...cluster.wires.nodes.values()].map(async (ns) => (await run(['ip', '-n', ns, '-br', 'link', 'show', 'eth0'])).stdout.split(/\s+/)[2] ?? '?'))
    t.ok(macs.some((m) => mac.includes(m)), `its ARP answer came from a node's eth0 (${mac.trim()})`)
    lbIp = ip
    announcer = [...cluster.wires.nodes.keys()][macs.findIndex((m) => mac.includes(m))]
    t.comment(`resident MiB, IronLB installed: ${JSON.stringify(cluster.memory())}`)
  })
  if (lbIp === undefined || announcer === undefined) return
  const ip = lbIp

  await t.test('the daemons as the kernel runs them: non-root, read-only root, seccomp, the speaker with NET_RAW only (and NET_BIND_SERVICE)', async (t) => {
    const ids = (await kubectl(['-n', 'metallb-system', 'get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.containerStatuses[0].containerID} {end}'])).stdout.trim().split(' ')
    t.equal(ids.length, NODES + 2, `${ids.length} Pods: a speaker per node and two controller replicas`)
    for (const [pod, id] of ids.map((e) => e.split('='))) {
      const p = containerProcess(id ?? '')
      if (p === undefined) {
        t.fail(`${pod ?? ''}: no process in a cgroup of ${id ?? 'no container'}`)
        continue
      }
      t.comment(`${pod ?? ''}: ${JSON.stringify(p)}`)
      const want = pod?.startsWith('speaker-') === true ? [CAP.NET_BIND_SERVICE, CAP.NET_RAW] : []
      t.same([p.uid, p.gid], [65534, 65534], `${pod ?? ''} runs as 65534:65534`)
      t.same(p.effective, want, `${pod ?? ''}: effective capabilities ${JSON.stringify(want)}`)
      t.same(p.bounding, want, `${pod ?? ''}: and no others it could gain (bounding set)`)
      t.ok(p.noNewPrivs && p.seccomp === 2 && p.readOnlyRoot, `${pod ?? ''}: no_new_privs, a seccomp filter, read-only root`)
    }
  })
  const speakerReady = async (): Promise<boolean> => (await kubectl(['-n', 'metallb-system', 'get', 'daemonset', 'speaker', '-o', 'jsonpath={.status.numberReady}/{.status.updatedNumberScheduled}'])).stdout === `${NODES}/${NODES}`
  const served = async (): Promise<number> => {
    let ok = 0
    for (let i = 0; i < 20; i++) ok += (await cluster.onClient(['curl', '-s', '-o', '/dev/null', '--max-time', '2', `http://${ip}/`])).code === 0 ? 1 : 0
    return ok
  }

  await t.test("the announcing node's speaker Pod deleted: the DaemonSet makes another, the IP stays served", async (t) => {
    const byNode = `spec.nodeName=${announcer ?? ''}`
    const before = (await kubectl(['-n', 'metallb-system', 'get', 'pods', '-l', 'app.kubernetes.io/component=speaker', '--field-selector', byNode, '-o', 'name'])).stdout.trim()
    const probe = startProber(cluster.wires.client, ip, 150, (kill) => t.teardown(kill))
    const deleted = Date.now()
    t.equal((await kubectl(['-n', 'metallb-system', 'delete', 'pod', '--wait=false', before.replace('pod/', '')])).code, 0, `${before} on ${announcer ?? ''} deleted`)
    const back = await pollFor(120_000, async () => {
      const now = (await kubectl(['-n', 'metallb-system', 'get', 'pods', '-l', 'app.kubernetes.io/component=speaker', '--field-selector', byNode, '-o', 'name'])).stdout.trim()
      return now !== '' && now !== before && (await speakerReady()) ? now : undefined
    })
    t.ok(back, `a new speaker Pod on ${announcer ?? ''} is Ready (${back ?? 'none'}, ${Date.now() - deleted} ms after the delete)`)
    const report = await probe.stop()
    t.equal(await served(), 20, 'the IP answers 20 requests of 20 afterwards')
    t.comment(`client every 20 ms meanwhile: ${JSON.stringify(report)}`)
  })

  await t.test('kubectl rollout restart daemonset/speaker while a client asks every 20 ms', async (t) => {
    const quiet = startProber(cluster.wires.client, ip, 60, (kill) => t.teardown(kill))
    await sleep(10_000)
    t.comment(`baseline, 10 s with nothing changing: ${JSON.stringify(await quiet.stop())}`)
    const probe = startProber(cluster.wires.client, ip, 240, (kill) => t.teardown(kill))
    const arp = startArpProber(cluster.wires.client, ip, 240, (kill) => t.teardown(kill))
    // Each change of the client's ARP entry for the IP (a speaker's gratuitous ARP moving it) with its time.
    const neigh = spawn('ip', ['-timestamp', '-n', cluster.wires.client, 'monitor', 'neigh'], { stdio: ['ignore', 'pipe', 'ignore'] })
    t.teardown(() => neigh.kill('SIGKILL'))
    let moves = ''
    neigh.stdout.on('data', (d: Buffer) => (moves += d.toString()))
    await sleep(1_000)
    const restarted = Date.now()
    t.equal((await kubectl(['-n', 'metallb-system', 'rollout', 'restart', 'daemonset/speaker'])).code, 0, 'rollout restart accepted')
    const status = await kubectl(['-n', 'metallb-system', 'rollout', 'status', 'daemonset/speaker', '--timeout=180s'], undefined, 200_000)
    t.equal(status.code, 0, `the rollout completes (${Date.now() - restarted} ms)`)
    await sleep(2_000)
    const report = await probe.stop()
    const asked = await arp.stop()
    neigh.kill('SIGKILL')
    const lladdrs = moves.split('\n').filter((l) => l.includes(`${ip} dev`) && l.includes('lladdr')).map((l) => `${l.split(' ')[1] ?? ''} ${/lladdr (\S+)/.exec(l)?.[1] ?? ''}`)
    t.comment(`client every 20 ms: ${JSON.stringify(report)}; its ARP entry for ${ip} meanwhile: ${lladdrs.join(', ')}`)
    t.comment(`ARP for ${ip} every 20 ms meanwhile: ${JSON.stringify(asked)}`)
    t.ok(report.sent > 100, `the client kept asking (${report.sent} requests)`)
    // Issue 11 asks for no failed request. What no Layer 2 balancer avoids: a connection open at the instant
    // the IP moves (twice in a rollout: away from the restarted owner and back) reaches a node that does
    // not know it and is reset (seen once in 997 requests). Those resets are allowed, one per move of the
    // client's ARP entry; nothing else (a timeout: issue 11's failures were all timeouts).
    const resets = report.errors['ECONNRESET'] ?? 0
    const entryMoves = lladdrs.filter((l, i) => i > 0 && l.split(' ')[1] !== lladdrs[i - 1]?.split(' ')[1]).length
    t.equal(report.failed - resets, 0, `no request failed but for resets (longest run of failures ${report.longestOutageMs} ms)`)
    t.ok(resets <= entryMoves, `${resets} reset(s), at most one per move of the client's ARP entry (${entryMoves})`)
    // A speaker answers ARP for the IP at every moment: what the HTTP client cannot see, its neighbour
    // entry kept fresh by its own TCP traffic while the node it points to forwards, speaker or not.
    t.ok(asked.requests > 100, `ARP asked ${asked.requests} times`)
    t.ok(asked.longestSilenceMs < 1_000, `and answered within every second (longest silence ${asked.longestSilenceMs} ms)`)
  })

  await t.test('kubectl rollout restart deployment/controller while a client asks every 20 ms: the IP stays', async (t) => {
    const probe = startProber(cluster.wires.client, ip, 240, (kill) => t.teardown(kill))
    await sleep(1_000)
    const restarted = Date.now()
    t.equal((await kubectl(['-n', 'metallb-system', 'rollout', 'restart', 'deployment/controller'])).code, 0, 'rollout restart accepted')
    const status = await kubectl(['-n', 'metallb-system', 'rollout', 'status', 'deployment/controller', '--timeout=180s'], undefined, 200_000)
    t.equal(status.code, 0, `the rollout completes (${Date.now() - restarted} ms)`)
    await sleep(5_000) // the new leader's first passes
    const report = await probe.stop()
    t.comment(`client every 20 ms (the speakers untouched: a control for the speaker rollout above): ${JSON.stringify(report)}`)
    t.equal((await kubectl(['get', 'service', 'probe-lb', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}'])).stdout, ip, 'the Service keeps its IP')
  })

  await t.test("a BGPPeer: each speaker listens on its node's port 179 (routers that dial in)", async (t) => {
    t.equal((await kubectl(['apply', '-f', '-'], bgpPeer)).code, 0, 'a BGPPeer passes the webhook')
    for (const [name, ns] of cluster.wires.nodes) {
      // The node's InternalIPs, IPv4 first (dual-stack): the IPv4 one.
      const nodeIp = (await kubectl(['get', 'node', name, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}'])).stdout.split(' ')[0] ?? ''
      // curl's time_connect is 0 unless the TCP handshake completed: a listener, whoever it then refuses.
      const connected = await pollFor(60_000, async () => {
        const r = await cluster.onClient(['curl', '-s', '-o', '/dev/null', '--max-time', '2', '-w', '%{time_connect}', `telnet://${nodeIp}:179`])
        return Number(r.stdout) > 0 ? true : undefined
      })
      t.ok(connected, `${name} (${nodeIp}, namespace ${ns}) accepts a connection on 179`)
      const logs = speakerLogs(cluster.nodes.find((n) => n.plan.name === name)?.podLogs ?? '')
      const failure = /bgp-listener-failed.*/.exec(logs)?.[0].slice(0, 200)
      t.equal(failure, undefined, `${name}'s speaker logged no listener failure`)
    }
  })
  await t.test("the announcing node's link cut (a node lost): another speaker takes the IP within the Layer 2 bars", async (t) => {
    const macOf = async (ns: string) => (await run(['ip', '-n', ns, '-br', 'link', 'show', 'eth0'])).stdout.split(/\s+/)[2] ?? '?'
    const entry = (await cluster.onClient(['ip', 'neigh', 'show', ip])).stdout
    const owners = await Promise.all([...cluster.wires.nodes].map(async ([name, ns]) => ({ name, ns, mac: await macOf(ns) })))
    const owner = owners.find((o) => entry.includes(o.mac))
    if (owner === undefined) return void t.fail(`the client's entry names no node (${entry.trim()})`)
    const probe = startProber(cluster.wires.client, ip, 60, (kill) => t.teardown(kill))
    await sleep(2_000)
    const cut = Date.now()
    t.equal((await run(['ip', '-n', owner.ns, 'link', 'set', 'eth0', 'down'])).code, 0, `${owner.name}'s eth0 down`)
    t.teardown(() => run(['ip', '-n', owner.ns, 'link', 'set', 'eth0', 'up']))
    // Then the survivor answers; half the requests still go to the lost node's Pod until its endpoint goes (tens of seconds).
    const moved = await pollFor(20_000, async () => {
      const now = (await cluster.onClient(['ip', 'neigh', 'show', ip])).stdout
      return now.includes('lladdr') && !now.includes(owner.mac) ? now.trim() : undefined
    })
    const movedMs = Date.now() - cut
    await sleep(3_000)
    const report = await probe.stop()
    t.ok(moved, `the client's entry moved off ${owner.name} (${moved ?? 'never'}, seen by a 500 ms poll ${movedMs} ms after the cut)`)
    t.comment(`client every 20 ms: ${JSON.stringify(report)}`)
    // The lab's Layer 2 bar for one failover: the worst silence at most 2 s (README, the outages e2e).
    t.ok(report.longestOutageMs <= 2_000, `the longest run of failed requests ${report.longestOutageMs} ms, at most 2,000`)
  })
})

// IronLB's life on a real cluster (issue 11), on one lab cluster (specs/support/k8s-cluster/lab: etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler; two nodes with containerd, runc, CNI, kubelet
// and kube-proxy in nftables mode; our image imported into each node; dual-stack). First the cluster itself
// (Nodes, podCIDRs, scheduling, ClusterIPs through kube-proxy), then IronLB installed three ways in turn:
// - `kubectl apply -f deploy/manifests/`: the daemons as the kernel runs them (non-root, read-only root,
//   seccomp, the speaker with NET_RAW only), the announcing speaker's Pod deleted, `kubectl rollout restart`
//   of the speakers and of the controller, a BGPPeer's listeners, an upgrade to another image tag, each
//   under a client every 20 ms; then `kubectl delete -f`;
// - `kubectl apply -k deploy/`: a dual-stack Service (NDP, IPv6 through kube-proxy), the announcing node's
//   cable pulled (failover within the Layer 2 bar) and plugged back; then `kubectl delete -k`;
// - `helm install` of deploy/chart over an older IronLB's unowned leftovers (adopted); then `helm uninstall`;
// - the manifests once more, and the announcing node's kubelet and containerd stopped for good (last).
// Each install reaches Ready, its speakers answer ARP for the Service's IP and the client outside the
// cluster reaches both nodes' Pods through it; what the controller creates at run time is owned by the
// install's ServiceAccount; each uninstall leaves every object the API server lists (all kinds but events)
// as it was before, and nobody answers ARP for the IP. One cluster for all (two files did it on two
// clusters before, the manifests installed in each). Root. `make cluster-specs` (helm: `make helm-bins`).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import t, { type Test } from 'tap'
import { inNs, run, sleep } from '../../../shell/testbed/sys.js'
import { repoRoot } from '../../support/repoRoot.js'
import { clusterUp, pollFor, type Cluster } from '../../support/k8s-cluster/lab/cluster.js'
import { clusterInputs, IMAGE, inventory, lbService, PAUSE, probePods, SANDBOX_IMAGE, version } from '../../support/k8s-cluster/lab/clusterSpec.js'
import { bgpListening, restrictedDaemons } from '../../support/k8s-cluster/lab/daemonChecks.js'
import { announcerOf, cablePulled, controllerRollout, nodeStopped, speakerPodDeleted, speakerRollout, upgradeTo } from '../../support/k8s-cluster/lab/disruptions.js'
import { machineTunables } from '../../support/k8s-cluster/lab/kernelTunables.js'
import { dualStackServed, installed, leftNothing, NS, OLD_LEFTOVERS, ownedByInstall, served } from '../../support/k8s-cluster/lab/installChecks.js'

const NODES = 2
// The manifests under test; another folder (a mutated copy) to see what the spec catches.
const MANIFESTS = resolve(process.env['IRONLB_MANIFESTS'] ?? join(repoRoot, 'deploy', 'manifests'))
const IMAGE_REF = `ghcr.io/ironlb/ironlb:${version}`
// The upgrade's tag: the same image under another name, which is all a rollout sees of a new release.
const UPGRADE_REF = `${IMAGE_REF}-upgrade`
const { k8sBins, clusterBins, skip, missing } = await clusterInputs(['ip', 'curl', 'nsenter', 'unshare', 'sh', 'mount', 'runc', 'openssl', 'nft', 'sysctl', 'arping', 'tcpdump', 'ndisc6'])
if (missing !== undefined) t.fail(missing)
const helmBins = process.env['IRONLB_HELM_BIN_DIR'] ?? (await run([join(repoRoot, 'specs', 'support', 'helm', 'bin-dir.sh'), '--check'])).stdout.trim()

/** The cluster without IronLB: Nodes with podCIDRs, the probe Pods scheduled one per node, a ClusterIP through kube-proxy. */
const bareCluster = async (t: Test, cluster: Cluster): Promise<void> => {
  const { kubectl } = cluster
  const cidrs = (await kubectl(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.podCIDR} {end}'])).stdout.trim()
  t.match(cidrs, /^node1=192\.0\.2\.(0|32|64|96)\/27 node2=192\.0\.2\.(0|32|64|96)\/27$/, 'each node registered itself and got a /27 of the Pod range from the controller manager')
  t.ok(await pollFor(60_000, async () => ((await kubectl(['get', 'serviceaccount', 'default'])).code === 0 ? true : undefined)), "the controller manager made the default namespace's ServiceAccount")
  t.equal((await kubectl(['apply', '-f', '-'], probePods(NODES))).code, 0, "the user's probe Pods (a Deployment)")
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
}

/** The manifests installed, every disruption but the node loss ridden through, upgraded, deleted. */
const manifestsLife = async (t: Test, cluster: Cluster, before: readonly string[]): Promise<void> => {
  const { kubectl } = cluster
  const since = Date.now()
  const r = await kubectl(['apply', '-f', MANIFESTS], undefined, 120_000)
  t.equal(r.code, 0, `kubectl apply -f deploy/manifests/ (${r.stderr.trim().split('\n').at(-1) ?? ''})`)
  if (!(await installed(t, cluster, since))) return
  const ip = await served(t, cluster)
  if (ip === undefined) return
  t.comment(`resident MiB, IronLB installed: ${JSON.stringify(cluster.memory())}`)
  await ownedByInstall(t, kubectl)
  await t.test('the daemons as the kernel runs them: non-root, read-only root, seccomp, the speaker with NET_RAW only (and NET_BIND_SERVICE)', (t) => restrictedDaemons(t, cluster))
  const announcer = await announcerOf(cluster, ip)
  await t.test("the announcing node's speaker Pod deleted: the DaemonSet makes another, the IP stays served", (t) => speakerPodDeleted(t, cluster, ip, announcer ?? 'node1'))
  await t.test('kubectl rollout restart daemonset/speaker while a client asks every 20 ms', (t) => speakerRollout(t, cluster, ip))
  await t.test('kubectl rollout restart deployment/controller while a client asks every 20 ms: the IP stays', (t) => controllerRollout(t, cluster, ip))
  await t.test("a BGPPeer: each speaker listens on its node's port 179 (routers that dial in)", (t) => bgpListening(t, cluster))
  for (const node of cluster.nodes) t.equal((await node.containerd.ctr(['images', 'tag', IMAGE_REF, UPGRADE_REF])).code, 0, `${node.plan.name}: ${UPGRADE_REF} tags the same image`)
  await t.test(`an upgrade to ${UPGRADE_REF} while a client asks every 20 ms`, (t) => upgradeTo(t, cluster, ip, UPGRADE_REF))
  const deleting = Date.now()
  const deleted = await kubectl(['delete', '-f', MANIFESTS, '--timeout=180s'], undefined, 200_000)
  t.equal(deleted.code, 0, `kubectl delete -f deploy/manifests/ (${deleted.stderr.trim().split('\n').at(-1) ?? ''})`)
  await leftNothing(t, cluster, before, ip, deleting)
}

const kustomizeLife = async (t: Test, cluster: Cluster, before: readonly string[]): Promise<void> => {
  const { kubectl } = cluster
  const since = Date.now()
  t.equal((await kubectl(['apply', '-k', join(repoRoot, 'deploy')], undefined, 120_000)).code, 0, 'kubectl apply -k deploy/')
  if (!(await installed(t, cluster, since))) return
  const ip = await served(t, cluster)
  if (ip === undefined) return
  await ownedByInstall(t, kubectl)
  await dualStackServed(t, cluster)
  await t.test("the announcing node's cable pulled (a node lost): another speaker takes the IP within the Layer 2 bar", (t) => cablePulled(t, cluster, ip))
  const deleting = Date.now()
  t.equal((await kubectl(['delete', '-k', join(repoRoot, 'deploy'), '--timeout=180s'], undefined, 200_000)).code, 0, 'kubectl delete -k deploy/')
  await leftNothing(t, cluster, before, ip, deleting)
}

const helmLife = async (t: Test, cluster: Cluster): Promise<void> => {
  const { kubectl } = cluster
  const home = mkdtempSync(join(tmpdir(), 'ironlb-helm-'))
  t.teardown(() => rmSync(home, { recursive: true, force: true }))
  const env = { ...process.env, HELM_CACHE_HOME: join(home, 'cache'), HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data') }
  const helm = (args: readonly string[]) => run(inNs(cluster.wires.infra, [join(helmBins, 'helm'), `--kubeconfig=${cluster.infra.admin}`, ...args]), { env, timeoutMs: 180_000 })
  // The chart leaves the release namespace to the user (NOTES.txt): made and labelled as the manifests do.
  t.equal((await kubectl(['apply', '-f', join(repoRoot, 'deploy', 'manifests', '00-namespace.yaml')])).code, 0, 'the user makes the namespace')
  const userNs = await inventory(kubectl)
  // An IronLB from before owner references left its run-time objects here, unowned: the controller
  // adopts them at start (core/controller/adoption.ts), else helm uninstall leaves them (not in userNs).
  // create, not apply: apply's last-applied annotation is an installer's mark, which the controller leaves.
  t.equal((await kubectl(['create', '-f', '-'], OLD_LEFTOVERS)).code, 0, "an older IronLB's Lease and Secrets, without owners")
  const since = Date.now()
  const r = await helm(['install', 'ironlb', join(repoRoot, 'deploy', 'chart'), '--namespace', NS])
  t.equal(r.code, 0, `helm install (${r.stderr.trim().split('\n').at(-1) ?? ''})`)
  if (!(await installed(t, cluster, since))) return
  const ip = await served(t, cluster)
  if (ip === undefined) return
  await ownedByInstall(t, kubectl)
  const deleting = Date.now()
  const u = await helm(['uninstall', 'ironlb', '--namespace', NS, '--wait', '--timeout=180s'])
  t.equal(u.code, 0, `helm uninstall (${u.stderr.trim().split('\n').at(-1) ?? ''})`)
  // The namespace stays (the user's): the run-time objects must go with their owner, the ServiceAccount.
  await leftNothing(t, cluster, userNs, ip, deleting)
}

/** Installed once more, then the announcing node's kubelet and containerd stopped for good (nothing runs after it). */
const nodeLostForGood = async (t: Test, cluster: Cluster): Promise<void> => {
  const since = Date.now()
  t.equal((await cluster.kubectl(['apply', '-f', MANIFESTS], undefined, 120_000)).code, 0, 'kubectl apply -f deploy/manifests/')
  if (!(await installed(t, cluster, since))) return
  const ip = await served(t, cluster)
  if (ip === undefined) return
  await t.test("the announcing node's kubelet and containerd stopped (a node lost): another speaker takes the IP within the Layer 2 bar", (t) => nodeStopped(t, cluster, ip))
}

t.test('IronLB on the lab cluster: installed three ways, disrupted, upgraded, uninstalled', { skip: skip ?? false }, async (t) => {
  const tunables = machineTunables()
  const cluster = await clusterUp(t, { nodes: NODES, k8sBins, clusterBins, images: [PAUSE, IMAGE], sandboxImage: SANDBOX_IMAGE })
  const { kubectl } = cluster
  t.comment(`cluster up (namespaces, control plane, ${NODES} nodes Ready): ${cluster.startupMs} ms; control plane /readyz ${cluster.infra.startupMs} ms`)
  t.same(machineTunables(), tunables, `the machine's kernel tunables as they were, the kubelets running (${JSON.stringify(tunables)})`)
  t.comment(`resident MiB, idle: ${JSON.stringify(cluster.memory())}`)
  await t.test('the cluster: Nodes, scheduling, kube-proxy', (t) => bareCluster(t, cluster))
  t.comment(`resident MiB, with ${NODES} probe Pods: ${JSON.stringify(cluster.memory())}`)
  // The user's Service exists first, pending: what stays after each uninstall (with the IP in its status).
  t.equal((await kubectl(['apply', '-f', '-'], lbService)).code, 0, "the user's LoadBalancer Service")
  // The kubelets' own Leases come a moment after their Nodes are Ready: the baseline waits for them (one run
  // took its inventory 12 s after the cluster was up, without them, and every uninstall then 'added' them).
  const leases = await pollFor(60_000, async () => ((await kubectl(['get', 'leases', '-n', 'kube-node-lease', '-o', 'name'])).stdout.trim().split('\n').filter((l) => l !== '').length === NODES ? true : undefined))
  t.ok(leases, "each node's Lease exists")
  const listed = Date.now()
  const before = await inventory(kubectl)
  t.comment(`${before.length} objects listed before any install (${Date.now() - listed} ms)`)
  await t.test('kubectl apply -f deploy/manifests/, restarts and an upgrade under a client, kubectl delete -f', (t) => manifestsLife(t, cluster, before))
  await t.test('kubectl apply -k deploy/, a node lost, kubectl delete -k deploy/', (t) => kustomizeLife(t, cluster, before))
  await t.test('helm install deploy/chart, helm uninstall', { skip: helmBins === '' ? 'run make helm-bins' : false }, (t) => helmLife(t, cluster))
  await t.test('kubectl apply -f deploy/manifests/ again, then a node lost for good', (t) => nodeLostForGood(t, cluster))
})

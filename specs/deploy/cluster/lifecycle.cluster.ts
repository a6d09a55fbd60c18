// IronLB's life on a real cluster (issue 11): installed three ways, upgraded, uninstalled. On the lab
// cluster (specs/support/k8s-cluster/lab), one after the other: `kubectl apply -f deploy/manifests/`, then
// an upgrade to another image tag while a client asks the Service every 20 ms (no failed request, the IP
// stays), then `kubectl delete -f deploy/manifests/`; `kubectl apply -k deploy/` and `kubectl delete -k`;
// `helm install` of deploy/chart and `helm uninstall`. The cluster is dual-stack: with the kustomize install,
// a dual-stack Service's IPv6 address is answered by NDP and reached through kube-proxy. Each install reaches Ready and its speakers answer
// ARP for the Service's IP, and what the controller creates at run time (its Lease, the memberlist and
// webhook certificate Secrets) is owned by the install's ServiceAccount, those an older IronLB left unowned
// before the Helm install adopted; each uninstall leaves every object
// the API server lists (all kinds, namespaced and cluster-scoped, but events) as it was before the install,
// and nobody answers ARP for the IP.
// Root. Not in `make test`: `make cluster-specs` (with `make helm-bins` for the chart).
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { inNs, run, sleep } from '../../../shell/testbed/sys.js'
import { repoRoot } from '../../support/repoRoot.js'
import { startArpProber } from '../../support/k8s-cluster/lab/arpProber.js'
import { clusterUp, pollFor, type Cluster } from '../../support/k8s-cluster/lab/cluster.js'
import { clusterInputs, dualStackService, IMAGE, inventory, inventoryDiff, l2Config, lbService, PAUSE, probePods, SANDBOX_IMAGE, version } from '../../support/k8s-cluster/lab/clusterSpec.js'
import { startProber } from '../../support/k8s-cluster/lab/prober.js'

const NODES = 2
const NS = 'metallb-system'
const IMAGE_REF = `ghcr.io/ironlb/ironlb:${version}`
// The upgrade's tag: the same image under another name, which is all a rollout sees of a new release.
const UPGRADE_REF = `${IMAGE_REF}-upgrade`
const { k8sBins, clusterBins, skip, missing } = await clusterInputs(['ip', 'curl', 'nsenter', 'unshare', 'sh', 'mount', 'runc', 'openssl', 'nft', 'sysctl', 'arping', 'tcpdump', 'ndisc6'])
if (missing !== undefined) t.fail(missing)
const helmBins = process.env['IRONLB_HELM_BIN_DIR'] ?? (await run([join(repoRoot, 'specs', 'support', 'helm', 'bin-dir.sh'), '--check'])).stdout.trim()

/** Both workloads Ready (2 controller replicas, a speaker per node) and the pool through the webhook. */
const installed = async (t: Test, kubectl: Cluster['kubectl'], since: number): Promise<boolean> => {
  const system = (args: readonly string[]) => kubectl(['-n', NS, ...args])
  const controller = await pollFor(180_000, async () => ((await system(['get', 'deployment', 'controller', '-o', 'jsonpath={.status.readyReplicas}'])).stdout === '2' ? true : undefined))
  const speakers = await pollFor(180_000, async () => ((await system(['get', 'daemonset', 'speaker', '-o', 'jsonpath={.status.numberReady}'])).stdout === String(NODES) ? true : undefined))
  t.ok(controller && speakers, `the controller (2/2) and the speakers (${NODES}/${NODES}) Ready, ${Date.now() - since} ms after the install`)
  if (controller === undefined || speakers === undefined) {
    t.comment((await system(['get', 'pods', '-o', 'wide'])).stdout)
    return false
  }
  // The webhook answers from the controller's Pod: retried until the API server reaches it.
  const configured = await pollFor(60_000, async () => ((await kubectl(['apply', '-f', '-'], l2Config)).code === 0 ? true : undefined))
  t.ok(configured, 'the pool and the L2Advertisement pass the webhook')
  return configured === true
}

/** Whether some node answers ARP for `ip` (three asks, 5 s at most); the client's cached entry forgotten first. */
const arpAnswered = async (cluster: Cluster, ip: string): Promise<boolean> => {
  await cluster.onClient(['ip', 'neigh', 'flush', 'to', ip])
  return (await cluster.onClient(['arping', '-c', '3', '-W', '0.5', '-w', '5', '-i', 'eth0', ip], 15_000)).code === 0
}

/** The Service's IP, once assigned, announced (ARP) and served by both nodes' Pods. */
const served = async (t: Test, cluster: Cluster): Promise<string | undefined> => {
  const ip = await pollFor(60_000, async () => {
    const out = (await cluster.kubectl(['get', 'service', 'probe-lb', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])).stdout
    return out === '' ? undefined : out
  })
  t.match(ip, /^198\.51\.100\.20\d$/, `the Service has an IP from the pool (${ip ?? 'none'})`)
  if (ip === undefined) return undefined
  t.ok(await pollFor(60_000, async () => ((await arpAnswered(cluster, ip)) ? true : undefined)), `a speaker answers ARP for ${ip}`)
  const answers = new Set<string>()
  for (let i = 0, end = Date.now() + 30_000; i < 150 && answers.size < NODES && Date.now() < end; i++, await sleep(200)) {
    const r = await cluster.onClient(['curl', '-s', '--max-time', '3', `http://${ip}/`])
    if (r.code === 0) answers.add(r.stdout.trim())
  }
  t.same([...answers].sort(), ['node1', 'node2'], 'the client reaches both nodes\' Pods through it')
  return ip
}

/**
 * IPv6 on the cluster: a RequireDualStack Service gets an IPv4 and an IPv6 address from the pool, a node's
 * eth0 answers the client's NDP for the IPv6 one, and the client reaches both nodes' Pods over IPv6
 * through kube-proxy. The Service is deleted afterwards (the uninstall's inventory counts the user's one).
 */
const dualStackServed = async (t: Test, cluster: Cluster): Promise<void> => {
  const { kubectl } = cluster
  t.equal((await kubectl(['apply', '-f', '-'], dualStackService)).code, 0, 'a RequireDualStack Service for the probe Pods')
  const ips = await pollFor(60_000, async () => {
    const out = (await kubectl(['get', 'service', 'probe-dual', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}'])).stdout.trim().split(' ').filter((a) => a !== '')
    return out.length === 2 ? out : undefined
  })
  const v6 = ips?.find((a) => a.includes(':'))
  t.match(ips?.find((a) => !a.includes(':')), /^198\.51\.100\.20\d$/, `an IPv4 address from the pool (${JSON.stringify(ips)})`)
  t.match(v6, /^2001:db8:100::20\d$/, 'and an IPv6 address from the pool')
  if (v6 !== undefined) {
    const macs = await Promise.all([...cluster.wires.nodes.values()].map(async (ns) => ((await run(['ip', '-n', ns, '-br', 'link', 'show', 'eth0'])).stdout.split(/\s+/)[2] ?? '?').toLowerCase()))
    // ndisc6 sends Neighbor Solicitations and prints the advertised link-layer address: a speaker's answer.
    const na = await pollFor(60_000, async () => {
      const r = await cluster.onClient(['ndisc6', '-m', '-n', '-r', '3', '-w', '500', v6, 'eth0'], 10_000)
      return /Target link-layer address: ([0-9A-Fa-f:]{17})/.exec(r.stdout)?.[1]?.toLowerCase()
    })
    t.ok(na !== undefined && macs.includes(na), `a node's eth0 answers NDP for ${v6} (${na ?? 'no answer'})`)
    const answers: string[] = []
    for (let i = 0, end = Date.now() + 30_000; i < 150 && new Set(answers).size < NODES && Date.now() < end; i++, await sleep(200)) {
      const r = await cluster.onClient(['curl', '-s', '-g', '--max-time', '3', `http://[${v6}]/`])
      if (r.code === 0) answers.push(r.stdout.trim())
    }
    t.same([...new Set(answers)].sort(), ['node1', 'node2'], `the client reaches both nodes' Pods over IPv6 through kube-proxy (${answers.length} answers)`)
  }
  t.equal((await kubectl(['delete', 'service', 'probe-dual'])).code, 0, 'the dual-stack Service deleted')
}

/** After an uninstall: every listed object as in `before` (polled: the namespace goes in the background), and no ARP answer. */
const leftNothing = async (t: Test, cluster: Cluster, before: readonly string[], ip: string, since: number): Promise<void> => {
  let last = { added: ['(not listed yet)'], removed: [] as string[] }
  const settled = await pollFor(180_000, async () => {
    last = inventoryDiff(before, await inventory(cluster.kubectl))
    return last.added.length === 0 && last.removed.length === 0 ? true : undefined
  })
  t.ok(settled, `the objects listed settled (${Date.now() - since} ms after the uninstall began)`)
  t.same(last, { added: [], removed: [] }, 'every object the API server lists is as before the install: nothing added, nothing of the user\'s removed')
  t.notOk(await arpAnswered(cluster, ip), `nobody answers ARP for ${ip} any more`)
}

// What the controller creates at run time, in the install's namespace. Helm deletes what it templated and
// leaves the namespace (the user's): these go only because they are owned by the controller's
// ServiceAccount, which the garbage collector (kube-controller-manager's) follows.
const RUNTIME_OBJECTS = ['lease/ironlb-controller', 'secret/memberlist', 'secret/metallb-webhook-cert']

// As an IronLB before 04de792 made them: no owner references. The certificate's content does not matter
// (the controller replaces certificates it cannot read, keeping the object); its shape does.
const dummy = Buffer.from('left by an older IronLB').toString('base64')
const OLD_LEFTOVERS = `apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: ironlb-controller, namespace: ${NS}}
spec: {holderIdentity: controller-gone, leaseDurationSeconds: 15, renewTime: '2026-01-01T00:00:00.000000Z'}
---
apiVersion: v1
kind: Secret
metadata: {name: memberlist, namespace: ${NS}, labels: {app.kubernetes.io/name: ironlb}}
type: Opaque
data: {secretkey: ${Buffer.from('k'.repeat(128)).toString('base64')}}
---
apiVersion: v1
kind: Secret
metadata: {name: metallb-webhook-cert, namespace: ${NS}, labels: {app.kubernetes.io/name: ironlb}}
type: kubernetes.io/tls
data: {ca.crt: ${dummy}, ca.key: ${dummy}, tls.crt: ${dummy}, tls.key: ${dummy}}
`

/** Each run-time object carries an owner reference to the ServiceAccount the install made (by its uid). */
const ownedByInstall = async (t: Test, kubectl: Cluster['kubectl']): Promise<void> => {
  const uid = (await kubectl(['-n', NS, 'get', 'serviceaccount', 'controller', '-o', 'jsonpath={.metadata.uid}'])).stdout
  for (const o of RUNTIME_OBJECTS) {
    const refs = (await kubectl(['-n', NS, 'get', o, '-o', 'jsonpath={range .metadata.ownerReferences[*]}{.kind}/{.name}/{.uid} {end}'])).stdout.trim()
    t.equal(refs, `ServiceAccount/controller/${uid}`, `${o} is owned by ServiceAccount controller (${uid})`)
  }
}

t.test('install, upgrade and uninstall on the lab cluster: manifests, kustomize, Helm', { skip: skip ?? false }, async (t) => {
  const cluster = await clusterUp(t, { nodes: NODES, k8sBins, clusterBins, images: [PAUSE, IMAGE], sandboxImage: SANDBOX_IMAGE })
  const { kubectl } = cluster
  t.comment(`cluster up: ${cluster.startupMs} ms`)
  t.equal((await kubectl(['apply', '-f', '-'], probePods(NODES))).code, 0, 'the user\'s probe Pods')
  t.ok(await pollFor(120_000, async () => ((await kubectl(['get', 'deployment', 'probe', '-o', 'jsonpath={.status.readyReplicas}'])).stdout === String(NODES) ? true : undefined)), 'Ready')
  // The user's Service exists first, pending: what stays after each uninstall (with the IP in its status).
  t.equal((await kubectl(['apply', '-f', '-'], lbService)).code, 0, 'the user\'s LoadBalancer Service')
  // The kubelets' own Leases come a moment after their Nodes are Ready: the baseline waits for them (one run
  // took its inventory 12 s after the cluster was up, without them, and every uninstall then 'added' them).
  const leases = await pollFor(60_000, async () => ((await kubectl(['get', 'leases', '-n', 'kube-node-lease', '-o', 'name'])).stdout.trim().split('\n').filter((l) => l !== '').length === NODES ? true : undefined))
  t.ok(leases, 'each node\'s Lease exists')
  const before = await inventory(kubectl)
  t.comment(`${before.length} objects listed before any install`)
  const manifests = join(repoRoot, 'deploy', 'manifests')

  await t.test('kubectl apply -f deploy/manifests/, an upgrade to another tag under load, kubectl delete -f', async (t) => {
    const since = Date.now()
    t.equal((await kubectl(['apply', '-f', manifests], undefined, 120_000)).code, 0, 'kubectl apply -f deploy/manifests/')
    if (!(await installed(t, kubectl, since))) return
    const ip = await served(t, cluster)
    if (ip === undefined) return
    await ownedByInstall(t, kubectl)
    for (const node of cluster.nodes) t.equal((await node.containerd.ctr(['images', 'tag', IMAGE_REF, UPGRADE_REF])).code, 0, `${node.plan.name}: ${UPGRADE_REF} tags the same image`)
    const probe = startProber(cluster.wires.client, ip, 300, (kill) => t.teardown(kill))
    const arp = startArpProber(cluster.wires.client, ip, 300, (kill) => t.teardown(kill))
    const neigh = spawn('ip', ['-n', cluster.wires.client, 'monitor', 'neigh'], { stdio: ['ignore', 'pipe', 'ignore'] })
    t.teardown(() => neigh.kill('SIGKILL'))
    let moves = ''
    neigh.stdout.on('data', (d: Buffer) => (moves += d.toString()))
    await sleep(1_000)
    const upgraded = Date.now()
    t.equal((await kubectl(['-n', NS, 'set', 'image', 'daemonset/speaker', `speaker=${UPGRADE_REF}`])).code, 0, 'kubectl set image daemonset/speaker')
    t.equal((await kubectl(['-n', NS, 'set', 'image', 'deployment/controller', `controller=${UPGRADE_REF}`])).code, 0, 'kubectl set image deployment/controller')
    for (const w of ['daemonset/speaker', 'deployment/controller']) {
      const status = await kubectl(['-n', NS, 'rollout', 'status', w, '--timeout=240s'], undefined, 260_000)
      t.equal(status.code, 0, `${w} rolled out (${Date.now() - upgraded} ms after the first set image)`)
    }
    await sleep(5_000) // the new controller leader's first passes
    const report = await probe.stop()
    const asked = await arp.stop()
    neigh.kill('SIGKILL')
    const macs = moves.split('\n').filter((l) => l.startsWith(`${ip} dev`) && l.includes('lladdr')).map((l) => /lladdr (\S+)/.exec(l)?.[1] ?? '')
    const entryMoves = macs.filter((m, i) => i > 0 && m !== macs[i - 1]).length
    t.comment(`client every 20 ms: ${JSON.stringify(report)}; ARP every 20 ms: ${JSON.stringify(asked)}; ARP entry moves ${entryMoves}`)
    const images = (await kubectl(['-n', NS, 'get', 'pods', '-o', 'jsonpath={range .items[*]}{.spec.containers[0].image}{"\\n"}{end}'])).stdout.trim().split('\n')
    t.same(images, Array.from({ length: NODES + 2 }, () => UPGRADE_REF), `every Pod runs ${UPGRADE_REF}`)
    t.equal((await kubectl(['get', 'service', 'probe-lb', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}'])).stdout, ip, 'the Service keeps its IP')
    // The speaker rollout's bars (install.cluster.ts): no failure but a reset per move of the client's ARP entry.
    const resets = report.errors['ECONNRESET'] ?? 0
    t.ok(report.sent > 100, `the client kept asking (${report.sent} requests)`)
    t.equal(report.failed - resets, 0, `no request failed but for resets (longest run of failures ${report.longestOutageMs} ms)`)
    t.ok(resets <= entryMoves, `${resets} reset(s), at most one per move of the client's ARP entry (${entryMoves})`)
    t.ok(asked.longestSilenceMs < 1_000, `ARP for the IP answered within every second (longest silence ${asked.longestSilenceMs} ms)`)

    const deleting = Date.now()
    const deleted = await kubectl(['delete', '-f', manifests, '--timeout=180s'], undefined, 200_000)
    t.equal(deleted.code, 0, `kubectl delete -f deploy/manifests/ (${deleted.stderr.trim().split('\n').at(-1) ?? ''})`)
    await leftNothing(t, cluster, before, ip, deleting)
  })

  await t.test('kubectl apply -k deploy/, kubectl delete -k deploy/', async (t) => {
    const since = Date.now()
    t.equal((await kubectl(['apply', '-k', join(repoRoot, 'deploy')], undefined, 120_000)).code, 0, 'kubectl apply -k deploy/')
    if (!(await installed(t, kubectl, since))) return
    const ip = await served(t, cluster)
    if (ip === undefined) return
    await ownedByInstall(t, kubectl)
    await dualStackServed(t, cluster)
    const deleting = Date.now()
    t.equal((await kubectl(['delete', '-k', join(repoRoot, 'deploy'), '--timeout=180s'], undefined, 200_000)).code, 0, 'kubectl delete -k deploy/')
    await leftNothing(t, cluster, before, ip, deleting)
  })

  await t.test('helm install deploy/chart, helm uninstall', { skip: helmBins === '' ? 'run make helm-bins' : false }, async (t) => {
    const home = mkdtempSync(join(tmpdir(), 'ironlb-helm-'))
    t.teardown(() => rmSync(home, { recursive: true, force: true }))
    const env = { ...process.env, HELM_CACHE_HOME: join(home, 'cache'), HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data') }
    const helm = (args: readonly string[]) => run(inNs(cluster.wires.infra, [join(helmBins, 'helm'), `--kubeconfig=${cluster.infra.admin}`, ...args]), { env, timeoutMs: 180_000 })
    // The chart leaves the release namespace to the user (NOTES.txt): made and labelled as the manifests do.
    t.equal((await kubectl(['apply', '-f', join(manifests, '00-namespace.yaml')])).code, 0, 'the user makes the namespace')
    const userNs = await inventory(kubectl)
    // An IronLB from before owner references left its run-time objects here, unowned: the controller
    // adopts them at start (core/controller/adoption.ts), else helm uninstall leaves them (not in userNs).
    // create, not apply: apply's last-applied annotation is an installer's mark, which the controller leaves.
    t.equal((await kubectl(['create', '-f', '-'], OLD_LEFTOVERS)).code, 0, 'an older IronLB\'s Lease and Secrets, without owners')
    const since = Date.now()
    const r = await helm(['install', 'ironlb', join(repoRoot, 'deploy', 'chart'), '--namespace', NS])
    t.equal(r.code, 0, `helm install (${r.stderr.trim().split('\n').at(-1) ?? ''})`)
    if (!(await installed(t, kubectl, since))) return
    const ip = await served(t, cluster)
    if (ip === undefined) return
    await ownedByInstall(t, kubectl)
    const deleting = Date.now()
    const u = await helm(['uninstall', 'ironlb', '--namespace', NS, '--wait', '--timeout=180s'])
    t.equal(u.code, 0, `helm uninstall (${u.stderr.trim().split('\n').at(-1) ?? ''})`)
    // The namespace stays (the user's): the run-time objects must go with their owner, the ServiceAccount.
    await leftNothing(t, cluster, userNs, ip, deleting)
  })
})

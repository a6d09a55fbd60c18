// What every install of IronLB on the lab cluster must show, and every uninstall leave (issue 11): both
// workloads Ready and the pool through the webhook; the Service's IP assigned, answered by ARP (and NDP
// for a dual-stack one) and reaching both nodes' Pods through kube-proxy; the controller's run-time
// objects owned by the install's ServiceAccount; after the uninstall, every object the API server lists
// as it was before, and nobody answering ARP for the IP.
import type { Test } from 'tap'
import { run, sleep } from '../../../../shell/testbed/sys.js'
import { pollFor, type Cluster } from './cluster.js'
import { dualStackService, inventory, inventoryDiff, l2Config } from './clusterSpec.js'

export const NS = 'metallb-system'

/** Both workloads Ready (2 controller replicas, a speaker per node) and the pool through the webhook. */
export const installed = async (t: Test, cluster: Cluster, since: number): Promise<boolean> => {
  const nodes = cluster.nodes.length
  const system = (args: readonly string[]) => cluster.kubectl(['-n', NS, ...args])
  const controller = await pollFor(180_000, async () => ((await system(['get', 'deployment', 'controller', '-o', 'jsonpath={.status.readyReplicas}'])).stdout === '2' ? true : undefined))
  const speakers = await pollFor(180_000, async () => ((await system(['get', 'daemonset', 'speaker', '-o', 'jsonpath={.status.numberReady}'])).stdout === String(nodes) ? true : undefined))
  t.ok(controller && speakers, `the controller (2/2) and the speakers (${nodes}/${nodes}) Ready, ${Date.now() - since} ms after the install`)
  if (controller === undefined || speakers === undefined) {
    t.comment((await system(['get', 'pods', '-o', 'wide'])).stdout)
    return false
  }
  t.ok((await system(['get', 'secret', 'memberlist', '-o', 'jsonpath={.data.secretkey}'])).stdout.length > 0, 'the controller created the memberlist Secret')
  // The webhook answers from the controller's Pod: retried until the API server reaches it.
  const configured = await pollFor(60_000, async () => ((await cluster.kubectl(['apply', '-f', '-'], l2Config)).code === 0 ? true : undefined))
  t.ok(configured, 'the pool and the L2Advertisement pass the webhook')
  return configured === true
}

/** Whether some node answers ARP for `ip` (three asks, 5 s at most); the client's cached entry forgotten first. */
const arpAnswered = async (cluster: Cluster, ip: string): Promise<boolean> => {
  await cluster.onClient(['ip', 'neigh', 'flush', 'to', ip])
  return (await cluster.onClient(['arping', '-c', '3', '-W', '0.5', '-w', '5', '-i', 'eth0', ip], 15_000)).code === 0
}

/** What answers `url` from the client, asked every 200 ms until every node's Pod has (30 s, 150 asks at most). */
export const answering = async (cluster: Cluster, url: string): Promise<{ nodes: string[]; answers: number }> => {
  const answers: string[] = []
  for (let i = 0, end = Date.now() + 30_000; i < 150 && new Set(answers).size < cluster.nodes.length && Date.now() < end; i++, await sleep(200)) {
    const r = await cluster.onClient(['curl', '-s', '-g', '--max-time', '3', url])
    if (r.code === 0) answers.push(r.stdout.trim())
  }
  return { nodes: [...new Set(answers)].sort(), answers: answers.length }
}

const allNodes = (cluster: Cluster): string[] => cluster.nodes.map((n) => n.plan.name).sort()

/** The Service's IP, once assigned, announced (ARP) and served by both nodes' Pods. */
export const served = async (t: Test, cluster: Cluster): Promise<string | undefined> => {
  const ip = await pollFor(60_000, async () => {
    const out = (await cluster.kubectl(['get', 'service', 'probe-lb', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])).stdout
    return out === '' ? undefined : out
  })
  t.match(ip, /^198\.51\.100\.20\d$/, `the Service has an IP from the pool (${ip ?? 'none'})`)
  if (ip === undefined) return undefined
  t.ok(await pollFor(60_000, async () => ((await arpAnswered(cluster, ip)) ? true : undefined)), `a speaker answers ARP for ${ip}`)
  const a = await answering(cluster, `http://${ip}/`)
  t.same(a.nodes, allNodes(cluster), `the client reaches both nodes' Pods through it (${a.answers} answers)`)
  return ip
}

/** The MAC of each node's eth0 (lower case), by node name. */
export const nodeMacs = async (cluster: Cluster): Promise<Map<string, string>> =>
  new Map(await Promise.all([...cluster.wires.nodes].map(async ([name, ns]): Promise<[string, string]> => [name, ((await run(['ip', '-n', ns, '-br', 'link', 'show', 'eth0'])).stdout.split(/\s+/)[2] ?? '?').toLowerCase()])))

/**
 * IPv6 on the cluster: a RequireDualStack Service gets an IPv4 and an IPv6 address from the pool, a node's
 * eth0 answers the client's NDP for the IPv6 one, and the client reaches both nodes' Pods over IPv6
 * through kube-proxy. The Service is deleted afterwards (the uninstall's inventory counts the user's one).
 */
export const dualStackServed = async (t: Test, cluster: Cluster): Promise<void> => {
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
    const macs = [...(await nodeMacs(cluster)).values()]
    // ndisc6 sends Neighbor Solicitations and prints the advertised link-layer address: a speaker's answer.
    const na = await pollFor(60_000, async () => {
      const r = await cluster.onClient(['ndisc6', '-m', '-n', '-r', '3', '-w', '500', v6, 'eth0'], 10_000)
      return /Target link-layer address: ([0-9A-Fa-f:]{17})/.exec(r.stdout)?.[1]?.toLowerCase()
    })
    t.ok(na !== undefined && macs.includes(na), `a node's eth0 answers NDP for ${v6} (${na ?? 'no answer'})`)
    const a = await answering(cluster, `http://[${v6}]/`)
    t.same(a.nodes, allNodes(cluster), `the client reaches both nodes' Pods over IPv6 through kube-proxy (${a.answers} answers)`)
  }
  t.equal((await kubectl(['delete', 'service', 'probe-dual'])).code, 0, 'the dual-stack Service deleted')
}

/** After an uninstall: every listed object as in `before` (polled: the namespace goes in the background), and no ARP answer. */
export const leftNothing = async (t: Test, cluster: Cluster, before: readonly string[], ip: string, since: number): Promise<void> => {
  let last = { added: ['(not listed yet)'], removed: [] as string[] }
  let listings = 0
  const settled = await pollFor(180_000, async () => {
    listings++
    last = inventoryDiff(before, await inventory(cluster.kubectl))
    return last.added.length === 0 && last.removed.length === 0 ? true : undefined
  })
  t.ok(settled, `the objects listed settled (${Date.now() - since} ms after the uninstall began, ${listings} listings)`)
  t.same(last, { added: [], removed: [] }, 'every object the API server lists is as before the install: nothing added, nothing of the user\'s removed')
  t.notOk(await arpAnswered(cluster, ip), `nobody answers ARP for ${ip} any more`)
}

// What the controller creates at run time, in the install's namespace. Helm deletes what it templated and
// leaves the namespace (the user's): these go only because they are owned by the controller's
// ServiceAccount, which the garbage collector (kube-controller-manager's) follows.
const RUNTIME_OBJECTS = ['lease/ironlb-controller', 'secret/memberlist', 'secret/metallb-webhook-cert']

/** Each run-time object carries an owner reference to the ServiceAccount the install made (by its uid). */
export const ownedByInstall = async (t: Test, kubectl: Cluster['kubectl']): Promise<void> => {
  const uid = (await kubectl(['-n', NS, 'get', 'serviceaccount', 'controller', '-o', 'jsonpath={.metadata.uid}'])).stdout
  for (const o of RUNTIME_OBJECTS) {
    const refs = (await kubectl(['-n', NS, 'get', o, '-o', 'jsonpath={range .metadata.ownerReferences[*]}{.kind}/{.name}/{.uid} {end}'])).stdout.trim()
    t.equal(refs, `ServiceAccount/controller/${uid}`, `${o} is owned by ServiceAccount controller (${uid})`)
  }
}

// As an IronLB before 04de792 made them: no owner references. The certificate's content does not matter
// (the controller replaces certificates it cannot read, keeping the object); its shape does.
const dummy = Buffer.from('left by an older IronLB').toString('base64')
export const OLD_LEFTOVERS = `apiVersion: coordination.k8s.io/v1
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

// A real Kubernetes cluster in network namespaces, for the *.cluster.ts specs (issue 11): infra (etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler), N nodes (containerd, runc, CNI, kubelet,
// kube-proxy in nftables mode) and a client, on one LAN. Up returns once every Node is Ready with a
// podCIDR routed; everything it started is stopped, the kubelets' cgroups and every namespace removed when
// the test ends, however it ends (t.teardown, and an exit handler for what must not outlive the process).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { logPath } from '../../../../shell/testbed/controlPlane.js'
import { inNs, run, signal, sleep, stopAll, tailFile, type ProcRef, type RunResult } from '../../../../shell/testbed/sys.js'
import { Lab, sweepStaleLabs } from '../../netns.js'
import { clearCgroupRoot, pidsInCgroupRoot } from './cgroups.js'
import { startInfra, type Infra } from './infra.js'
import { startNode, type LabNode } from './node.js'
import { makeClientCa, signClient } from './pki.js'
import { nodePlans } from './plan.js'
import { rssMiB, sameMountNs } from './rss.js'
import { routePods, wireUp, type Wires } from './wires.js'

export interface ClusterOptions {
  readonly nodes: number
  readonly k8sBins: string
  readonly clusterBins: string
  /** OCI archives imported into every node (the sandbox image among them). */
  readonly images: readonly string[]
  readonly sandboxImage: string
}

export interface Cluster {
  readonly wires: Wires
  readonly infra: Infra
  readonly nodes: readonly LabNode[]
  readonly kubectl: (args: readonly string[], stdin?: string, timeoutMs?: number) => Promise<RunResult>
  readonly onClient: (argv: readonly string[], timeoutMs?: number) => Promise<RunResult>
  /** Resident MiB by part: the control plane, each node's daemons (containerd, shims, kubelet, kube-proxy), each node's Pods. */
  readonly memory: () => Record<string, number>
  readonly startupMs: number
}

interface Teardown {
  teardown(fn: () => unknown): void
}

const nodeBinding = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: lab-nodes}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:node}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: system:nodes}]
`

/** Polls (every 500 ms, bounded) until `probe` gives a value; undefined when time runs out. */
export const pollFor = async <T>(timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T | undefined> => {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(500)) {
    const v = await probe()
    if (v !== undefined) return v
  }
  return undefined
}

/** The node's podCIDRs, once it has one of each family. */
const podCidrsOf = async (kubectl: Cluster['kubectl'], node: string): Promise<string[] | undefined> => {
  const out = (await kubectl(['get', 'node', node, '-o', 'jsonpath={.spec.podCIDRs[*]}'])).stdout.trim().split(' ').filter((c) => c !== '')
  return out.length === 2 ? out : undefined
}

/** What a failed start-up leaves to read, for the error message (the folder goes with the cluster, and make test prints only the message). */
const whyNoPodCidrs = async (kubectl: Cluster['kubectl'], infra: Infra, nodeDir: string): Promise<string> => {
  const nodes = await kubectl(['get', 'nodes', '-o', 'wide'], undefined, 10_000)
  return [
    `kubectl get nodes: ${nodes.stdout.trim() || nodes.stderr.trim()}`,
    `--- kubelet.log\n${tailFile(join(nodeDir, 'kubelet.log'), 15)}`,
    `--- kube-controller-manager.log\n${tailFile(logPath(infra.paths, 'kube-controller-manager'), 15)}`,
  ].join('\n')
}

const allReady = async (kubectl: Cluster['kubectl'], count: number): Promise<true | undefined> => {
  const out = (await kubectl(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}'])).stdout
  return out.split('\n').filter((l) => l === 'True').length === count ? true : undefined
}

export const clusterUp = async (t: Teardown, o: ClusterOptions): Promise<Cluster> => {
  const started = Date.now()
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-cluster-'))
  sweepStaleLabs()
  const lab = new Lab()
  const infraProcs: ProcRef[] = []
  const stops: (() => Promise<void>)[] = []
  const cgroupRoots = nodePlans(o.nodes).map((n) => `${lab.id}-${n.name}`)
  const lastResort = (): void => {
    for (const p of infraProcs) signal(p, 'SIGKILL')
    for (const c of cgroupRoots) clearCgroupRoot(c)
  }
  process.once('exit', lastResort)
  // Processes first (the namespaces cannot go while they are in them), then the Lab's namespaces.
  t.teardown(async () => {
    await Promise.all(stops.map((s) => s()))
    // No grace: the cluster is thrown away (kube-apiserver took the whole 5 s it had been given).
    await stopAll(infraProcs, 0)
    await lab.destroy()
    process.off('exit', lastResort)
    if (process.env['IRONLB_KEEP_CLUSTER_DIR'] === undefined) rmSync(dir, { recursive: true, force: true })
  })
  const plans = nodePlans(o.nodes)
  const wires = await wireUp(lab, plans)
  const ca = await makeClientCa(join(dir, 'client-pki'))
  const infra = await startInfra(wires.infra, join(dir, 'infra'), o.k8sBins, o.clusterBins, ca, infraProcs)
  const kubectl: Cluster['kubectl'] = (args, stdin, timeoutMs = 30_000) => run(inNs(wires.infra, [join(o.k8sBins, 'kubectl'), `--kubeconfig=${infra.admin}`, ...args]), { timeoutMs, ...(stdin === undefined ? {} : { stdin }) })
  const bound = await kubectl(['apply', '-f', '-'], nodeBinding)
  if (bound.code !== 0) throw new Error(`the kubelets' ClusterRoleBinding: ${bound.stderr}`)
  const nodes = await Promise.all(
    plans.map(async (plan, i) => {
      const nodeDir = join(dir, plan.name)
      mkdirSync(nodeDir)
      const cert = await signClient(ca, join(dir, 'client-pki'), plan.name, `system:node:${plan.name}`, ['system:nodes'])
      const inputs = { plan, ns: wires.nodes.get(plan.name) ?? '', dir: nodeDir, clusterBins: o.clusterBins, images: o.images, sandboxImage: o.sandboxImage, server: infra.server, caFile: infra.caFile, cert, kubeProxyKubeconfig: infra.kubeProxy, cgroupRoot: cgroupRoots[i] ?? '' }
      return startNode(inputs, (s) => stops.push(s))
    }),
  )
  for (const node of nodes) {
    const cidrs = await pollFor(120_000, () => podCidrsOf(kubectl, node.plan.name))
    if (cidrs === undefined) throw new Error(`${node.plan.name}: no podCIDRs within 120 s\n${await whyNoPodCidrs(kubectl, infra, join(dir, node.plan.name))}`)
    node.writeCni(cidrs)
    await routePods(lab, wires, node.plan, cidrs)
  }
  if ((await pollFor(120_000, () => allReady(kubectl, o.nodes))) === undefined) throw new Error(`not every Node Ready within 120 s: ${(await kubectl(['get', 'nodes'])).stdout}`)
  const memory = (): Record<string, number> => ({
    'control plane': rssMiB(infraProcs.map((p) => p.pid)),
    ...Object.fromEntries(nodes.map((n) => [`${n.plan.name} daemons`, rssMiB([...n.pids(), ...sameMountNs(n.containerd.pid)])])),
    ...Object.fromEntries(nodes.map((n, i) => [`${n.plan.name} pods`, rssMiB(pidsInCgroupRoot(cgroupRoots[i] ?? ''))])),
  })
  return { wires, infra, nodes, kubectl, onClient: (argv, ms) => lab.exec(wires.client, argv, ms), memory, startupMs: Date.now() - started }
}

// One node of the lab cluster in its own network namespace: containerd 2.3 with CRI (tempContainerd.ts:
// private mount namespace, tmpfs on /run and its root), both images imported into its `k8s.io` namespace, the
// kubelet in containerd's mount and network namespaces with a client certificate of its own and its own
// copies of the kernel tunables it would set machine-wide (kernelTunables.ts), and kube-proxy
// (nftables) in the network namespace. The CNI configuration comes later, once the controller manager has
// given the Node its podCIDR (writeCni): until then the kubelet reports the network not ready.
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { run } from '../../../../shell/testbed/sys.js'
import { startContainerd, type TempContainerd } from '../../tempContainerd.js'
import { clearCgroupRoot, makeCgroupRoot } from './cgroups.js'
import { coverKernelTunables } from './kernelTunables.js'
import { writeCertKubeconfig } from './kubeconfig.js'
import { cniConflist, kubeletConfig, kubeProxyConfig } from './nodeConfig.js'
import type { ClientCert } from './pki.js'
import type { NodePlan } from './plan.js'

export interface NodeInputs {
  readonly plan: NodePlan
  readonly ns: string
  readonly dir: string
  readonly clusterBins: string
  readonly images: readonly string[]
  readonly sandboxImage: string
  readonly server: string
  readonly caFile: string
  readonly cert: ClientCert
  readonly kubeProxyKubeconfig: string
  readonly cgroupRoot: string
}

export interface LabNode {
  readonly plan: NodePlan
  readonly containerd: TempContainerd
  readonly pids: () => number[]
  /** The kubelet's podLogsDir: <namespace>_<pod>_<uid>/<container>/<n>.log */
  readonly podLogs: string
  readonly writeCni: (podCidrs: readonly string[]) => void
  /** kubelet and containerd gone (a node lost); kube-proxy too. */
  readonly stop: () => Promise<void>
}

const spawnLogged = (argv: readonly string[], log: string): ChildProcess => {
  const fd = openSync(log, 'a')
  const child = spawn(argv[0] ?? 'false', argv.slice(1), { stdio: ['ignore', fd, fd] })
  closeSync(fd)
  return child
}

/** A bound for a wait raced against it: unref'd, so that it never keeps the spec's process alive after its tests. */
const lapse = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref())

const kill = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return
  const gone = new Promise((r) => child.once('exit', r))
  child.kill('SIGKILL')
  await Promise.race([gone, lapse(5_000)])
}

const importImages = async (c: TempContainerd, images: readonly string[]): Promise<void> => {
  for (const archive of images) {
    const r = await c.ctr(['images', 'import', archive], 180_000)
    if (r.code !== 0) throw new Error(`ctr images import ${archive}: ${r.stderr.trim().split('\n').at(-1) ?? ''}`)
  }
}

/** Starts containerd, the kubelet and kube-proxy; `children` gets each process as it starts (the caller's teardown). */
export const startNode = async (n: NodeInputs, onStop: (stop: () => Promise<void>) => void): Promise<LabNode> => {
  const cni = join(n.dir, 'cni')
  mkdirSync(join(n.dir, 'containerd'), { recursive: true })
  mkdirSync(cni, { recursive: true })
  const containerd = await startContainerd(n.clusterBins, join(n.dir, 'containerd'), { netns: n.ns, cri: { sandboxImage: n.sandboxImage, cniConfDir: cni } })
  const children: ChildProcess[] = []
  const stop = async (): Promise<void> => {
    for (const c of children) await kill(c)
    await containerd.stop()
    clearCgroupRoot(n.cgroupRoot)
  }
  onStop(stop)
  await importImages(containerd, n.images)
  // The kubelet links every container log into /var/log/containers: a tmpfs there, in this node's mount namespace only.
  await run(['nsenter', '--target', String(containerd.pid), '--mount', '--', 'mount', '-t', 'tmpfs', 'tmpfs', '/var/log/containers'])
  await coverKernelTunables(containerd.pid, n.dir)
  makeCgroupRoot(n.cgroupRoot)
  writeFileSync(join(n.dir, 'kubelet.yaml'), kubeletConfig({ ip: n.plan.ip, cgroupRoot: n.cgroupRoot, socket: containerd.socket, podLogs: join(n.dir, 'pod-logs') }))
  writeCertKubeconfig(join(n.dir, 'kubelet.kubeconfig'), n.server, n.caFile, `system:node:${n.plan.name}`, n.cert)
  const kubeletArgs = [`--config=${join(n.dir, 'kubelet.yaml')}`, `--kubeconfig=${join(n.dir, 'kubelet.kubeconfig')}`, `--root-dir=${join(n.dir, 'kubelet')}`, `--cert-dir=${join(n.dir, 'kubelet', 'pki')}`, `--hostname-override=${n.plan.name}`, `--node-ip=${n.plan.ip},${n.plan.ip6}`]
  children.push(spawnLogged(['nsenter', '--target', String(containerd.pid), '--mount', '--net', '--', join(n.clusterBins, 'kubelet'), ...kubeletArgs], join(n.dir, 'kubelet.log')))
  writeFileSync(join(n.dir, 'kube-proxy.yaml'), kubeProxyConfig({ node: n.plan.name, kubeconfig: n.kubeProxyKubeconfig }))
  children.push(spawnLogged(['nsenter', `--net=/run/netns/${n.ns}`, '--', join(n.clusterBins, 'kube-proxy'), `--config=${join(n.dir, 'kube-proxy.yaml')}`], join(n.dir, 'kube-proxy.log')))
  return {
    plan: n.plan,
    containerd,
    pids: () => [containerd.pid, ...children.flatMap((c) => (c.exitCode === null && c.pid !== undefined ? [c.pid] : []))],
    podLogs: join(n.dir, 'pod-logs'),
    writeCni: (podCidrs) => writeFileSync(join(cni, '10-lab.conflist'), cniConflist(podCidrs, join(n.dir, 'cni-ipam'))),
    stop,
  }
}

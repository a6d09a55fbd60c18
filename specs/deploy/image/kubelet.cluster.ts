// The smallest real node (issue 11, a first step): in one network namespace of its own, etcd and
// kube-apiserver (make k8s-bins), containerd with CRI and a kubelet (make cluster-bins), the pause image
// built here as the sandbox. The kubelet registers its Node, the Node turns Ready, and a Pod from the
// IronLB image imported into containerd runs under the restricted settings the manifests declare
// (non-root, read-only root, no capabilities, RuntimeDefault seccomp) with an address from the bridge
// plugin. Everything the spec starts is stopped and its cgroups removed, even on failure.
// Root. Not in `make test` yet: `make cluster-specs`.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import t from 'tap'
import { kubeconfigPath, kubePaths, startControlPlane, type ControlPlaneHost, type ControlPlaneSpec } from '../../../shell/testbed/controlPlane.js'
import { deleteNamespace, makeNamespace } from '../../../shell/testbed/netns.js'
import { inNs, launch, mustRun, run, sleep, stopAll, type ProcRef } from '../../../shell/testbed/sys.js'
import { isRoot, missingTools } from '../../support/netns.js'
import { repoRoot } from '../../support/repoRoot.js'
import { clearCgroupRoot, makeCgroupRoot } from '../../support/k8s-cluster/lab/cgroups.js'
import { coverKernelTunables, machineTunables } from '../../support/k8s-cluster/lab/kernelTunables.js'
import { startContainerd, type TempContainerd } from '../../support/tempContainerd.js'

// Absolute: ctr runs after nsenter --mount, which moves the working directory to the namespace's root.
const IMAGE = resolve(process.env['IRONLB_IMAGE'] ?? join(repoRoot, 'dist', 'image', 'ironlb.oci.tar'))
const PAUSE = resolve(process.env['IRONLB_PAUSE_IMAGE'] ?? join(repoRoot, 'dist', 'image', 'pause.oci.tar'))
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version
const NODE_IP = '192.0.2.10'
const POD_RANGE = '198.51.100.0/25'
const NS = `ironlb-kubelet-${process.pid}`
const CGROUP_ROOT = NS

const checked = async (script: string): Promise<string | undefined> => {
  const r = await run([join(repoRoot, 'specs', 'support', script), '--check'])
  return r.code === 0 ? r.stdout.trim() : undefined
}
const k8sBins = process.env['IRONLB_K8S_BIN_DIR'] ?? (await checked('k8s/bin-dir.sh'))
const clusterBins = process.env['IRONLB_CLUSTER_BIN_DIR'] ?? (await checked('k8s-cluster/bin-dir.sh'))
const skip = !isRoot()
  ? 'needs root (namespaces, cgroups)'
  : k8sBins === undefined || clusterBins === undefined
    ? 'run make k8s-bins cluster-bins'
    : ![IMAGE, PAUSE].every(existsSync)
      ? 'run make image pause-image'
      : undefined
const missing = skip === undefined ? missingTools(['ip', 'curl', 'nsenter', 'unshare', 'sh', 'mount', 'runc']) : undefined
if (missing !== undefined) t.fail(missing)

const kubeletConfig = (dir: string, socket: string): string => `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# This machine mounts cgroup v1 (hybrid); kubelet 1.35+ refuses it unless told.
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupRoot: /${CGROUP_ROOT}
containerRuntimeEndpoint: unix://${socket}
authentication: {anonymous: {enabled: false}, webhook: {enabled: false}}
authorization: {mode: AlwaysAllow}
address: ${NODE_IP}
healthzBindAddress: 127.0.0.1
readOnlyPort: 0
failSwapOn: false
podLogsDir: ${dir}/pod-logs
enforceNodeAllocatable: []
evictionHard: {}
resolvConf: ""
localStorageCapacityIsolation: false
`

const pod = `apiVersion: v1
kind: Pod
metadata: {name: smoke}
spec:
  nodeName: node1
  automountServiceAccountToken: false
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: ironlb
    image: ghcr.io/ironlb/ironlb:${version}
    imagePullPolicy: Never
    command: ["node", "-e", "console.log('uid', process.getuid()); setInterval(() => {}, 1000)"]
    securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
`

t.test('a kubelet on containerd registers its Node and runs a Pod from the imported image', { skip: skip ?? false }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-kubelet-spec-'))
  const procs: ProcRef[] = []
  let containerd: TempContainerd | undefined
  let kubelet: ChildProcess | undefined
  // One teardown, in order: the kubelet, containerd, the control plane, what they left in the cgroups.
  t.teardown(async () => {
    if (kubelet?.exitCode === null) {
      const gone = new Promise((r) => kubelet?.once('exit', r))
      kubelet.kill('SIGKILL')
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5_000).unref())])
    }
    await containerd?.stop()
    await stopAll(procs, 0) // no grace: the control plane is thrown away
    clearCgroupRoot(CGROUP_ROOT)
    deleteNamespace(NS)
    rmSync(dir, { recursive: true, force: true })
  })
  const tunables = machineTunables()
  await makeNamespace(NS)
  // A veth pair with both ends inside: the node's address, and nothing leads out of the namespace.
  await mustRun(['ip', '-n', NS, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0p'])
  await mustRun(['ip', '-n', NS, 'addr', 'add', `${NODE_IP}/24`, 'dev', 'eth0'])
  for (const l of ['eth0', 'eth0p']) await mustRun(['ip', '-n', NS, 'link', 'set', l, 'up'])

  const paths = kubePaths(join(dir, 'cp'))
  mkdirSync(paths.logDir, { recursive: true })
  const spec: ControlPlaneSpec = {
    binDir: k8sBins ?? '',
    paths,
    name: 'smoke',
    etcdClientPort: 2379,
    etcdPeerPort: 2380,
    bindAddress: NODE_IP,
    advertiseAddress: NODE_IP,
    port: 6443,
    serviceClusterIPRange: '203.0.113.0/24',
    identities: [{ file: 'admin', user: 'admin', uid: 'admin', groups: ['system:masters'] }],
    extraApiServerArgs: ['--kubelet-preferred-address-types=InternalIP'],
  }
  const host: ControlPlaneHost = {
    start: async (name, argv, log) => {
      const ref = await launch(NS, argv, log, process.env)
      procs.push(ref)
      return { name, exited: () => (existsSync(`/proc/${ref.pid}`) ? undefined : 'gone') }
    },
    readyz: async (p) => (await run(inNs(NS, ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '3', '--cacert', p.caFile, '-H', `Authorization: Bearer ${p.token}`, p.url]))).stdout === '200',
  }
  const cp = await startControlPlane(spec, host, 120_000)
  t.comment(`control plane ready in ${cp.startupMs} ms`)
  const kubeconfig = kubeconfigPath(paths, 'admin')
  const kubectl = (args: readonly string[], stdin?: string) => run(inNs(NS, [join(k8sBins ?? '', 'kubectl'), `--kubeconfig=${kubeconfig}`, ...args]), stdin === undefined ? {} : { stdin })

  const cniConfDir = join(dir, 'cni')
  mkdirSync(cniConfDir)
  const bridge = { type: 'bridge', bridge: 'cni0', isGateway: true, ipMasq: false, ipam: { type: 'host-local', dataDir: join(dir, 'cni-ipam'), ranges: [[{ subnet: POD_RANGE }]] } }
  writeFileSync(join(cniConfDir, '10-lab.conflist'), JSON.stringify({ cniVersion: '1.0.0', name: 'lab', plugins: [bridge, { type: 'portmap', capabilities: { portMappings: true } }] }))
  mkdirSync(join(dir, 'containerd'))
  containerd = await startContainerd(clusterBins ?? '', join(dir, 'containerd'), { netns: NS, cri: { sandboxImage: 'localhost/ironlb/pause:1.0', cniConfDir } })
  for (const archive of [PAUSE, IMAGE]) t.equal((await containerd.ctr(['images', 'import', archive], 120_000)).code, 0, `imported ${archive}`)

  // The kubelet links every container log into /var/log/containers: a tmpfs there, in containerd's mount namespace only (the lab cluster does the same, lab/node.ts).
  t.equal((await run(['nsenter', '--target', String(containerd.pid), '--mount', '--', 'mount', '-t', 'tmpfs', 'tmpfs', '/var/log/containers'])).code, 0, "a tmpfs over /var/log/containers in the node's mount namespace")
  await coverKernelTunables(containerd.pid, dir)
  makeCgroupRoot(CGROUP_ROOT)
  writeFileSync(join(dir, 'kubelet.yaml'), kubeletConfig(dir, containerd.socket))
  const log = openSync(join(dir, 'kubelet.log'), 'a')
  const started = Date.now()
  const kubeletArgs = [`--config=${join(dir, 'kubelet.yaml')}`, `--kubeconfig=${kubeconfig}`, `--root-dir=${join(dir, 'kubelet')}`, `--cert-dir=${join(dir, 'kubelet', 'pki')}`, '--hostname-override=node1', `--node-ip=${NODE_IP}`]
  // In containerd's mount namespace (the Pods' volumes and network namespaces are there) and network.
  kubelet = spawn('nsenter', ['--target', String(containerd.pid), '--mount', '--net', '--', join(clusterBins ?? '', 'kubelet'), ...kubeletArgs], { stdio: ['ignore', log, log] })
  closeSync(log)

  let ready = false
  for (const end = Date.now() + 90_000; !ready && Date.now() < end; await sleep(500))
    ready = (await kubectl(['get', 'node', 'node1', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])).stdout === 'True'
  t.ok(ready, 'the kubelet registered node1 and it is Ready')
  t.same(machineTunables(), tunables, "the machine's kernel tunables as they were (the kubelet's own copies in its mount namespace)")
  t.comment(`node Ready ${Date.now() - started} ms after the kubelet started`)
  if (!ready) return void t.comment(readFileSync(join(dir, 'kubelet.log'), 'utf8').split('\n').slice(-30).join('\n'))

  t.equal((await kubectl(['create', 'serviceaccount', 'default'])).code, 0, 'the default ServiceAccount (no controller manager makes it here)')
  const applied = Date.now()
  t.equal((await kubectl(['apply', '-f', '-'], pod)).code, 0, 'the Pod is accepted')
  let phase = ''
  for (const end = Date.now() + 90_000; !phase.startsWith('Running ') && Date.now() < end; await sleep(500))
    phase = (await kubectl(['get', 'pod', 'smoke', '-o', 'jsonpath={.status.phase} {.status.podIP}'])).stdout
  t.match(phase, /^Running 198\.51\.100\.\d+$/, 'it runs, with an address from the bridge plugin')
  t.comment(`Pod Running ${Date.now() - applied} ms after kubectl apply`)
  let out = ''
  for (const end = Date.now() + 20_000; !out.includes('uid') && Date.now() < end; await sleep(500))
    out = (await run(['sh', '-c', `cat "${dir}"/pod-logs/*/ironlb/0.log 2>/dev/null`])).stdout
  t.match(out, /uid 65534/, 'as uid 65534, read-only root, no capabilities, RuntimeDefault seccomp')
})

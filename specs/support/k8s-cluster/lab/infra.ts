// The lab cluster's control plane in its `infra` namespace: etcd and kube-apiserver through the one
// launcher (shell/testbed/controlPlane.ts), then kube-controller-manager (node CIDRs, ServiceAccounts and
// their tokens' CA, Deployments, DaemonSets, EndpointSlices, the node lifecycle) and kube-scheduler. Token
// identities for the admin, the controller manager, the scheduler and kube-proxy (each with the bootstrap
// RBAC Kubernetes gives its user name); kubelets come with client certificates (pki.ts).
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { kubeconfigPath, kubePaths, logPath, startControlPlane, type ControlPlaneHost, type KubePaths } from '../../../../shell/testbed/controlPlane.js'
import { inNs, launch, run, type ProcRef } from '../../../../shell/testbed/sys.js'
import type { ClientCa } from './pki.js'
import { API_PORT, INFRA_IP, NODE_CIDR_MASK, NODE_CIDR_MASK6, POD_CIDR, POD_CIDR6, SERVICE_CIDR, SERVICE_CIDR6 } from './plan.js'

/** Dual-stack, IPv4 first: what a Service asks nothing of gets IPv4, as on most clusters. */
const SERVICE_CIDRS = `${SERVICE_CIDR},${SERVICE_CIDR6}`

export interface Infra {
  readonly paths: KubePaths
  readonly server: string
  /** The API server's CA (pki/ca.crt): what every client verifies it with. */
  readonly caFile: string
  readonly admin: string
  readonly kubeProxy: string
  readonly startupMs: number
}

const identities = [
  { file: 'admin', user: 'admin', uid: 'admin', groups: ['system:masters'] },
  // With --use-service-account-credentials=false every controller runs as this one user.
  { file: 'controller-manager', user: 'system:kube-controller-manager', uid: 'kcm', groups: ['system:masters'] },
  { file: 'scheduler', user: 'system:kube-scheduler', uid: 'scheduler', groups: [] },
  { file: 'kube-proxy', user: 'system:kube-proxy', uid: 'kube-proxy', groups: [] },
]

const controllerManagerArgv = (bin: string, paths: KubePaths, ca: ClientCa): string[] => [
  join(bin, 'kube-controller-manager'),
  `--kubeconfig=${kubeconfigPath(paths, 'controller-manager')}`,
  '--leader-elect=false',
  '--bind-address=127.0.0.1',
  '--allocate-node-cidrs=true',
  `--cluster-cidr=${POD_CIDR},${POD_CIDR6}`,
  `--node-cidr-mask-size-ipv4=${NODE_CIDR_MASK}`,
  `--node-cidr-mask-size-ipv6=${NODE_CIDR_MASK6}`,
  `--service-cluster-ip-range=${SERVICE_CIDRS}`,
  `--service-account-private-key-file=${paths.saKey}`,
  `--root-ca-file=${join(paths.pki, 'ca.crt')}`,
  `--cluster-signing-cert-file=${ca.cert}`,
  `--cluster-signing-key-file=${ca.key}`,
  '--use-service-account-credentials=false',
]

const schedulerArgv = (bin: string, paths: KubePaths): string[] => [
  join(bin, 'kube-scheduler'),
  `--kubeconfig=${kubeconfigPath(paths, 'scheduler')}`,
  '--leader-elect=false',
  '--bind-address=127.0.0.1',
]

/** Starts the four processes in `ns` (their refs pushed to `procs` as they start, for the caller's teardown). */
export const startInfra = async (ns: string, dir: string, k8sBins: string, clusterBins: string, ca: ClientCa, procs: ProcRef[]): Promise<Infra> => {
  const paths = kubePaths(dir)
  const host: ControlPlaneHost = {
    start: async (name, argv, log) => {
      const ref = await launch(ns, argv, log, process.env)
      procs.push(ref)
      return { name, exited: () => (existsSync(`/proc/${ref.pid}`) ? undefined : 'gone') }
    },
    readyz: async (p) => (await run(inNs(ns, ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '3', '--cacert', p.caFile, '-H', `Authorization: Bearer ${p.token}`, p.url]))).stdout === '200',
  }
  const extra = [`--client-ca-file=${ca.cert}`, '--kubelet-preferred-address-types=InternalIP', '--enable-aggregator-routing=true', '--allow-privileged=true']
  const cp = await startControlPlane(
    { binDir: k8sBins, paths, name: 'ironlb-lab', etcdClientPort: 2379, etcdPeerPort: 2380, bindAddress: INFRA_IP, advertiseAddress: INFRA_IP, port: API_PORT, serviceClusterIPRange: SERVICE_CIDRS, identities, extraApiServerArgs: extra, serviceAccountAdmission: true },
    host,
    180_000,
  )
  procs.push(await launch(ns, controllerManagerArgv(clusterBins, paths, ca), logPath(paths, 'kube-controller-manager'), process.env))
  procs.push(await launch(ns, schedulerArgv(clusterBins, paths), logPath(paths, 'kube-scheduler'), process.env))
  return { paths, server: cp.server, caFile: join(paths.pki, 'ca.crt'), admin: kubeconfigPath(paths, 'admin'), kubeProxy: kubeconfigPath(paths, 'kube-proxy'), startupMs: cp.startupMs }
}

// The lab's Kubernetes control plane: the shared launcher (shell/testbed/controlPlane.ts) run in the `infra`
// namespace, the apiserver on infra's LAN address so speakers in other namespaces reach it over the lab's own
// wire. It decides identities (a token per client: an admin, the agents, the controller and each speaker as
// their ServiceAccounts, so RBAC from deploy/manifests is what they get), audits what those ServiceAccounts ask
// (specs/deploy checks the Roles against it), records etcd and the apiserver in state.json before they start,
// and runs kubectl inside infra.
import { join } from 'node:path'
import { adminToken, kubePaths, logTails, startControlPlane, waitReady, type ControlPlaneHost, type ControlPlaneSpec, type Identity, type StartedProc } from '../testbed/controlPlane.js'
import { errText, inNs, run, tailFile, type RunOptions, type RunResult } from '../testbed/sys.js'
import { procAlive, startProc } from './procs.js'
import type { LabState, ProcRecord } from './state.js'
import { API_SERVER_PORT, apiServerAddress, namespaceOf, type Topology } from './topology.js'

export const METALLB_NAMESPACE = 'metallb-system'

const SA_GROUPS = ['system:serviceaccounts', `system:serviceaccounts:${METALLB_NAMESPACE}`]

/** Who talks to the lab's API server, one kubeconfig each; the admin first (readiness is probed as it). */
const identities = (topo: Topology): Identity[] => [
  { file: 'admin', user: 'ironlb-lab-admin', uid: 'ironlb-lab-admin', groups: ['system:masters'] },
  // The lab's stand-ins for kube-proxy and the EndpointSlice controller.
  { file: 'agent', user: 'ironlb-lab-agent', uid: 'ironlb-lab-agent', groups: ['system:masters'] },
  { file: 'controller', user: `system:serviceaccount:${METALLB_NAMESPACE}:controller`, uid: 'sa-controller', groups: SA_GROUPS },
  ...topo.nodes.map((n) => ({ file: `speaker-${n}`, user: `system:serviceaccount:${METALLB_NAMESPACE}:speaker`, uid: `sa-speaker-${n}`, groups: SA_GROUPS })),
]

/** Infra's own loopback for etcd (the apiserver beside it is its one client); the apiserver on every address of infra. */
const labControlPlaneSpec = (stateDir: string, binDir: string, topo: Topology): ControlPlaneSpec => ({
  binDir,
  paths: kubePaths(stateDir),
  name: 'ironlb-lab',
  etcdClientPort: 2379,
  etcdPeerPort: 2380,
  // The self-signed serving certificate names the advertise address: clients use https://198.51.100.2:6443.
  bindAddress: '0.0.0.0',
  advertiseAddress: apiServerAddress(topo),
  port: API_SERVER_PORT,
  serviceClusterIPRange: topo.serviceClusterIPRange,
  identities: identities(topo),
  // The IronLB ServiceAccounts only: the lab's admin and agents stay out, so the log stays small even in the 1,000-Service bench.
  auditGroups: [`system:serviceaccounts:${METALLB_NAMESPACE}`],
})

// The log goes with the lab when `up` cleans up, so the error carries its end.
export const exitedError = (p: ProcRecord): Error => new Error(`${p.name} exited; last lines of its log:\n${tailFile(p.log, 12)}`)

const asStarted = (rec: ProcRecord): StartedProc => ({ name: rec.name, exited: () => (procAlive(rec) ? undefined : `see ${rec.log}`) })

/** Processes recorded in state.json (so `down` finds them) and run in infra; /readyz asked with curl from infra. */
const labHost = (state: LabState): ControlPlaneHost => ({
  start: async (name, argv, log) => asStarted(await startProc(state, { name, host: 'infra', argv, log })),
  readyz: async (probe) => {
    const curl = ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '3', '--cacert', probe.caFile, '-H', '@-', probe.url]
    const r = await run(inNs(namespaceOf(state.id, 'infra'), curl), { timeoutMs: 6_000, stdin: `Authorization: Bearer ${probe.token}\n` })
    return r.stdout.trim() === '200'
  },
})

/** Starts etcd and the apiserver in infra and waits for /readyz; the kubeconfigs are written by then. */
export const startLabControlPlane = async (state: LabState, topo: Topology, timeoutMs: number, signal?: AbortSignal): Promise<number> => {
  const cp = await startControlPlane(labControlPlaneSpec(state.stateDir, state.k8sBinDir, topo), labHost(state), timeoutMs, signal)
  return cp.startupMs
}

/** After a restart of etcd or the apiserver: waits for /readyz (same files, same CA, same tokens). */
export const waitLabApiServer = async (state: LabState, procs: readonly ProcRecord[], timeoutMs: number): Promise<void> => {
  const paths = kubePaths(state.stateDir)
  try {
    await waitReady(paths, labHost(state), state.apiServerUrl, adminToken(paths), procs.map(asStarted), timeoutMs)
  } catch (e) {
    throw new Error(`${errText(e)}\n${logTails(paths)}`)
  }
}

export const kubectlArgv = (binDir: string, kubeconfig: string, args: readonly string[]): string[] => [join(binDir, 'kubectl'), `--kubeconfig=${kubeconfig}`, ...args]

/** The real kubectl with the admin kubeconfig, run inside infra (the API server is reachable only in the lab). */
export const kubectl = (binDir: string, infraNs: string, adminKubeconfig: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> =>
  run(inNs(infraNs, kubectlArgv(binDir, adminKubeconfig, args)), opts)

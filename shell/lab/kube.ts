// The lab's Kubernetes control plane: etcd and kube-apiserver (the binaries `make k8s-bins` builds) in
// the `infra` namespace, the apiserver on infra's LAN address so speakers in other namespaces reach it
// over the lab's own wire. It decides identities (a token per client in a token-auth file: an admin, the
// controller and each speaker as their ServiceAccounts, so RBAC from deploy/manifests is what they get),
// writes kubeconfigs, records what those ServiceAccounts ask of the API server in an audit log (specs/deploy
// checks the Roles against it), and runs kubectl inside infra. Processes are started by lab.ts, which records them.
import { execFileSync } from 'node:child_process'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { inNs, run, type RunOptions, type RunResult } from './sys.js'
import { API_SERVER_PORT, apiServerAddress, type Topology } from './topology.js'

export const METALLB_NAMESPACE = 'metallb-system'
const K8S_BINARIES = ['etcd', 'kube-apiserver', 'kubectl'] as const

/** The folder with etcd, kube-apiserver and kubectl: the option, $IRONLB_K8S_BIN_DIR, or bin-dir.sh --check. */
export const findK8sBinDir = (repoRoot: string, explicit?: string): string => {
  let dir = explicit ?? process.env['IRONLB_K8S_BIN_DIR']
  if (dir === undefined || dir === '') {
    try {
      const script = join(repoRoot, 'specs', 'support', 'k8s', 'bin-dir.sh')
      dir = execFileSync('bash', [script, '--check'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
    } catch {
      throw new Error('no Kubernetes binaries: run `make -o node_modules/.installed k8s-bins` first')
    }
  }
  for (const b of K8S_BINARIES) if (!existsSync(join(dir, b))) throw new Error(`${join(dir, b)} is missing (run \`make k8s-bins\`)`)
  return dir
}

export interface Identity {
  readonly file: string
  readonly user: string
  readonly uid: string
  readonly groups: readonly string[]
}

const SA_GROUPS = ['system:serviceaccounts', `system:serviceaccounts:${METALLB_NAMESPACE}`]

/** Who talks to the lab's API server, one kubeconfig each. */
export const identities = (topo: Topology): Identity[] => [
  { file: 'admin', user: 'ironlb-lab-admin', uid: 'ironlb-lab-admin', groups: ['system:masters'] },
  // The lab's stand-ins for kube-proxy and the EndpointSlice controller.
  { file: 'agent', user: 'ironlb-lab-agent', uid: 'ironlb-lab-agent', groups: ['system:masters'] },
  { file: 'controller', user: `system:serviceaccount:${METALLB_NAMESPACE}:controller`, uid: 'sa-controller', groups: SA_GROUPS },
  ...topo.nodes.map((n) => ({ file: `speaker-${n}`, user: `system:serviceaccount:${METALLB_NAMESPACE}:speaker`, uid: `sa-speaker-${n}`, groups: SA_GROUPS })),
]

export interface KubePaths {
  readonly pki: string
  readonly certDir: string
  readonly tokens: string
  readonly saKey: string
  readonly etcdData: string
  readonly kubeDir: string
  readonly auditPolicy: string
  /** JSON lines, one per request stage of the IronLB ServiceAccounts (kept with the logs on failure). */
  readonly auditLog: string
}

export const kubePaths = (stateDir: string): KubePaths => ({
  pki: join(stateDir, 'pki'),
  certDir: join(stateDir, 'pki', 'apiserver'),
  tokens: join(stateDir, 'pki', 'tokens.csv'),
  saKey: join(stateDir, 'pki', 'sa.key'),
  etcdData: join(stateDir, 'etcd'),
  kubeDir: join(stateDir, 'kube'),
  auditPolicy: join(stateDir, 'pki', 'audit-policy.yaml'),
  auditLog: join(stateDir, 'logs', 'audit.log'),
})

// Metadata only (who, verb, object, answer), and only for the IronLB ServiceAccounts: the lab's admin and
// agents stay out, so the log stays small even in the 1,000-Service bench.
const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
  userGroups: ["system:serviceaccounts:${METALLB_NAMESPACE}"]
- level: None
`

export const kubeconfigPath = (paths: KubePaths, file: string): string => join(paths.kubeDir, `${file}.kubeconfig`)

/**
 * Tokens, the service-account key and the audit policy; kept in the state folder so an apiserver
 * restart reuses them.
 */
export const writeSecrets = (paths: KubePaths, ids: readonly Identity[]): Map<string, string> => {
  mkdirSync(paths.certDir, { recursive: true, mode: 0o700 })
  mkdirSync(paths.kubeDir, { recursive: true, mode: 0o700 })
  mkdirSync(dirname(paths.auditLog), { recursive: true })
  writeFileSync(paths.auditPolicy, AUDIT_POLICY, { mode: 0o600 })
  const tokens = new Map(ids.map((id) => [id.file, randomBytes(24).toString('hex')]))
  const lines = ids.map((id) => `${tokens.get(id.file)},${id.user},${id.uid},"${id.groups.join(',')}"`)
  writeFileSync(paths.tokens, `${lines.join('\n')}\n`, { mode: 0o600 })
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  writeFileSync(paths.saKey, privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 })
  return tokens
}

export const etcdArgv = (binDir: string, paths: KubePaths): string[] => [
  join(binDir, 'etcd'),
  '--name=ironlb-lab',
  `--data-dir=${paths.etcdData}`,
  // Infra's own loopback: only the apiserver (same namespace) talks to etcd.
  '--listen-client-urls=http://127.0.0.1:2379',
  '--advertise-client-urls=http://127.0.0.1:2379',
  '--listen-peer-urls=http://127.0.0.1:2380',
  '--initial-advertise-peer-urls=http://127.0.0.1:2380',
  '--initial-cluster=ironlb-lab=http://127.0.0.1:2380',
  '--unsafe-no-fsync', // throwaway data
  '--log-level=warn',
]

export const apiServerArgv = (binDir: string, paths: KubePaths, topo: Topology): string[] => [
  join(binDir, 'kube-apiserver'),
  '--etcd-servers=http://127.0.0.1:2379',
  // Every address of infra (loopback too); the self-signed serving certificate names the advertise
  // address, so clients use https://198.51.100.2:6443 from any lab namespace.
  '--bind-address=0.0.0.0',
  `--advertise-address=${apiServerAddress(topo)}`,
  `--secure-port=${API_SERVER_PORT}`,
  `--cert-dir=${paths.certDir}`,
  `--service-cluster-ip-range=${topo.serviceClusterIPRange}`,
  '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
  `--service-account-key-file=${paths.saKey}`,
  `--service-account-signing-key-file=${paths.saKey}`,
  '--authorization-mode=RBAC',
  `--token-auth-file=${paths.tokens}`,
  // No controller-manager creates the `default` ServiceAccount, so Pods could not be admitted.
  '--disable-admission-plugins=ServiceAccount',
  '--profiling=false',
  `--audit-policy-file=${paths.auditPolicy}`,
  `--audit-log-path=${paths.auditLog}`,
  '--audit-log-format=json',
  // Blocking: an entry is written before the answer, so a spec reads every request it caused.
  '--audit-log-mode=blocking',
  '--audit-log-maxsize=200',
  '--audit-log-maxbackup=1',
]

/** --cert-dir writes "serving certificate, then the CA that signed it" to apiserver.crt. */
export const readApiServerCa = (paths: KubePaths): string | undefined => {
  const file = join(paths.certDir, 'apiserver.crt')
  if (!existsSync(file)) return undefined
  const blocks = readFileSync(file, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
  const last = blocks[blocks.length - 1]
  return last === undefined ? undefined : `${last}\n`
}

export const writeKubeconfigs = (paths: KubePaths, server: string, ca: string, tokens: ReadonlyMap<string, string>): void => {
  for (const [file, token] of tokens) {
    const cfg = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'ironlb-lab', cluster: { server, 'certificate-authority-data': Buffer.from(ca).toString('base64') } }],
      users: [{ name: file, user: { token } }],
      contexts: [{ name: 'ironlb-lab', context: { cluster: 'ironlb-lab', user: file } }],
      'current-context': 'ironlb-lab',
      preferences: {},
    }
    const path = kubeconfigPath(paths, file)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, `${JSON.stringify(cfg, null, 2)}\n`, { mode: 0o600 })
  }
}

export const kubectlArgv = (binDir: string, kubeconfig: string, args: readonly string[]): string[] => [join(binDir, 'kubectl'), `--kubeconfig=${kubeconfig}`, ...args]

/** The real kubectl with the admin kubeconfig, run inside infra (the API server is reachable only in the lab). */
export const kubectl = (binDir: string, infraNs: string, adminKubeconfig: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> =>
  run(inNs(infraNs, kubectlArgv(binDir, adminKubeconfig, args)), opts)

// The one Kubernetes control plane of the lab and the integration specs: the real etcd and kube-apiserver
// (the binaries `make k8s-bins` builds), every file under one folder. It decides the files (a token per
// identity, the service-account key, the audit policy when asked), the two command lines, and when the API
// server is ready (/readyz 200 over TLS verified against the CA the apiserver made itself); it writes a
// kubeconfig per identity once it is. How a process starts and how /readyz is reached are the caller's
// (`ControlPlaneHost`): the specs run both binaries as children on loopback, the lab records them in its state
// and runs them in its infra namespace. Stopping them is the caller's too.
import { execFileSync } from 'node:child_process'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { errText, sleep, tailFile } from './sys.js'

const K8S_BINARIES = ['etcd', 'kube-apiserver', 'kubectl'] as const

/** The folder with etcd, kube-apiserver and kubectl: the option, $IRONLB_K8S_BIN_DIR, or bin-dir.sh --check. */
export const findK8sBinDir = (repoRoot: string, explicit?: string): string => {
  let dir = explicit ?? process.env['IRONLB_K8S_BIN_DIR']
  if (dir === undefined || dir === '') {
    try {
      const script = join(repoRoot, 'specs', 'support', 'k8s', 'bin-dir.sh')
      dir = execFileSync('bash', [script, '--check'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
    } catch (e) {
      throw new Error(`no Kubernetes binaries: run \`make -o node_modules/.installed k8s-bins\` first (${errText(e).split('\n')[0] ?? ''})`)
    }
  }
  for (const b of K8S_BINARIES) if (!existsSync(join(dir, b))) throw new Error(`${join(dir, b)} is missing: run \`make k8s-bins\``)
  return dir
}

/** One client of the API server: a token-auth line and a kubeconfig named `<file>.kubeconfig`. */
export interface Identity {
  readonly file: string
  readonly user: string
  readonly uid: string
  readonly groups: readonly string[]
}

export interface KubePaths {
  readonly pki: string
  readonly certDir: string
  readonly tokens: string
  readonly saKey: string
  readonly etcdData: string
  readonly kubeDir: string
  readonly logDir: string
  readonly auditPolicy: string
  /** JSON lines, one per request stage of the audited groups (kept with the logs on failure). */
  readonly auditLog: string
}

export const kubePaths = (dir: string): KubePaths => ({
  pki: join(dir, 'pki'),
  certDir: join(dir, 'pki', 'apiserver'),
  tokens: join(dir, 'pki', 'tokens.csv'),
  saKey: join(dir, 'pki', 'sa.key'),
  etcdData: join(dir, 'etcd'),
  kubeDir: join(dir, 'kube'),
  logDir: join(dir, 'logs'),
  auditPolicy: join(dir, 'pki', 'audit-policy.yaml'),
  auditLog: join(dir, 'logs', 'audit.log'),
})

export const kubeconfigPath = (paths: KubePaths, file: string): string => join(paths.kubeDir, `${file}.kubeconfig`)

export const logPath = (paths: KubePaths, name: string): string => join(paths.logDir, `${name}.log`)

export interface ControlPlaneSpec {
  readonly binDir: string
  readonly paths: KubePaths
  /** etcd's member name and the kubeconfigs' cluster name. */
  readonly name: string
  /** etcd listens on 127.0.0.1 only: the apiserver beside it is its one client. */
  readonly etcdClientPort: number
  readonly etcdPeerPort: number
  readonly bindAddress: string
  /** The address the serving certificate names and clients dial. */
  readonly advertiseAddress: string
  readonly port: number
  readonly serviceClusterIPRange: string
  /** The first one is the admin that readiness is probed as. */
  readonly identities: readonly Identity[]
  /** Audit, at Metadata level, the requests of these groups only (none: no audit log). */
  readonly auditGroups?: readonly string[]
  /** Appended to the apiserver's flags (a later flag wins; list flags such as admission plugins append). */
  readonly extraApiServerArgs?: readonly string[]
  /** Keep the ServiceAccount admission plugin (a controller manager makes the `default` accounts). */
  readonly serviceAccountAdmission?: boolean
}

type ProcName = 'etcd' | 'kube-apiserver'

/** How the caller runs things: `start` a long-lived process (its log appended to `log`), and probe /readyz. */
export interface ControlPlaneHost {
  start(name: ProcName, argv: readonly string[], log: string): Promise<StartedProc>
  readyz(probe: ReadyProbe): Promise<boolean>
}

export interface StartedProc {
  readonly name: string
  /** Why it is gone (exit code, signal), or undefined while it runs. */
  exited(): string | undefined
}

export interface ReadyProbe {
  /** https://<advertise address>:<port>/readyz */
  readonly url: string
  readonly ca: string
  /** The same CA in a file (pki/ca.crt), for tools that read one. */
  readonly caFile: string
  readonly token: string
}

interface StartedControlPlane {
  readonly server: string
  readonly ca: string
  readonly tokens: ReadonlyMap<string, string>
  readonly procs: readonly StartedProc[]
  /** Milliseconds from starting etcd to /readyz answering 200. */
  readonly startupMs: number
}

const etcdArgv = (s: ControlPlaneSpec): string[] => {
  const client = `http://127.0.0.1:${s.etcdClientPort}`
  const peer = `http://127.0.0.1:${s.etcdPeerPort}`
  return [
    join(s.binDir, 'etcd'),
    `--name=${s.name}`,
    `--data-dir=${s.paths.etcdData}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=${s.name}=${peer}`,
    '--unsafe-no-fsync', // throwaway data: durability buys nothing and costs seconds on a busy disk
    '--log-level=warn',
  ]
}

const auditArgs = (s: ControlPlaneSpec): string[] =>
  s.auditGroups === undefined
    ? []
    : [
        `--audit-policy-file=${s.paths.auditPolicy}`,
        `--audit-log-path=${s.paths.auditLog}`,
        '--audit-log-format=json',
        // Blocking: an entry is written before the answer, so a spec reads every request it caused.
        '--audit-log-mode=blocking',
        '--audit-log-maxsize=200',
        '--audit-log-maxbackup=1',
      ]

const apiServerArgv = (s: ControlPlaneSpec): string[] => [
  join(s.binDir, 'kube-apiserver'),
  `--etcd-servers=http://127.0.0.1:${s.etcdClientPort}`,
  `--bind-address=${s.bindAddress}`,
  // Explicit, so start-up never depends on the host having a default route. Loopback is not a valid
  // endpoint address, hence no endpoint reconciler there (the `kubernetes` Service has no endpoints).
  `--advertise-address=${s.advertiseAddress}`,
  ...(s.advertiseAddress.startsWith('127.') ? ['--endpoint-reconciler-type=none'] : []),
  `--secure-port=${s.port}`,
  `--cert-dir=${s.paths.certDir}`,
  `--service-cluster-ip-range=${s.serviceClusterIPRange}`,
  '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
  `--service-account-key-file=${s.paths.saKey}`,
  `--service-account-signing-key-file=${s.paths.saKey}`,
  '--authorization-mode=RBAC',
  `--token-auth-file=${s.paths.tokens}`,
  // No controller-manager creates the `default` ServiceAccount, so Pods could not be admitted.
  ...(s.serviceAccountAdmission === true ? [] : ['--disable-admission-plugins=ServiceAccount']),
  '--profiling=false',
  ...auditArgs(s),
  ...(s.extraApiServerArgs ?? []),
]

// Metadata only (who, verb, object, answer), and only for the audited groups, so the log stays small.
const auditPolicy = (groups: readonly string[]): string =>
  ['apiVersion: audit.k8s.io/v1', 'kind: Policy', 'omitStages: [RequestReceived]', 'rules:', '- level: Metadata', `  userGroups: ${JSON.stringify(groups)}`, '- level: None', ''].join('\n')

/** Tokens, the service-account key and the audit policy; kept in the folder so a restarted apiserver reuses them. */
const writeSecrets = (s: ControlPlaneSpec): Map<string, string> => {
  const { paths } = s
  for (const d of [paths.certDir, paths.kubeDir]) mkdirSync(d, { recursive: true, mode: 0o700 })
  mkdirSync(paths.logDir, { recursive: true })
  if (s.auditGroups !== undefined) writeFileSync(paths.auditPolicy, auditPolicy(s.auditGroups), { mode: 0o600 })
  const tokens = new Map(s.identities.map((id) => [id.file, randomBytes(24).toString('hex')]))
  const lines = s.identities.map((id) => `${tokens.get(id.file)},${id.user},${id.uid},"${id.groups.join(',')}"`)
  writeFileSync(paths.tokens, `${lines.join('\n')}\n`, { mode: 0o600 })
  // One private key serves both flags: the apiserver derives the public key for verification from it.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  writeFileSync(paths.saKey, privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 })
  return tokens
}

/** The token of the first line of the tokens file (the admin), for probing an apiserver that was restarted. */
export const adminToken = (paths: KubePaths): string => {
  const token = readFileSync(paths.tokens, 'utf8').split(',')[0] ?? ''
  if (token === '') throw new Error(`${paths.tokens}: no token`)
  return token
}

/** --cert-dir writes "serving certificate, then the CA that signed it" to apiserver.crt. */
const readApiServerCa = (paths: KubePaths): string | undefined => {
  const file = join(paths.certDir, 'apiserver.crt')
  if (!existsSync(file)) return undefined
  const blocks = readFileSync(file, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
  const last = blocks[blocks.length - 1]
  return last === undefined ? undefined : `${last}\n`
}

const writeKubeconfigs = (s: ControlPlaneSpec, server: string, ca: string, tokens: ReadonlyMap<string, string>): void => {
  for (const [file, token] of tokens) {
    const cfg = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: s.name, cluster: { server, 'certificate-authority-data': Buffer.from(ca).toString('base64') } }],
      users: [{ name: file, user: { token } }],
      contexts: [{ name: s.name, context: { cluster: s.name, user: file } }],
      'current-context': s.name,
      preferences: {},
    }
    const path = kubeconfigPath(s.paths, file)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, `${JSON.stringify(cfg, null, 2)}\n`, { mode: 0o600 })
  }
}

const serverUrl = (s: Pick<ControlPlaneSpec, 'advertiseAddress' | 'port'>): string =>
  `https://${s.advertiseAddress.includes(':') ? `[${s.advertiseAddress}]` : s.advertiseAddress}:${s.port}`

/**
 * Writes the files, starts etcd and the apiserver (both at once: the apiserver retries etcd while it comes
 * up), waits until /readyz answers, then writes the kubeconfigs. A failure names the process and the last
 * lines of the logs; stopping what started is the caller's (it knows how its processes live).
 */
export const startControlPlane = async (s: ControlPlaneSpec, host: ControlPlaneHost, readyTimeoutMs: number, signal?: AbortSignal): Promise<StartedControlPlane> => {
  const started = Date.now()
  const tokens = writeSecrets(s)
  const procs: StartedProc[] = []
  try {
    procs.push(await host.start('etcd', etcdArgv(s), logPath(s.paths, 'etcd')))
    procs.push(await host.start('kube-apiserver', apiServerArgv(s), logPath(s.paths, 'kube-apiserver')))
    const server = serverUrl(s)
    const ca = await waitReady(s.paths, host, server, tokens.get(s.identities[0]?.file ?? '') ?? '', procs, readyTimeoutMs, signal)
    writeKubeconfigs(s, server, ca, tokens)
    return { server, ca, tokens, procs, startupMs: Date.now() - started }
  } catch (e) {
    throw new Error(`control plane did not start: ${errText(e)}\n${logTails(s.paths)}`)
  }
}

/** The apiserver's log first (it is the usual culprit), then a shorter look at etcd's. */
export const logTails = (paths: KubePaths): string =>
  [
    `--- last lines of kube-apiserver's log ---\n${tailFile(logPath(paths, 'kube-apiserver'), 30)}`,
    `--- last lines of etcd's log ---\n${tailFile(logPath(paths, 'etcd'), 10)}`,
  ].join('\n')

/**
 * Polls /readyz (every 200 ms, bounded by `timeoutMs` and `signal`) until it answers 200 over TLS verified
 * with the CA in the cert folder, re-read each time (never a half-written file); resolves to that CA. Fails
 * at once when one of `procs` is gone.
 */
export const waitReady = async (paths: KubePaths, host: ControlPlaneHost, server: string, token: string, procs: readonly StartedProc[], timeoutMs: number, signal?: AbortSignal): Promise<string> => {
  const deadline = Date.now() + timeoutMs
  const caFile = join(paths.pki, 'ca.crt')
  let last = 'not tried'
  for (;;) {
    if (signal?.aborted === true) throw new Error('interrupted')
    for (const p of procs) {
      const why = p.exited()
      if (why !== undefined) throw new Error(`${p.name} exited (${why}) before /readyz answered`)
    }
    const ca = readApiServerCa(paths)
    if (ca === undefined) last = 'no serving certificate yet'
    else
      try {
        writeFileSync(caFile, ca, { mode: 0o600 })
        if (await host.readyz({ url: `${server}/readyz`, ca, caFile, token })) return ca
        last = 'not ready yet'
      } catch (e) {
        last = errText(e)
      }
    if (Date.now() >= deadline) throw new Error(`kube-apiserver /readyz: not within ${timeoutMs} ms (last probe: ${last})`)
    await sleep(200)
  }
}

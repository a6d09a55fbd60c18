// The live Layer 2 lab as a TypeScript API: `labUp` builds it (namespaces on a bridge, a real control
// plane in `infra`, Nodes, the IronLB controller and one speaker per node, kube-proxy and backends played
// by the lab's agents), `openLab` attaches to one that is up, and a `Lab`'s methods inject faults and
// look inside. The CLI (cli.ts) is a thin layer over this; end-to-end tests and `make demo` use it in
// process. State lives in one folder (default <checkout>/.lab/default); `down` removes every process,
// namespace and file the lab made, and `up` does the same itself when it fails part way.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { METALLB_NAMESPACE, apiServerArgv, etcdArgv, findK8sBinDir, identities, kubePaths, kubeconfigPath, kubectl, readApiServerCa, writeKubeconfigs, writeSecrets, type KubePaths } from './kube.js'
import { ENDPOINTS_ANNOTATION, withOverride, type EndpointState, type LabNode } from './desired.js'
import { existingNamespaces, labNamespaces, linkIsUp, makeNamespace, namespaceExists, partition, setLink, setLoss, unpartition, waitFor, wire } from './network.js'
import { judgeSpeaker, procAlive, procNamed, recordProc, startProc, stopProc } from './procs.js'
import { readState, withLock, writeState, type LabState, type ProcRecord } from './state.js'
import { errText, inNs, run, signal, sleep, stopAll, tailFile, waitGone, type RunOptions, type RunResult } from './sys.js'
import { apiServerUrl, hostNamed, labIdFor, lanOf, namespaceOf, topology, type Host, type Topology } from './topology.js'

export interface LabOptions {
  /** Default <checkout>/.lab/default (or $IRONLB_LAB_DIR). One lab per folder. */
  readonly stateDir?: string
  /** 1..9, default 3. */
  readonly nodes?: number
  /** etcd, kube-apiserver and kubectl; default $IRONLB_K8S_BIN_DIR, else specs/support/k8s/bin-dir.sh --check. */
  readonly k8sBinDir?: string
  /** The built CLI; default <checkout>/dist/shell/cli/ironlb.js. */
  readonly ironlbEntry?: string
  /** Run the IronLB controller in infra (default true). */
  readonly controller?: boolean
  /** Run a speaker on each node (default true). */
  readonly speakers?: boolean
  /** Fail `up` when a speaker does not stay up (default false: reported, the lab still comes up). */
  readonly requireSpeakers?: boolean
  /** --log-level for the controller and the speakers (default info). */
  readonly logLevel?: string
  /** Progress lines (default: none). */
  readonly progress?: (line: string) => void
  /** Aborts a running `up` between steps; it then cleans up and throws. */
  readonly signal?: AbortSignal
}

export const METRICS_PORT = 7472
export const MEMBERLIST_PORT = 7946
const TERMINATION_GRACE_MS = 30_000

const findRepoRoot = (from: string): string => {
  for (let d = from; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d
    if (dirname(d) === d) throw new Error(`no package.json above ${from}`)
  }
}
export const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)))

export const defaultStateDir = (): string => {
  const env = process.env['IRONLB_LAB_DIR']
  return env !== undefined && env !== '' ? resolve(env) : join(repoRoot, '.lab', 'default')
}

const agentEntry = (): string => join(repoRoot, 'dist', 'shell', 'lab', 'agent.js')

// ---- up ----------------------------------------------------------------------------------------------------

export const labUp = async (opts: LabOptions = {}): Promise<Lab> => {
  const stateDir = resolve(opts.stateDir ?? defaultStateDir())
  const say = opts.progress ?? ((): void => undefined)
  const t0 = Date.now()
  const progress = (line: string): void => say(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${line}`)
  try {
    return await withLock(stateDir, () => upLocked(stateDir, opts, progress))
  } catch (e) {
    removeEmptyDefaultParent(stateDir)
    throw e
  }
}

const upLocked = async (stateDir: string, opts: LabOptions, progress: (l: string) => void): Promise<Lab> => {
  const nodeCount = opts.nodes ?? 3
  const id = labIdFor(stateDir)
  const prior = readState(stateDir)
  if (prior !== undefined && prior.complete) {
    if (prior.nodeCount !== nodeCount) throw new Error(`the lab in ${stateDir} is up with ${prior.nodeCount} nodes: run down first`)
    if (labNamespaces(topology(id, nodeCount)).every(namespaceExists)) {
      await repair(prior, progress)
      progress('lab is up')
      return new Lab(stateDir)
    }
    progress('namespaces are missing: rebuilding')
  }
  if (prior !== undefined || (await existingNamespaces(id)).length > 0) {
    progress('removing what an earlier, unfinished lab left')
    await teardown(stateDir)
  }
  try {
    await build(stateDir, id, nodeCount, opts, progress)
  } catch (e) {
    progress(`up failed (${errText(e).split('\n')[0] ?? ''}): removing what it made`)
    const report = await teardown(stateDir)
    progress(`removed ${report.namespaces.length} namespaces and ${report.processes} processes`)
    throw e
  }
  progress('lab is up')
  return new Lab(stateDir)
}

const build = async (stateDir: string, id: string, nodeCount: number, opts: LabOptions, progress: (l: string) => void): Promise<void> => {
  const checkpoint = (): void => {
    if (opts.signal?.aborted === true) throw new Error('interrupted')
  }
  if (process.getuid?.() !== 0) throw new Error('the lab needs root (network namespaces)')
  const topo = topology(id, nodeCount)
  const binDir = findK8sBinDir(repoRoot, opts.k8sBinDir)
  const ironlb = opts.ironlbEntry ?? join(repoRoot, 'dist', 'shell', 'cli', 'ironlb.js')
  for (const f of [ironlb, agentEntry()]) if (!existsSync(f)) throw new Error(`${f} is missing: run \`make -o node_modules/.installed build\``)
  for (const tool of ['ip', 'curl', 'sysctl']) if ((await run(['sh', '-c', `command -v ${tool}`])).code !== 0) throw new Error(`${tool} is missing (apt-get install -y iproute2 curl procps)`)

  const paths = kubePaths(stateDir)
  const state: LabState = {
    version: 1,
    id,
    stateDir,
    nodeCount,
    namespaces: labNamespaces(topo),
    procs: [],
    complete: false,
    createdAt: new Date().toISOString(),
    failed: [],
    partition: [],
    loss: {},
    apiServerUrl: apiServerUrl(topo),
    adminKubeconfig: kubeconfigPath(paths, 'admin'),
    k8sBinDir: binDir,
  }
  mkdirSync(stateDir, { recursive: true, mode: 0o700 })
  writeState(state) // before anything is made: `down` can always find it
  progress(`lab ${id} in ${stateDir}`)

  for (const ns of state.namespaces) await makeNamespace(ns)
  await wire(topo)
  progress(`network: ${topo.hosts.map((h) => `${h.name} ${lanOf(h).v4}`).join(', ')} on ${topo.segments[0]?.bridge ?? '?'} in ${namespaceOf(id, topo.switchHost)}`)
  checkpoint()

  const tokens = writeSecrets(paths, identities(topo))
  const logOf = (name: string): string => join(stateDir, 'logs', `${name}.log`)
  const etcd = await startProc(state, { name: 'etcd', host: 'infra', argv: etcdArgv(binDir, paths), log: logOf('etcd') })
  const api = await startProc(state, { name: 'kube-apiserver', host: 'infra', argv: apiServerArgv(binDir, paths, topo), log: logOf('kube-apiserver') })
  await waitApiServer(state, paths, tokens, [etcd, api], 90_000)
  progress(`kube-apiserver ready at ${state.apiServerUrl} (etcd pid ${etcd.ref?.pid}, apiserver pid ${api.ref?.pid})`)
  checkpoint()

  const k = (args: readonly string[], o: RunOptions = {}): Promise<string> => kubectlOk(state, args, o)
  const manifests = ['00-namespace.yaml', '10-crds.yaml', '20-rbac.yaml'].map((f) => join(repoRoot, 'deploy', 'manifests', f))
  await k(['apply', '--server-side', '--field-manager=ironlb-lab', ...manifests.flatMap((m) => ['-f', m])], { timeoutMs: 60_000 })
  await k(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s'], { timeoutMs: 70_000 })
  progress('deploy/manifests applied: namespace, CRDs (established), RBAC')

  for (const name of topo.nodes) await registerNode(state, topo, name)
  const memberlistKey = randomBytes(128).toString('base64') // as `openssl rand -base64 128` in MetalLB's docs
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'memberlist', namespace: METALLB_NAMESPACE },
    type: 'Opaque',
    data: { secretkey: Buffer.from(memberlistKey).toString('base64') },
  }
  await k(['apply', '--server-side', '--field-manager=ironlb-lab', '-f', '-'], { stdin: JSON.stringify(secret) })
  progress(`Nodes ${topo.nodes.join(', ')} registered (Ready); Secret ${METALLB_NAMESPACE}/memberlist created`)
  checkpoint()

  const labNodes = topo.nodes.map((n): LabNode => {
    const l = lanOf(hostOrThrow(topo, n))
    return { name: n, v4: l.v4, v6: l.v6 }
  })
  const agentDir = join(stateDir, 'agents')
  mkdirSync(agentDir, { recursive: true })
  const agentConfig = (name: string, node?: string): string => {
    const file = join(agentDir, `${name}.json`)
    const cfg = { kubeconfig: kubeconfigPath(paths, 'agent'), nodes: labNodes, resyncMs: 10_000, ...(node === undefined ? {} : { node }) }
    writeFileSync(file, `${JSON.stringify(cfg, null, 2)}\n`, { mode: 0o600 })
    return file
  }
  const agents = [await startProc(state, { name: 'lab-agent', host: 'infra', argv: [process.execPath, agentEntry(), 'cluster', agentConfig('cluster')], log: logOf('lab-agent') })]
  for (const n of topo.nodes)
    agents.push(await startProc(state, { name: `lab-agent-${n}`, host: n, argv: [process.execPath, agentEntry(), 'node', agentConfig(n, n)], log: logOf(`lab-agent-${n}`) }))
  for (const n of labNodes)
    await waitFor(`backend on ${n.name} answering ${n.v4}:80 from client`, 20_000, async () => {
      for (const a of agents) if (!procAlive(a)) throw exitedError(a)
      const r = await run(inNs(namespaceOf(id, 'client'), ['curl', '-s', '--max-time', '2', `http://${n.v4}/`]), { timeoutMs: 5_000 })
      return r.code === 0 && r.stdout.trim() === n.name
    })
  progress('lab agents up: kube-ipvs0 sync and an HTTP backend on each node, EndpointSlices from infra')
  checkpoint()

  const logLevel = opts.logLevel ?? 'info'
  if (opts.controller !== false) {
    const argv = [
      process.execPath,
      ironlb,
      'controller',
      `--kubeconfig=${kubeconfigPath(paths, 'controller')}`,
      `--namespace=${METALLB_NAMESPACE}`,
      `--port=${METRICS_PORT}`,
      '--host=0.0.0.0',
      '--pod-name=controller-lab',
      `--log-level=${logLevel}`,
    ]
    const ctl = await startProc(state, { name: 'controller', host: 'infra', argv, log: logOf('controller') })
    await waitFor('controller /readyz', 60_000, async () => {
      if (!procAlive(ctl)) throw exitedError(ctl)
      const r = await run(inNs(namespaceOf(id, 'infra'), ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '2', `http://127.0.0.1:${METRICS_PORT}/readyz`]))
      return r.stdout.trim() === '200'
    })
    progress(`controller ready (pid ${ctl.ref?.pid})`)
  }
  checkpoint()

  for (const n of topo.nodes) {
    const keyFile = join(stateDir, 'nodes', n, 'memberlist-key')
    mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 })
    // What the Secret's volume mount would hold: the value itself.
    writeFileSync(keyFile, memberlistKey, { mode: 0o600 })
    const argv = [
      process.execPath,
      ironlb,
      'speaker',
      '--node-name',
      n,
      '--namespace',
      METALLB_NAMESPACE,
      '--kubeconfig',
      kubeconfigPath(paths, `speaker-${n}`),
      '--port',
      String(METRICS_PORT),
      '--log-level',
      logLevel,
      '--memberlist-bind',
      lanOf(hostOrThrow(topo, n)).v4,
      '--memberlist-port',
      String(MEMBERLIST_PORT),
      '--memberlist-key-file',
      keyFile,
    ]
    const spec = { name: `speaker-${n}`, host: n, argv, log: logOf(`speaker-${n}`) }
    if (opts.speakers === false) recordProc(state, spec, 'stopped')
    else await startProc(state, spec)
  }
  if (opts.speakers !== false) {
    progress(`speakers started on ${topo.nodes.join(', ')}; checking they stay up`)
    await sleep(2_000)
    const verdicts = topo.nodes.map((n) => {
      const rec = procNamed(state, `speaker-${n}`)
      return rec === undefined ? 'crashed' : judgeSpeaker(rec)
    })
    writeState(state)
    if (verdicts.every((v) => v === 'unavailable')) progress('speakers NOT started: this checkout has no `ironlb speaker` command yet')
    else if (verdicts.some((v) => v === 'crashed')) {
      const bad = topo.nodes.filter((_, i) => verdicts[i] === 'crashed')
      if (opts.requireSpeakers === true) throw new Error(`speakers exited at start on ${bad.join(', ')}; see ${join(stateDir, 'logs')}`)
      progress(`WARNING: speakers exited at start on ${bad.join(', ')}; see ${join(stateDir, 'logs')}`)
    } else progress('speakers running')
    if (opts.requireSpeakers === true && verdicts.some((v) => v !== 'running')) throw new Error('speakers are required but not running')
  }

  state.complete = true
  writeState(state)
}

// The log goes with the lab when `up` cleans up, so the error carries its end.
const exitedError = (p: ProcRecord): Error => new Error(`${p.name} exited; last lines of its log:\n${tailFile(p.log, 12)}`)

const kubectlOk = async (state: LabState, args: readonly string[], opts: RunOptions = {}): Promise<string> => {
  const r = await kubectl(state.k8sBinDir, namespaceOf(state.id, 'infra'), state.adminKubeconfig, args, opts)
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr.trim()}`)
  return r.stdout
}

const waitApiServer = async (state: LabState, paths: KubePaths, tokens: ReadonlyMap<string, string> | undefined, procs: readonly ProcRecord[], timeoutMs: number): Promise<void> => {
  let wrote = tokens === undefined
  await waitFor('kube-apiserver /readyz', timeoutMs, async () => {
    for (const p of procs) if (!procAlive(p)) throw exitedError(p)
    if (!wrote) {
      const ca = readApiServerCa(paths)
      if (ca === undefined || tokens === undefined) return false
      writeKubeconfigs(paths, state.apiServerUrl, ca, tokens)
      wrote = true
    }
    const r = await kubectl(state.k8sBinDir, namespaceOf(state.id, 'infra'), state.adminKubeconfig, ['get', '--raw=/readyz', '--request-timeout=3s'], { timeoutMs: 6_000 })
    return r.code === 0 && r.stdout.trim() === 'ok'
  })
}

/** A Node as a kubelet would register it: the usual labels, both InternalIPs, Ready. */
const registerNode = async (state: LabState, topo: Topology, name: string): Promise<void> => {
  const l = lanOf(hostOrThrow(topo, name))
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': 'amd64',
        'node-role.kubernetes.io/worker': '',
      },
    },
    spec: {},
  }
  await kubectlOk(state, ['apply', '--server-side', '--field-manager=ironlb-lab', '-f', '-'], { stdin: JSON.stringify(node) })
  const now = new Date().toISOString()
  const status = {
    status: {
      addresses: [
        { type: 'InternalIP', address: l.v4 },
        { type: 'InternalIP', address: l.v6 },
        { type: 'Hostname', address: name },
      ],
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ironlb-lab plays the kubelet', lastHeartbeatTime: now, lastTransitionTime: now }],
    },
  }
  await kubectlOk(state, ['patch', 'node', name, '--subresource=status', '--type=merge', '-p', JSON.stringify(status)])
}

/** `up` on a lab that is up: restart whatever should run and does not (etcd first, speakers last). */
const repair = async (state: LabState, progress: (l: string) => void): Promise<void> => {
  const dead = state.procs.filter((p) => p.wanted === 'running' && !procAlive(p))
  for (const p of dead) {
    progress(`restarting ${p.name} (it had died)`)
    await startProc(state, p)
  }
  if (dead.some((p) => p.name === 'kube-apiserver' || p.name === 'etcd'))
    await waitApiServer(state, kubePaths(state.stateDir), undefined, state.procs.filter((p) => p.name === 'etcd' || p.name === 'kube-apiserver'), 90_000)
}

// ---- down --------------------------------------------------------------------------------------------------

export interface DownReport {
  readonly namespaces: readonly string[]
  readonly processes: number
  readonly ms: number
}

/** Removes the lab in `stateDir` (or whatever part of it exists); safe to run any number of times. */
export const labDown = async (stateDir: string = defaultStateDir()): Promise<DownReport> => {
  const dir = resolve(stateDir)
  const report = await withLock(dir, () => teardown(dir))
  removeEmptyDefaultParent(dir)
  return report
}

// The default folder's parent (.lab) goes too when nothing else is in it (the lock file is gone by now).
const removeEmptyDefaultParent = (stateDir: string): void => {
  const parent = dirname(stateDir)
  try {
    if (parent === join(repoRoot, '.lab') && readdirSync(parent).length === 0) rmdirSync(parent)
  } catch {
    // Someone else's file appeared, or it is gone already: leave it.
  }
}

const teardown = async (stateDir: string): Promise<DownReport> => {
  const started = Date.now()
  const id = labIdFor(stateDir)
  let state: LabState | undefined
  try {
    state = readState(stateDir)
  } catch {
    state = undefined // unreadable: the namespace names still follow from the folder
  }
  const refs = (state?.procs ?? []).flatMap((p) => (p.ref === undefined ? [] : [p.ref]))
  // Recorded processes first, politely but briefly; the lab's data is thrown away anyway.
  let killed = (await waitGone(refs, 0)).length
  await stopAll(refs, 3_000)
  const namespaces = [...new Set([...(state?.namespaces ?? []), ...(await existingNamespaces(id))])].filter(namespaceExists)
  // Then anything else running in the lab's namespaces (a user's `on node1 tcpdump`, a process whose
  // record was lost): deleting a namespace does not end its processes.
  for (const ns of namespaces) {
    const pids = (await run(['ip', 'netns', 'pids', ns])).stdout.split('\n').map(Number).filter((n) => Number.isInteger(n) && n > 0)
    for (const pid of pids.filter((p) => p !== process.pid && p !== process.ppid))
      try {
        process.kill(pid, 'SIGKILL')
        killed++
      } catch {
        // Gone already.
      }
    const deadline = Date.now() + 5_000
    while ((await run(['ip', 'netns', 'pids', ns])).stdout.trim() !== '' && Date.now() < deadline) await sleep(50)
  }
  for (const ns of namespaces) await run(['ip', 'netns', 'del', ns])
  const left = (await existingNamespaces(id)).filter(namespaceExists)
  if (left.length > 0) throw new Error(`namespaces still there after down: ${left.join(', ')}`)
  rmSync(stateDir, { recursive: true, force: true })
  return { namespaces, processes: killed, ms: Date.now() - started }
}

// ---- the lab, once up ----------------------------------------------------------------------------------

/** Attaches to the lab that is up in `stateDir`; throws when there is none. */
export const openLab = (stateDir: string = defaultStateDir()): Lab => {
  const dir = resolve(stateDir)
  const state = readState(dir)
  if (state === undefined || !state.complete) throw new Error(`no lab is up in ${dir} (run: ironlb-lab up)`)
  return new Lab(dir)
}

const hostOrThrow = (topo: Topology, name: string): Host => {
  const h = hostNamed(topo, name)
  if (h === undefined) throw new Error(`no host ${name} (hosts: ${topo.hosts.map((x) => x.name).join(', ')})`)
  return h
}

export interface ProcStatus {
  readonly name: string
  readonly host: string
  readonly pid: number | undefined
  readonly alive: boolean
  readonly wanted: ProcRecord['wanted']
  readonly note: string | undefined
  readonly log: string
}

export interface HostStatus {
  readonly name: string
  readonly kind: Host['kind']
  readonly namespace: string
  readonly exists: boolean
  readonly v4: string
  readonly v6: string
  readonly linkUp: boolean
  readonly lossPct: number
  readonly side: number
}

export interface ServiceStatus {
  readonly namespace: string
  readonly name: string
  readonly type: string
  readonly ips: readonly string[]
  readonly trafficPolicy: string
}

export interface LabStatus {
  readonly id: string
  readonly stateDir: string
  readonly apiServerUrl: string
  readonly adminKubeconfig: string
  readonly hosts: readonly HostStatus[]
  readonly processes: readonly ProcStatus[]
  readonly services: readonly ServiceStatus[] | { readonly error: string }
}

export type ApiServerAction = 'stop' | 'start' | 'freeze' | 'thaw'

export class Lab {
  readonly stateDir: string
  readonly id: string
  readonly topology: Topology

  constructor(stateDir: string) {
    this.stateDir = stateDir
    const state = this.state()
    this.id = state.id
    this.topology = topology(state.id, state.nodeCount)
  }

  private state(): LabState {
    const s = readState(this.stateDir)
    if (s === undefined) throw new Error(`no lab in ${this.stateDir}`)
    return s
  }

  /** Re-reads the state under the lock, runs `fn`, and saves what it changed. */
  private mutate<T>(fn: (s: LabState) => Promise<T>): Promise<T> {
    return withLock(this.stateDir, async () => {
      const s = this.state()
      const out = await fn(s)
      writeState(s)
      return out
    })
  }

  get apiServerUrl(): string {
    return apiServerUrl(this.topology)
  }

  /** The admin kubeconfig; its server is reachable from inside the lab's namespaces only. */
  get adminKubeconfig(): string {
    return this.state().adminKubeconfig
  }

  /** The kubeconfig of a lab identity: admin, agent, controller or speaker-<node>. */
  kubeconfig(identity: string): string {
    const path = kubeconfigPath(kubePaths(this.stateDir), identity)
    if (!existsSync(path)) throw new Error(`no kubeconfig for ${identity}`)
    return path
  }

  /** The folder with etcd, kube-apiserver and kubectl this lab runs. */
  get k8sBinDir(): string {
    return this.state().k8sBinDir
  }

  get nodes(): readonly string[] {
    return this.topology.nodes
  }

  namespace(host: string): string {
    hostOrThrow(this.topology, host)
    return namespaceOf(this.id, host)
  }

  /** A host's LAN addresses. */
  address(host: string): { readonly v4: string; readonly v6: string } {
    const l = lanOf(hostOrThrow(this.topology, host))
    return { v4: l.v4, v6: l.v6 }
  }

  /** The real kubectl (admin), run inside infra. */
  kubectl(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const s = this.state()
    return kubectl(s.k8sBinDir, namespaceOf(s.id, 'infra'), s.adminKubeconfig, args, opts)
  }

  /** kubectl with `-o json` added, parsed; throws on failure. */
  async kubectlJson<T = Record<string, unknown>>(args: readonly string[], opts: RunOptions = {}): Promise<T> {
    const r = await this.kubectl([...args, '-o', 'json'], opts)
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`)
    return JSON.parse(r.stdout) as T
  }

  /** Runs a command to completion inside a host's namespace (bounded by opts.timeoutMs, default 20 s). */
  exec(host: string, argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return run(inNs(this.namespace(host), argv), opts)
  }

  /** Power loss: the node's link cut (no frame in or out of its eth0) and its speaker SIGKILLed. */
  fail(node: string): Promise<void> {
    this.assertNode(node)
    return this.mutate(async (s) => {
      await setLink(this.topology, node, false)
      if (!s.failed.includes(node)) s.failed.push(node)
      const sp = procNamed(s, `speaker-${node}`)
      // A speaker stopped on purpose (or never available) stays as it is: heal then leaves it alone too.
      if (sp !== undefined && (sp.wanted === 'running' || sp.wanted === 'killed')) await stopProc(s, sp, 'killed', 0)
    })
  }

  /** The link back up and the speaker restarted (unless it was stopped on purpose or does not exist); says which. */
  heal(node: string): Promise<'restarted' | 'left stopped' | 'unavailable' | 'crashed'> {
    this.assertNode(node)
    return this.mutate(async (s) => {
      await setLink(this.topology, node, true)
      s.failed = s.failed.filter((n) => n !== node)
      const sp = procNamed(s, `speaker-${node}`)
      if (sp === undefined || sp.wanted === 'unavailable') return 'unavailable'
      if (sp.wanted === 'stopped') return 'left stopped'
      const verdict = await this.startSpeakerIn(s, sp)
      return verdict === 'running' ? 'restarted' : verdict
    })
  }

  /** SIGTERM, as a rolling update does (SIGKILL after 30 s, the default grace period). */
  stopSpeaker(node: string): Promise<void> {
    this.assertNode(node)
    return this.mutate(async (s) => {
      const sp = this.speaker(s, node)
      await stopProc(s, sp, 'stopped', TERMINATION_GRACE_MS)
    })
  }

  startSpeaker(node: string): Promise<void> {
    this.assertNode(node)
    return this.mutate(async (s) => {
      const sp = this.speaker(s, node)
      if (procAlive(sp)) return
      await this.startSpeakerIn(s, sp)
      if (sp.wanted === 'unavailable') throw new Error(`speaker-${node}: ${sp.note ?? 'not available'}`)
    })
  }

  private speaker(s: LabState, node: string): ProcRecord {
    const sp = procNamed(s, `speaker-${node}`)
    if (sp === undefined) throw new Error(`no speaker record for ${node}`)
    return sp
  }

  private async startSpeakerIn(s: LabState, sp: ProcRecord): Promise<ReturnType<typeof judgeSpeaker>> {
    await startProc(s, sp)
    await sleep(1_000)
    return judgeSpeaker(sp)
  }

  /** stop: SIGTERM then SIGKILL (connections refused); freeze: SIGSTOP (connections hang); start / thaw undo. */
  apiServer(action: ApiServerAction): Promise<void> {
    return this.mutate(async (s) => {
      const api = procNamed(s, 'kube-apiserver')
      if (api === undefined) throw new Error('no kube-apiserver record')
      switch (action) {
        case 'stop':
          return stopProc(s, api, 'stopped', 5_000)
        case 'start':
          await startProc(s, api)
          return waitApiServer(s, kubePaths(s.stateDir), undefined, [api], 90_000)
        case 'freeze':
          if (api.ref === undefined || !signal(api.ref, 'SIGSTOP')) throw new Error('kube-apiserver is not running')
          api.note = 'frozen (SIGSTOP)'
          return
        case 'thaw':
          if (api.ref !== undefined) signal(api.ref, 'SIGCONT')
          delete api.note
          return
      }
    })
  }

  /** Splits the LAN: each side gets its own bridge, hosts not named stay together (with what is left). */
  partition(...sides: readonly (readonly string[])[]): Promise<void> {
    return this.mutate(async (s) => {
      await partition(this.topology, sides)
      s.partition = sides.map((x) => [...x])
    })
  }

  unpartition(): Promise<void> {
    return this.mutate(async (s) => {
      await unpartition(this.topology)
      s.partition = []
    })
  }

  /** Random loss of `pct` per cent of the frames to and from `host` (0 removes it). */
  setLoss(host: string, pct: number): Promise<void> {
    hostOrThrow(this.topology, host)
    return this.mutate(async (s) => {
      const loss = { ...s.loss }
      if (pct === 0) delete loss[host]
      else loss[host] = pct
      await setLoss(this.topology, loss)
      s.loss = loss
    })
  }

  /** Sets one node's endpoint for a Service ("ns/name" or "name" in default): the lab's agent rewrites the slices. */
  async setEndpoint(service: string, node: string, state: EndpointState): Promise<void> {
    this.assertNode(node)
    const [ns, name] = service.includes('/') ? service.split('/', 2) : ['default', service]
    if (ns === undefined || name === undefined) throw new Error(`bad service ${service}`)
    const svc = await this.kubectlJson<{ metadata?: { annotations?: Record<string, string> } }>(['get', 'service', '-n', ns, name])
    const text = withOverride(svc.metadata?.annotations?.[ENDPOINTS_ANNOTATION], this.topology.nodes, node, state)
    const patch = { metadata: { annotations: { [ENDPOINTS_ANNOTATION]: text === '' ? null : text } } }
    const r = await this.kubectl(['patch', 'service', '-n', ns, name, '--type=merge', '-p', JSON.stringify(patch)])
    if (r.code !== 0) throw new Error(`kubectl patch service ${service}: ${r.stderr.trim()}`)
  }

  async status(): Promise<LabStatus> {
    const s = this.state()
    const side = (h: string): number => s.partition.findIndex((x) => x.includes(h)) + 1
    const hosts: HostStatus[] = []
    for (const h of this.topology.hosts) {
      const ns = namespaceOf(s.id, h.name)
      const exists = namespaceExists(ns)
      const l = lanOf(h)
      hosts.push({ name: h.name, kind: h.kind, namespace: ns, exists, v4: l.v4, v6: l.v6, linkUp: exists && (await linkIsUp(this.topology, h.name)), lossPct: s.loss[h.name] ?? 0, side: side(h.name) })
    }
    const processes = s.procs.map((p) => ({ name: p.name, host: p.host, pid: p.ref?.pid, alive: procAlive(p), wanted: p.wanted, note: p.note, log: p.log }))
    let services: LabStatus['services']
    const r = await this.kubectl(['get', 'services', '-A', '-o', 'json', '--request-timeout=5s'], { timeoutMs: 10_000 })
    if (r.code !== 0) services = { error: r.stderr.trim().split('\n')[0] ?? 'kubectl failed' }
    else {
      const items = (JSON.parse(r.stdout) as { items?: Record<string, Record<string, unknown>>[] }).items ?? []
      services = items
        .filter((i) => i['spec']?.['type'] === 'LoadBalancer')
        .map((i) => ({
          namespace: String(i['metadata']?.['namespace'] ?? ''),
          name: String(i['metadata']?.['name'] ?? ''),
          type: 'LoadBalancer',
          ips: ((i['status']?.['loadBalancer'] as { ingress?: { ip?: string }[] } | undefined)?.ingress ?? []).flatMap((x) => (x.ip === undefined ? [] : [x.ip])),
          trafficPolicy: String(i['spec']?.['externalTrafficPolicy'] ?? 'Cluster'),
        }))
    }
    return { id: s.id, stateDir: s.stateDir, apiServerUrl: s.apiServerUrl, adminKubeconfig: s.adminKubeconfig, hosts, processes, services }
  }

  down(): Promise<DownReport> {
    return labDown(this.stateDir)
  }

  private assertNode(node: string): void {
    if (!this.topology.nodes.includes(node)) throw new Error(`no node ${node} (nodes: ${this.topology.nodes.join(', ')})`)
  }
}

/** The status as the CLI prints it. */
export const statusText = (st: LabStatus): string => {
  const lines = [`lab ${st.id}  state ${st.stateDir}`, `api server ${st.apiServerUrl} (from lab namespaces; kubeconfig ${st.adminKubeconfig})`, '', 'hosts:']
  for (const h of st.hosts) {
    const flags = [h.exists ? '' : 'MISSING', h.linkUp ? '' : 'LINK DOWN', h.lossPct > 0 ? `loss ${h.lossPct}%` : '', h.side > 0 ? `partition side ${h.side}` : ''].filter((x) => x !== '')
    lines.push(`  ${h.name.padEnd(8)} ${h.kind.padEnd(7)} ${h.v4.padEnd(15)} ${h.v6.padEnd(20)} ${h.namespace}${flags.length > 0 ? `  [${flags.join(', ')}]` : ''}`)
  }
  lines.push('', 'processes:')
  for (const p of st.processes) {
    const state = p.alive ? 'alive' : p.wanted === 'running' ? 'DEAD' : p.wanted === 'unavailable' ? 'not started' : p.wanted
    lines.push(`  ${p.name.padEnd(18)} ${p.host.padEnd(7)} pid ${String(p.pid ?? '-').padEnd(8)} ${state}${p.note === undefined ? '' : `  (${p.note})`}`)
  }
  lines.push('', 'LoadBalancer services:')
  if ('error' in st.services) lines.push(`  (unavailable: ${st.services.error})`)
  else if (st.services.length === 0) lines.push('  (none)')
  else for (const s of st.services) lines.push(`  ${`${s.namespace}/${s.name}`.padEnd(30)} ${(s.ips.length > 0 ? s.ips.join(', ') : '<pending>').padEnd(40)} ${s.trafficPolicy}`)
  return `${lines.join('\n')}\n`
}

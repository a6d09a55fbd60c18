// `up`: builds the lab step by step (namespaces and wires, etcd and kube-apiserver in infra, manifests,
// Nodes and the memberlist Secret, the lab's agents, the controller, a speaker per node), recording each
// thing before it is made so that a failure, an interrupt or a crash part way leaves nothing `down`
// cannot find; a failed `up` removes what it made before it reports. On a lab that is up it only
// restarts what should run and does not.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { LabNode } from './desired.js'
import { removeEmptyDefaultParent, teardown } from './down.js'
import { findK8sBinDir, kubePaths, kubeconfigPath, logPath, type KubePaths } from '../testbed/controlPlane.js'
import { METALLB_NAMESPACE, exitedError, kubectl, startLabControlPlane, waitLabApiServer } from './kube.js'
import { claimLabFolder } from './marker.js'
import { makeNamespace, namespaceExists } from '../testbed/netns.js'
import { existingNamespaces, labNamespaces, waitFor, wire } from './network.js'
import { loadPacketAddon } from '../native/packetSocket.js'
import { agentEntry, defaultIronlbEntry, defaultStateDir, repoRoot } from './paths.js'
import { judgeSpeaker, procAlive, procNamed, recordProc, startProc } from './procs.js'
import { readState, withLock, writeState, type LabState } from './state.js'
import { errText, inNs, run, sleep, type RunOptions } from '../testbed/sys.js'
import { apiServerUrl, hostOrThrow, labIdFor, lanOf, namespaceOf, topology, type Topology } from './topology.js'
import { startLabRouter } from './router.js'
import type { RouterKind } from '../testbed/router.js'

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
  /** Flags appended to each speaker's (e.g. --memberlist-probe-interval=1s); default $IRONLB_LAB_SPEAKER_ARGS split on spaces, else none. */
  readonly speakerArgs?: readonly string[]
  /** --log-level for the controller and the speakers (default info). */
  readonly logLevel?: string
  /** A BGP router between the LAN and the client's edge network (default: none; shell/lab/router.ts). */
  readonly router?: RouterKind
  /** Progress lines (default: none). */
  readonly progress?: (line: string) => void
  /** Aborts a running `up` between steps; it then cleans up and throws. */
  readonly signal?: AbortSignal
}

export const METRICS_PORT = 7472
/** The daemons' plain liveness/readiness port (--health-probe-bind-address); /metrics is HTTPS on METRICS_PORT. */
const HEALTH_PORT = 7473
const MEMBERLIST_PORT = 7946

/** Builds the lab (or checks and repairs one that is up); resolves to its state folder. */
export const upLab = async (opts: LabOptions = {}): Promise<string> => {
  const stateDir = resolve(opts.stateDir ?? defaultStateDir())
  const say = opts.progress ?? ((): void => undefined)
  const t0 = Date.now()
  const progress = (line: string): void => say(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${line}`)
  // A speaker without the packet socket addon cannot answer ARP/NDP: refuse rather than report a lab
  // that looks up and answers nothing (the error says how to build it).
  if (opts.speakers !== false) loadPacketAddon()
  try {
    return await withLock(stateDir, () => upLocked(stateDir, opts, progress))
  } catch (e) {
    removeEmptyDefaultParent(stateDir)
    throw e
  }
}

const upLocked = async (stateDir: string, opts: LabOptions, progress: (l: string) => void): Promise<string> => {
  const nodeCount = opts.nodes ?? 3
  const id = labIdFor(stateDir)
  claimLabFolder(stateDir, id)
  const prior = readState(stateDir)
  if (prior !== undefined && prior.complete) {
    if (prior.nodeCount !== nodeCount) throw new Error(`the lab in ${stateDir} is up with ${prior.nodeCount} nodes: run down first`)
    if (prior.router?.kind !== opts.router) throw new Error(`the lab in ${stateDir} is up with ${prior.router === undefined ? 'no router' : `router ${prior.router.kind}`}: run down first`)
    if (labNamespaces(topology(id, nodeCount, opts.router !== undefined)).every(namespaceExists)) {
      await repair(prior, progress)
      progress('lab is up')
      return stateDir
    }
    progress('namespaces are missing: rebuilding')
  }
  if (prior !== undefined || existingNamespaces(id).length > 0) {
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
  return stateDir
}

const build = async (stateDir: string, id: string, nodeCount: number, opts: LabOptions, progress: (l: string) => void): Promise<void> => {
  const checkpoint = (): void => {
    if (opts.signal?.aborted === true) throw new Error('interrupted')
  }
  const b = await prepare(stateDir, id, nodeCount, opts, progress)
  const { state, topo } = b
  for (const ns of state.namespaces) await makeNamespace(ns)
  await wire(topo)
  progress(`network: ${topo.hosts.map((h) => `${h.name} ${lanOf(h).v4}`).join(', ')} on ${topo.segments[0]?.bridge ?? '?'} in ${namespaceOf(id, topo.switchHost)}`)
  checkpoint()
  if (opts.router !== undefined) progress(await startLabRouter(state, topo, opts.router, b.logOf))
  checkpoint()
  const startupMs = await startLabControlPlane(state, topo, 90_000, opts.signal)
  const pidOf = (name: string): string => String(procNamed(state, name)?.ref?.pid ?? '?')
  progress(`kube-apiserver ready at ${state.apiServerUrl} in ${startupMs} ms (etcd pid ${pidOf('etcd')}, apiserver pid ${pidOf('kube-apiserver')})`)
  checkpoint()
  const memberlistKey = await applyCluster(b)
  checkpoint()
  await startAgents(b)
  checkpoint()
  if (opts.controller !== false) await startController(b)
  checkpoint()
  await startSpeakers(b, memberlistKey)
  state.complete = true
  writeState(state)
}

/** What the steps of `build` read. */
interface Build {
  readonly state: LabState
  readonly topo: Topology
  readonly paths: KubePaths
  readonly opts: LabOptions
  readonly ironlb: string
  readonly progress: (l: string) => void
  readonly logOf: (name: string) => string
}

/** Checks what the lab needs, then writes state.json before anything is made: `down` can always find it. */
const prepare = async (stateDir: string, id: string, nodeCount: number, opts: LabOptions, progress: (l: string) => void): Promise<Build> => {
  if (process.getuid?.() !== 0) throw new Error('the lab needs root (network namespaces)')
  const topo = topology(id, nodeCount, opts.router !== undefined)
  const binDir = findK8sBinDir(repoRoot, opts.k8sBinDir)
  const ironlb = opts.ironlbEntry ?? defaultIronlbEntry()
  for (const f of [ironlb, agentEntry()]) if (!existsSync(f)) throw new Error(`${f} is missing: run \`make -o node_modules/.installed build\``)
  // The lab's own needs; `make system-tools` installs them (the list is specs/support/system-tools.txt).
  const absent: string[] = []
  for (const tool of ['ip', 'curl', 'sysctl', 'nft']) if ((await run(['sh', '-c', `command -v ${tool}`])).code !== 0) absent.push(tool)
  if (absent.length > 0) throw new Error(`missing ${absent.join(', ')}: run \`make system-tools\` as root (Debian packages iproute2 curl procps nftables)`)
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
  writeState(state)
  progress(`lab ${id} in ${stateDir}`)
  return { state, topo, paths, opts, ironlb, progress, logOf: (name) => logPath(paths, name) }
}

/** deploy/'s namespace, CRDs and RBAC, the Nodes, and the memberlist Secret; resolves to the Secret's key. */
const applyCluster = async ({ state, topo, progress }: Build): Promise<string> => {
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
  return memberlistKey
}

/** The lab's agents (kube-ipvs0 sync and an HTTP backend per node, EndpointSlices from infra), up when every backend answers. */
const startAgents = async ({ state, topo, paths, opts, progress, logOf }: Build): Promise<void> => {
  const id = state.id
  const stateDir = state.stateDir
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
    }, opts.signal)
  progress('lab agents up: kube-ipvs0 sync and an HTTP backend on each node, EndpointSlices from infra')
}

/** The IronLB controller in infra, up when its /readyz answers. */
const startController = async ({ state, paths, opts, ironlb, progress, logOf }: Build): Promise<void> => {
  const id = state.id
  const logLevel = opts.logLevel ?? 'info'
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
    const r = await run(inNs(namespaceOf(id, 'infra'), ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '2', `http://127.0.0.1:${HEALTH_PORT}/readyz`]))
    return r.stdout.trim() === '200'
  }, opts.signal)
  progress(`controller ready (pid ${ctl.ref?.pid})`)
}

/** A speaker per node (or only its record, with speakers off), each judged a moment after it starts. */
const startSpeakers = async ({ state, topo, paths, opts, ironlb, progress, logOf }: Build, memberlistKey: string): Promise<void> => {
  const stateDir = state.stateDir
  const logLevel = opts.logLevel ?? 'info'
  const speakerArgs = opts.speakerArgs ?? (process.env['IRONLB_LAB_SPEAKER_ARGS'] ?? '').split(' ').filter((a) => a !== '')
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
      ...speakerArgs,
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

}

const kubectlOk = async (state: LabState, args: readonly string[], opts: RunOptions = {}): Promise<string> => {
  const r = await kubectl(state.k8sBinDir, namespaceOf(state.id, 'infra'), state.adminKubeconfig, args, opts)
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr.trim()}`)
  return r.stdout
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
    await waitLabApiServer(state, state.procs.filter((p) => p.name === 'etcd' || p.name === 'kube-apiserver'), 90_000)
}

// The live Layer 2 lab as a TypeScript API: `labUp` builds it (namespaces on a bridge, a real control
// plane in `infra`, Nodes, the IronLB controller and one speaker per node, kube-proxy and backends played
// by the lab's agents; see up.ts), `openLab` attaches to one that is up, and a `Lab`'s methods inject
// faults and look inside. The CLI (cli.ts) is a thin layer over this; end-to-end tests and the demo use
// it in process. State lives in one folder (default <checkout>/.lab/default); `down` (down.ts) removes
// every process, namespace and file the lab made.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { ENDPOINTS_ANNOTATION, withOverride, type EndpointState } from './desired.js'
import { labDown, type DownReport } from './down.js'
import { kubePaths, kubeconfigPath } from '../testbed/controlPlane.js'
import { kubectl, waitLabApiServer } from './kube.js'
import { namespaceExists } from '../testbed/netns.js'
import { linkIsUp, partition, setLink, setLoss, unpartition } from './network.js'
import { defaultStateDir } from './paths.js'
import { judgeSpeaker, procAlive, procNamed, startProc, stopProc } from './procs.js'
import { readState, withLock, writeState, type LabState, type ProcRecord } from './state.js'
import type { HostStatus, LabStatus } from './status.js'
import { inNs, run, signal, sleep, type RunOptions, type RunResult } from '../testbed/sys.js'
import { apiServerUrl, hostOrThrow, lanOf, namespaceOf, topology, type Topology } from './topology.js'
import { upLab, type LabOptions } from './up.js'

export { labDown } from './down.js'
export { defaultStateDir, repoRoot } from './paths.js'
export { statusText } from './status.js'
export { METRICS_PORT, type LabOptions } from './up.js'

const TERMINATION_GRACE_MS = 30_000

/** Builds the lab in opts.stateDir (idempotent: a lab that is up is checked and repaired) and attaches. */
export const labUp = async (opts: LabOptions = {}): Promise<Lab> => new Lab(await upLab(opts))

/** Attaches to the lab that is up in `stateDir`; throws when there is none (or, unless `partial`, while `up` still runs). */
export const openLab = (stateDir: string = defaultStateDir(), opts: { readonly partial?: boolean } = {}): Lab => {
  const dir = resolve(stateDir)
  const state = readState(dir)
  if (state === undefined || (!state.complete && opts.partial !== true)) throw new Error(`no lab is up in ${dir} (run: ironlb-lab up)`)
  return new Lab(dir)
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
    this.topology = topology(state.id, state.nodeCount, state.router !== undefined)
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
          return waitLabApiServer(s, [api], 90_000)
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
    return { id: s.id, stateDir: s.stateDir, apiServerUrl: s.apiServerUrl, adminKubeconfig: s.adminKubeconfig, complete: s.complete, hosts, processes, services }
  }

  down(): Promise<DownReport> {
    return labDown(this.stateDir)
  }

  private assertNode(node: string): void {
    if (!this.topology.nodes.includes(node)) throw new Error(`no node ${node} (nodes: ${this.topology.nodes.join(', ')})`)
  }
}

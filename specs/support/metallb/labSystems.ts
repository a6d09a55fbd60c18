// MetalLB v0.16.2 (built by `make metallb-bins`) or IronLB as the process lab's load balancer, one at a
// time, on a lab brought up with neither (`labUp({ controller: false, speakers: false })`). Test and
// bench code only: MetalLB stays out of the product.
//  - MetalLB's speaker finds its peers through the API (speakerlist.go: Pods matching --ml-labels in
//    --namespace, their status.podIP) and reads its own Pod at start (--pod-name), as does its
//    controller. No kubelet runs here, so the Pods are objects only: spec.nodeName set, and a status
//    (podIP = the node's LAN address, Ready) written through the status subresource.
//  - Whichever system runs holds the lab's process records `speaker-<node>`, so the lab's faults
//    (fail, heal, stop-speaker, start-speaker) act on it; the other system's records are parked under
//    `parked-speaker-<node>` (never started while parked; `down` still finds them).
//  - Both run with the same objects and the lab's memberlist Secret value; MetalLB as the lab admin
//    (its RBAC is not IronLB's to install), IronLB with its own identities, exactly as `up` starts it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Lab } from '../../../shell/lab/lab.js'
import { METRICS_PORT } from '../../../shell/lab/lab.js'
import { defaultIronlbEntry } from '../../../shell/lab/paths.js'
import { procAlive, procNamed, startProc } from '../../../shell/lab/procs.js'
import { readState, withLock, writeState, type LabState, type ProcRecord } from '../../../shell/lab/state.js'
import { kubePaths, kubeconfigPath, logPath } from '../../../shell/testbed/controlPlane.js'
import { stopAll } from '../../../shell/testbed/sys.js'
import { metallbBinDir } from '../../bench/metallbProcess.js'

export type LbSystem = 'metallb' | 'ironlb'

const NS = 'metallb-system'
const SPEAKER_LABELS = { app: 'metallb', component: 'speaker' }
const ML_PORT = 7946
/** MetalLB's controller-runtime health port (its default 17472 is free too; named for the reader). */
const METALLB_HEALTH_PORT = 17472

const speakerPod = (node: string): string => `metallb-speaker-${node}`

/** kubectl through the lab; throws with stderr on failure. */
const k = async (lab: Lab, args: readonly string[], stdin?: string): Promise<string> => {
  const r = await lab.kubectl(args, stdin === undefined ? {} : { stdin })
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`)
  return r.stdout
}

/** The Pods MetalLB's processes read: `controller`, and a speaker Pod per node, Ready with the node's address. */
const ensureMetallbPods = async (lab: Lab): Promise<void> => {
  const pod = (name: string, labels: Record<string, string>, node?: string): unknown => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels },
    spec: { ...(node === undefined ? {} : { nodeName: node, hostNetwork: true }), containers: [{ name: 'main', image: 'quay.io/metallb/speaker:v0.16.2' }] },
  })
  const pods = [pod('controller', { app: 'metallb', component: 'controller' }), ...lab.nodes.map((n) => pod(speakerPod(n), SPEAKER_LABELS, n))]
  await k(lab, ['apply', '--server-side', '--field-manager=ironlb-lab', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: pods }))
  const now = new Date().toISOString()
  for (const n of lab.nodes) {
    const ip = lab.address(n).v4
    const status = { status: { phase: 'Running', hostIP: ip, podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } }
    await k(lab, ['patch', 'pod', '-n', NS, speakerPod(n), '--subresource=status', '--type=merge', '-p', JSON.stringify(status)])
  }
}

/** The folder MetalLB's --ml-secret-key-path names: file `secretkey` holding the Secret's value. */
const metallbKeyDir = (lab: Lab, node: string): string => {
  const dir = join(lab.stateDir, 'metallb', node)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  writeFileSync(join(dir, 'secretkey'), readFileSync(join(lab.stateDir, 'nodes', node, 'memberlist-key')), { mode: 0o600 })
  return dir
}

const metallbSpeakerArgv = (lab: Lab, node: string, bin: string): string[] => [
  join(bin, 'speaker'),
  `--kubeconfig=${lab.adminKubeconfig}`,
  `--node-name=${node}`,
  `--pod-name=${speakerPod(node)}`,
  `--namespace=${NS}`,
  `--ml-bindaddr=${lab.address(node).v4}`,
  `--ml-bindport=${ML_PORT}`,
  `--ml-labels=${Object.entries(SPEAKER_LABELS).map(([a, b]) => `${a}=${b}`).join(',')}`,
  `--ml-secret-key-path=${metallbKeyDir(lab, node)}`,
  '--port=0',
  `--health-probe-port=${METALLB_HEALTH_PORT}`,
  '--log-level=info',
]

const controllerSpec = (lab: Lab, system: LbSystem): { name: string; host: string; argv: string[]; log: string } => {
  const paths = kubePaths(lab.stateDir)
  if (system === 'ironlb') {
    // What shell/lab/up.ts starts (its startController), from the CLI the lab's speakers run.
    const argv = [process.execPath, ironlbEntry(lab), 'controller', `--kubeconfig=${kubeconfigPath(paths, 'controller')}`, `--namespace=${NS}`, `--port=${METRICS_PORT}`, '--host=0.0.0.0', '--pod-name=controller-lab', '--log-level=info']
    return { name: 'controller', host: 'infra', argv, log: logPath(paths, 'controller') }
  }
  const bin = metallbBinDir()
  const argv = [join(bin, 'controller'), `--kubeconfig=${lab.adminKubeconfig}`, `--namespace=${NS}`, '--pod-name=controller', '--webhook-mode=disabled', '--disable-cert-rotation', '--port=0', `--health-probe-port=${METALLB_HEALTH_PORT}`, '--log-level=info']
  return { name: 'metallb-controller', host: 'infra', argv, log: logPath(paths, 'metallb-controller') }
}

const isMetallb = (rec: ProcRecord): boolean => (rec.argv[0] ?? '').endsWith('/speaker')

/** The IronLB CLI the lab was brought up with (LabOptions.ironlbEntry): its IronLB speaker records name it. */
const ironlbEntry = (lab: Lab): string => {
  const s = readState(lab.stateDir)
  const rec = s?.procs.find((p) => p.name.endsWith(`speaker-${lab.nodes[0] ?? ''}`) && !isMetallb(p))
  return rec === undefined ? defaultIronlbEntry() : (afterNodeFlags(rec.argv)[0] ?? defaultIronlbEntry())
}

/** An IronLB speaker's argv after node and its flags: the entry point, then the command and its flags. */
const afterNodeFlags = (argv: readonly string[]): string[] => {
  const rest = argv.slice(1)
  return rest.slice(Math.max(0, rest.findIndex((a) => !a.startsWith('--'))))
}

/** IronLB's speaker records run node with `nodeArgs` (V8 flags; none: as `up` starts them). */
const setIronlbNodeArgs = (lab: Lab, nodeArgs: readonly string[]): Promise<void> =>
  withLock(lab.stateDir, async () => {
    const s = readState(lab.stateDir)
    if (s === undefined) throw new Error(`no lab in ${lab.stateDir}`)
    for (const n of lab.nodes) {
      const rec = procNamed(s, `speaker-${n}`)
      if (rec === undefined || isMetallb(rec)) throw new Error(`speaker-${n} is not IronLB's`)
      if (procAlive(rec)) throw new Error(`speaker-${n} is running: stop it first`)
      const next = { ...rec, argv: [rec.argv[0] ?? process.execPath, ...nodeArgs, ...afterNodeFlags(rec.argv)] }
      s.procs = s.procs.map((p) => (p === rec ? next : p))
    }
    writeState(s)
  })

/**
 * Under the lab's lock: `speaker-<node>` becomes `system`'s speaker (made from its argv, or taken back
 * from the parked record), the other parked. Both must be stopped.
 */
const installSpeakers = (lab: Lab, system: LbSystem): Promise<void> => {
  const bin = system === 'metallb' ? metallbBinDir() : ''
  return withLock(lab.stateDir, async () => {
    const s = readState(lab.stateDir)
    if (s === undefined) throw new Error(`no lab in ${lab.stateDir}`)
    for (const n of lab.nodes) {
      const active = procNamed(s, `speaker-${n}`)
      if (active === undefined) throw new Error(`no speaker record for ${n}: bring the lab up with speakers: false`)
      if (procAlive(active)) throw new Error(`speaker-${n} is running: stop it first`)
      if (isMetallb(active) === (system === 'metallb')) continue
      const parked = procNamed(s, `parked-speaker-${n}`)
      const paths = kubePaths(lab.stateDir)
      const next: ProcRecord = parked !== undefined
        ? { ...parked, name: `speaker-${n}`, wanted: 'stopped' }
        : { name: `speaker-${n}`, host: n, argv: metallbSpeakerArgv(lab, n, bin), log: logPath(paths, `metallb-speaker-${n}`), ref: undefined, wanted: 'stopped' }
      s.procs = [...s.procs.filter((p) => p !== active && p !== parked), next, { ...active, name: `parked-speaker-${n}`, wanted: 'stopped' }]
    }
    writeState(s)
  })
}

/**
 * Starts `system`'s controller and speakers (MetalLB's Pod objects made first); resolves once all are
 * started. `nodeArgs`: Node flags for IronLB's speakers (MetalLB's ignore them).
 */
export const startSystem = async (lab: Lab, system: LbSystem, opts: { readonly nodeArgs?: readonly string[] } = {}): Promise<void> => {
  if (system === 'metallb') await ensureMetallbPods(lab)
  await installSpeakers(lab, system)
  if (system === 'ironlb' && opts.nodeArgs !== undefined) await setIronlbNodeArgs(lab, opts.nodeArgs)
  await withLock(lab.stateDir, async () => {
    const s = readState(lab.stateDir)
    if (s === undefined) throw new Error(`no lab in ${lab.stateDir}`)
    await startProc(s, controllerSpec(lab, system))
  })
  for (const n of lab.nodes) await lab.startSpeaker(n)
}

/**
 * Stops `system` as an uninstall does: every speaker and the controller get SIGTERM at once (SIGKILL
 * after `graceMs`); resolves once all are gone.
 */
export const stopSystem = (lab: Lab, system: LbSystem, graceMs = 10_000): Promise<void> =>
  withLock(lab.stateDir, async () => {
    const s: LabState | undefined = readState(lab.stateDir)
    if (s === undefined) throw new Error(`no lab in ${lab.stateDir}`)
    const ctl = procNamed(s, controllerSpec(lab, system).name)
    const recs = [...lab.nodes.map((n) => procNamed(s, `speaker-${n}`)), ctl].filter((r): r is ProcRecord => r !== undefined)
    for (const r of recs) r.wanted = 'stopped'
    writeState(s)
    await stopAll(recs.flatMap((r) => (r.ref === undefined ? [] : [r.ref])), graceMs)
  })

/** Whether `system`'s controller and every speaker are alive. */
export const systemAlive = (lab: Lab, system: LbSystem): boolean => {
  const s = readState(lab.stateDir)
  if (s === undefined) return false
  const ctl = procNamed(s, controllerSpec(lab, system).name)
  const speakers = lab.nodes.map((n) => procNamed(s, `speaker-${n}`))
  return ctl !== undefined && procAlive(ctl) && speakers.every((r) => r !== undefined && procAlive(r) && isMetallb(r) === (system === 'metallb'))
}

// One run of the side-by-side controller bench: a fresh API server with IronLB's CRDs, one pool, one
// controller (IronLB's or MetalLB's), a warm-up Service to know it is up, then `size` LoadBalancer Services
// created 32 at a time; then the controller is replaced by a new one and a new Service created at once.
// Every figure is read here, in this run: times from the API server's watch, CPU and RSS from /proc.
import { loadavg } from 'node:os'
import type { RestClient } from '../../shell/kube/rest.js'
import { startControlPlane } from '../support/controlPlane.js'
import { startControllerProcess } from '../support/controllerProcess.js'
import { ensureCrds } from '../support/crds.js'
import { apply, create, testRest } from '../support/kube.js'
import { type ServiceObserver, observeServices } from '../support/serviceObserver.js'
import { ensureControllerPod, metallbBinDir, startMetallbController } from './metallbProcess.js'
import { cpuSeconds, sampleRss } from './procSampler.js'
import { BENCH_NAMESPACE, BENCH_POOL, createService, createWave, spareClusterIP, waitAssigned } from './serviceWave.js'

const NAMESPACE = 'metallb-system'
const SETTLE_MS = 5_000

export type System = 'MetalLB v0.16.2' | 'IronLB'

export interface RunFigures {
  readonly system: System
  readonly size: number
  readonly createS: number
  readonly lastToAllS: number
  readonly firstToAllS: number
  /** User + system CPU from the first create to SETTLE_MS after all were assigned. */
  readonly cpuS: number
  readonly peakRssMiB: number
  /** From spawning the new controller to the watch showing the IP of a Service created right after. */
  readonly restartS: number
  readonly moved: number
  readonly duplicates: number
  readonly load: string
}

interface Running {
  readonly pid: number
  readonly peakRssBytes: () => number
  readonly kill: () => Promise<void>
}

/** `system`'s controller started on the API server of `kubeconfig`, its RSS sampled until kill(). */
export const startSystem = async (system: System, kubeconfig: string, rest: RestClient, generation: number, nodeArgs: readonly string[]): Promise<Running> => {
  if (system === 'IronLB') {
    const c = await startControllerProcess({ kubeconfig, namespace: NAMESPACE, identity: `bench-${generation}`, nodeArgs })
    const pid = c.pid()
    if (pid === undefined) throw new Error('IronLB controller did not start')
    const rss = sampleRss(pid)
    return { pid, peakRssBytes: rss.peakRssBytes, kill: () => c.kill('SIGTERM').finally(rss.stop) }
  }
  await ensureControllerPod(rest, NAMESPACE)
  const m = await startMetallbController({ kubeconfig, namespace: NAMESPACE, binDir: metallbBinDir() })
  const rss = sampleRss(m.pid)
  return { pid: m.pid, peakRssBytes: rss.peakRssBytes, kill: () => m.kill('SIGTERM').finally(rss.stop) }
}

const waitNamed = async (observer: ServiceObserver, name: string, boundMs: number): Promise<number> => {
  const deadline = Date.now() + boundMs
  while ((observer.ipsOf(name)?.length ?? 0) !== 1) {
    if (Date.now() > deadline) throw new Error(`${name} got no IP within ${boundMs} ms`)
    await new Promise((r) => setTimeout(r, 25))
  }
  return Date.now()
}

export const ipsOfWave = (observer: ServiceObserver, size: number): string[] => Array.from({ length: size }, (_, i) => (observer.ipsOf(`s${i}`) ?? []).join(','))

export const duplicatesIn = (ips: readonly string[]): number => ips.length - new Set(ips).size

const setUp = async (rest: RestClient): Promise<void> => {
  await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } })
  await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: BENCH_NAMESPACE } })
  await apply(rest, BENCH_POOL as never)
}

/** The wave and the restart on a control plane set up for them; the controller is always killed. */
const measure = async (system: System, size: number, kubeconfig: string, rest: RestClient, observer: ServiceObserver, nodeArgs: readonly string[]): Promise<Omit<RunFigures, 'load'>> => {
  let ctl = await startSystem(system, kubeconfig, rest, 1, nodeArgs)
  try {
    await createService(rest, 'warmup', spareClusterIP(0))
    await waitNamed(observer, 'warmup', 300_000)
    const cpu0 = cpuSeconds(ctl.pid)
    const t0 = Date.now()
    await createWave(rest, 0, size)
    const t1 = Date.now()
    const tAll = await waitAssigned(observer, 0, size, 1_800_000, 25)
    await new Promise((r) => setTimeout(r, SETTLE_MS))
    const cpuS = cpuSeconds(ctl.pid) - cpu0
    const peakRssMiB = ctl.peakRssBytes() / 1024 / 1024
    const before = ipsOfWave(observer, size)
    await ctl.kill()
    ctl = await startSystem(system, kubeconfig, rest, 2, nodeArgs)
    // After the spawn, not before: IronLB's start (its ServiceAccount's RBAC and token) is the test's work.
    const tR = Date.now()
    await createService(rest, 'after-restart', spareClusterIP(1))
    const restartS = ((await waitNamed(observer, 'after-restart', 600_000)) - tR) / 1000
    await new Promise((r) => setTimeout(r, SETTLE_MS))
    const after = ipsOfWave(observer, size)
    const moved = after.filter((ip, i) => ip !== before[i]).length
    const duplicates = duplicatesIn([...after, (observer.ipsOf('warmup') ?? []).join(','), (observer.ipsOf('after-restart') ?? []).join(',')]) + observer.violations().length
    return { system, size, createS: (t1 - t0) / 1000, lastToAllS: (tAll - t1) / 1000, firstToAllS: (tAll - t0) / 1000, cpuS, peakRssMiB, restartS, moved, duplicates }
  } finally {
    await ctl.kill()
  }
}

/**
 * Runs `work` on a fresh API server with IronLB's CRDs, the bench's namespace and pool, and a watch on
 * its Services; stops them all after, and adds the 1-minute load at start and end.
 */
export const onFreshApiServer = async <A>(work: (kubeconfigPath: string, rest: RestClient, observer: ServiceObserver) => Promise<A>): Promise<A & { readonly load: string }> => {
  const load0 = loadavg()[0] ?? 0
  const cp = await startControlPlane()
  try {
    await ensureCrds(cp.kubeconfigPath)
    const rest = await testRest(cp.kubeconfigPath)
    try {
      await setUp(rest)
      const observer = await observeServices(rest, BENCH_NAMESPACE)
      try {
        const figures = await work(cp.kubeconfigPath, rest, observer)
        return { ...figures, load: `${load0.toFixed(1)}-${(loadavg()[0] ?? 0).toFixed(1)}` }
      } finally {
        observer.stop()
      }
    } finally {
      rest.close()
    }
  } finally {
    await cp.stop()
  }
}

/** `ironlbNodeArgs`: Node flags for IronLB's controller (V8 heap sizes); MetalLB's ignores them. */
export const runOnce = async (system: System, size: number, ironlbNodeArgs: readonly string[] = []): Promise<RunFigures> =>
  onFreshApiServer((kubeconfigPath, rest, observer) => measure(system, size, kubeconfigPath, rest, observer, ironlbNodeArgs))

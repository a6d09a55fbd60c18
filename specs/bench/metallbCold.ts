// The cold start of the side-by-side controller bench: on a fresh API server with IronLB's CRDs and the
// bench pool, `size` LoadBalancer Services are created first (32 at a time, no controller running), then
// one controller (IronLB's or MetalLB's) is started; measured from its spawn until the watch shows every
// Service with an IP, and its CPU and peak RSS until 5 s after that. Shows how each grows with the
// number of Services it finds at start (20,000, 50,000), where the wave of metallbRun.ts shows it
// following a creation.
import { loadavg } from 'node:os'
import { startControlPlane } from '../support/controlPlane.js'
import { ensureCrds } from '../support/crds.js'
import { testRest } from '../support/kube.js'
import { observeServices } from '../support/serviceObserver.js'
import { type System, duplicatesIn, ipsOfWave, setUp, startSystem } from './metallbRun.js'
import { cpuSeconds } from './procSampler.js'
import { BENCH_NAMESPACE, createWave, waitAssigned } from './serviceWave.js'

const SETTLE_MS = 5_000

export interface ColdFigures {
  readonly system: System
  readonly size: number
  /** Creating the Services before any controller ran. */
  readonly createS: number
  /** From the controller's spawn until every Service showed its IP. */
  readonly startToAllS: number
  readonly cpuS: number
  readonly peakRssMiB: number
  readonly duplicates: number
  readonly load: string
}

export const runCold = async (system: System, size: number, ironlbNodeArgs: readonly string[] = []): Promise<ColdFigures> => {
  const load0 = loadavg()[0] ?? 0
  const cp = await startControlPlane()
  try {
    await ensureCrds(cp.kubeconfigPath)
    const rest = await testRest(cp.kubeconfigPath)
    try {
      await setUp(rest)
      const observer = await observeServices(rest, BENCH_NAMESPACE)
      try {
        const t0 = Date.now()
        await createWave(rest, 0, size)
        const createS = (Date.now() - t0) / 1000
        const ctl = await startSystem(system, cp.kubeconfigPath, rest, 1, ironlbNodeArgs)
        // After the spawn, as the wave's restart: IronLB's ServiceAccount and token are the bench's work.
        const tStart = Date.now()
        try {
          // Bounded: an hour, far beyond MetalLB's 60-76 s at 5,000 (issue 12).
          const tAll = await waitAssigned(observer, 0, size, 3_600_000, 100)
          await new Promise((r) => setTimeout(r, SETTLE_MS))
          const cpuS = cpuSeconds(ctl.pid)
          const peakRssMiB = ctl.peakRssBytes() / 1024 / 1024
          const duplicates = duplicatesIn(ipsOfWave(observer, size)) + observer.violations().length
          return { system, size, createS, startToAllS: (tAll - tStart) / 1000, cpuS, peakRssMiB, duplicates, load: `${load0.toFixed(1)}-${(loadavg()[0] ?? 0).toFixed(1)}` }
        } finally {
          await ctl.kill()
        }
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

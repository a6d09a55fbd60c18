// The cold start of the side-by-side controller bench: on a fresh API server with IronLB's CRDs and the
// bench pool, `size` LoadBalancer Services are created first (32 at a time, no controller running), then
// one controller (IronLB's or MetalLB's) is started; measured from its spawn until the watch shows every
// Service with an IP, and its CPU and peak RSS until 5 s after that. Shows how each grows with the
// number of Services it finds at start (20,000, 50,000), where the wave of metallbRun.ts shows it
// following a creation. A controller that has not assigned them all within the bound (IRONLB_BENCH_COLD_BOUND_S,
// default 3,600 s) or that exits gives partial figures (how many it assigned by then) instead of none; the
// progress (assigned, CPU, RSS) is printed every PROGRESS_MS, to show how each one's pace changes as it goes.
import { loadavg } from 'node:os'
import type { ServiceObserver } from '../support/serviceObserver.js'
import { type System, duplicatesIn, ipsOfWave, onFreshApiServer, startSystem } from './metallbRun.js'
import { cpuSeconds } from './procSampler.js'
import { assigned, createWave } from './serviceWave.js'

const SETTLE_MS = 5_000
const PROGRESS_MS = 60_000
const boundMs = (): number => 1000 * Number(process.env['IRONLB_BENCH_COLD_BOUND_S'] ?? 3_600)

export interface ColdFigures {
  readonly system: System
  readonly size: number
  /** Creating the Services before any controller ran. */
  readonly createS: number
  /** From the controller's spawn until every Service showed its IP (or until the bound, if not all did). */
  readonly startToAllS: number
  /** Services with their IP at the end: `size` unless the controller ran out of the bound or exited. */
  readonly assigned: number
  readonly cpuS: number
  readonly peakRssMiB: number
  readonly duplicates: number
  readonly load: string
}

interface Controller {
  readonly pid: number
  readonly peakRssBytes: () => number
}

/** Polls every 100 ms until all `size` show an IP, the bound passes or the controller is gone; prints progress. */
const waitCold = async (observer: ServiceObserver, size: number, ctl: Controller, label: string): Promise<number> => {
  const start = Date.now()
  let nextReport = start + PROGRESS_MS
  // Counted on from where the last look stopped (nothing here takes an IP away), as waitAssigned.
  let done = 0
  for (;;) {
    while (done < size && (observer.ipsOf(`s${done}`)?.length ?? 0) === 1) done++
    if (done === size) return Date.now()
    const gone = Number.isNaN(cpuSeconds(ctl.pid))
    if (gone || Date.now() - start > boundMs()) {
      console.log(`${label}: ${gone ? 'the controller exited' : `bound of ${boundMs() / 1000} s reached`} with ${assigned(observer, 0, size)} of ${size} assigned`)
      return Date.now()
    }
    if (Date.now() >= nextReport) {
      nextReport += PROGRESS_MS
      const rss = ctl.peakRssBytes() / 1024 / 1024
      console.log(`${label}: ${Math.round((Date.now() - start) / 1000)} s after start ${assigned(observer, 0, size)} assigned, CPU ${cpuSeconds(ctl.pid).toFixed(1)} s, peak RSS ${rss.toFixed(0)} MiB, load ${(loadavg()[0] ?? 0).toFixed(1)}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

export const runCold = async (system: System, size: number, ironlbNodeArgs: readonly string[] = []): Promise<ColdFigures> =>
  onFreshApiServer(async (kubeconfigPath, rest, observer) => {
    const t0 = Date.now()
    await createWave(rest, 0, size)
    const createS = (Date.now() - t0) / 1000
    const ctl = await startSystem(system, kubeconfigPath, rest, 1, ironlbNodeArgs)
    // After the spawn, as the wave's restart: IronLB's ServiceAccount and token are the bench's work.
    const tStart = Date.now()
    try {
      const tAll = await waitCold(observer, size, ctl, `${system} cold start at ${size}`)
      const cpuAtAll = cpuSeconds(ctl.pid)
      await new Promise((r) => setTimeout(r, SETTLE_MS))
      // A controller that exited has no /proc entry: its CPU when last seen alive is not known here.
      const cpuS = Number.isNaN(cpuSeconds(ctl.pid)) ? cpuAtAll : cpuSeconds(ctl.pid)
      const peakRssMiB = ctl.peakRssBytes() / 1024 / 1024
      const ips = ipsOfWave(observer, size).filter((ip) => ip !== '')
      const duplicates = duplicatesIn(ips) + observer.violations().length
      return { system, size, createS, startToAllS: (tAll - tStart) / 1000, assigned: ips.length, cpuS, peakRssMiB, duplicates }
    } finally {
      await ctl.kill()
    }
  })

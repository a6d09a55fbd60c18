// Each lab node's speaker process measured from /proc over a window: RSS at the end (and its anonymous
// part) and at its highest (sampled once a second), and CPU averaged over the window. Whichever system holds the lab's `speaker-<node>`
// records (IronLB's Node process or MetalLB's Go binary) is measured the same way.
import { readFileSync } from 'node:fs'
import type { Lab } from '../../shell/lab/lab.js'

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks on every architecture Node runs on. */
const TICKS_PER_SECOND = 100

interface Usage {
  readonly rssBytes: number
  /** RssAnon: the RSS less the mapped files (a binary's code pages among them). */
  readonly anonRssBytes: number
  readonly cpuTicks: number
}

const usageOf = (pid: number): Usage => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN)
  const anonKb = Number(/^RssAnon:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN)
  // Fields after the command (which may hold spaces) start after the last ')': utime and stime are 14 and 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return { rssBytes: rssKb * 1024, anonRssBytes: anonKb * 1024, cpuTicks: Number(rest[11]) + Number(rest[12]) }
}

/** The pid of every node's running speaker; throws when one is not running. */
export const speakerPids = async (lab: Lab): Promise<Map<string, number>> => {
  const s = await lab.status()
  const out = new Map<string, number>()
  for (const n of lab.nodes) {
    const p = s.processes.find((x) => x.name === `speaker-${n}` && x.alive)
    if (p?.pid === undefined) throw new Error(`speaker-${n} is not running`)
    out.set(n, p.pid)
  }
  return out
}

export interface Idle {
  readonly rssBytes: number
  /** At the end of the window, like rssBytes. */
  readonly anonRssBytes: number
  readonly peakRssBytes: number
  readonly cpuPercent: number
}

/** Samples every speaker once a second for `ms`: the last and highest RSS, and CPU over the whole window. */
export const measureIdle = async (pids: ReadonlyMap<string, number>, ms: number): Promise<Map<string, Idle>> => {
  const first = new Map([...pids].map(([n, pid]) => [n, usageOf(pid)] as const))
  const peak = new Map<string, number>([...pids].map(([n]) => [n, 0]))
  const t0 = Date.now()
  while (Date.now() - t0 < ms) {
    await new Promise((r) => setTimeout(r, 1_000))
    for (const [n, pid] of pids) peak.set(n, Math.max(peak.get(n) ?? 0, usageOf(pid).rssBytes))
  }
  const seconds = (Date.now() - t0) / 1000
  return new Map(
    [...pids].map(([n, pid]) => {
      const now = usageOf(pid)
      const cpu = (100 * (now.cpuTicks - (first.get(n)?.cpuTicks ?? now.cpuTicks))) / TICKS_PER_SECOND / seconds
      return [n, { rssBytes: now.rssBytes, anonRssBytes: now.anonRssBytes, peakRssBytes: peak.get(n) ?? now.rssBytes, cpuPercent: cpu }] as const
    }),
  )
}

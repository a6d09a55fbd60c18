// A child process's peak RSS (sampled from /proc every 100 ms) and CPU seconds (user + system, from
// /proc/PID/stat), the same for IronLB's Node process and MetalLB's Go binary.
import { readFileSync } from 'node:fs'

/** USER_HZ: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)). */
const TICKS_PER_SECOND = 100

const rssBytes = (pid: number): number => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m === null ? 0 : Number(m[1]) * 1024
  } catch {
    return 0
  }
}

/** utime + stime of a live process; NaN once it is gone. */
export const cpuSeconds = (pid: number): number => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which sits in parentheses and may hold spaces.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SECOND
  } catch {
    return Number.NaN
  }
}

export interface ProcSampler {
  readonly peakRssBytes: () => number
  readonly stop: () => void
}

export const sampleRss = (pid: number, everyMs = 100): ProcSampler => {
  let peak = rssBytes(pid)
  const timer = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid))
  }, everyMs)
  return { peakRssBytes: () => peak, stop: () => clearInterval(timer) }
}

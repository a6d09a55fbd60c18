// What the lab cluster costs in memory: the resident set of each process it runs, summed by part.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'

const rssKiB = (pid: number): number => {
  try {
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
  } catch {
    return 0
  }
}

const mountNs = (pid: number): string | undefined => {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`)
  } catch {
    return undefined
  }
}

/** Every process sharing `pid`'s mount namespace (containerd and its shims). */
export const sameMountNs = (pid: number): number[] => {
  const ns = mountNs(pid)
  return ns === undefined ? [] : readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).filter((p) => mountNs(p) === ns)
}

/** MiB resident, each pid counted once. */
export const rssMiB = (pids: readonly number[]): number => Math.round([...new Set(pids)].reduce((sum, p) => sum + rssKiB(p), 0) / 1024)

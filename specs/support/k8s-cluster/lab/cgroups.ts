// A kubelet's cgroupRoot on this machine's cgroup v1 hierarchies: made in every hierarchy before the
// kubelet starts (cpuset's cpus and mems copied from the parent, or nothing could join it), and at the end
// every process in it killed (the Pods' included) and the folders removed, deepest first. Synchronous, so
// an exit handler can call it.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from 'node:fs'
import { join } from 'node:path'

const ROOT = '/sys/fs/cgroup'

const hierarchies = (): string[] => (existsSync(ROOT) ? readdirSync(ROOT).filter((c) => existsSync(join(ROOT, c, 'cgroup.procs'))) : [])

export const makeCgroupRoot = (name: string): void => {
  for (const c of hierarchies()) {
    mkdirSync(join(ROOT, c, name), { recursive: true })
    for (const f of ['cpuset.cpus', 'cpuset.mems']) if (existsSync(join(ROOT, c, f))) copyFileSync(join(ROOT, c, f), join(ROOT, c, name, f))
  }
}

const under = (dir: string): string[] => (existsSync(dir) ? [...readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).flatMap((e) => under(join(dir, e.name))), dir] : [])

/** Every pid in the cgroup root (pids hierarchy), the root's descendants included. */
export const pidsInCgroupRoot = (name: string): number[] =>
  under(join(ROOT, 'pids', name)).flatMap((dir) => {
    try {
      return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter((l) => l !== '').map(Number)
    } catch {
      return []
    }
  })

const pause = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)

export const clearCgroupRoot = (name: string): void => {
  for (const pid of pidsInCgroupRoot(name))
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // gone already
    }
  for (const c of hierarchies())
    for (const dir of under(join(ROOT, c, name)))
      for (let i = 0; i < 50; i++)
        try {
          rmdirSync(dir)
          break
        } catch {
          pause(100) // a killed process leaves its cgroup a moment later
        }
}

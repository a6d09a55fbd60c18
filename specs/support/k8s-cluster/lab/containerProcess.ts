// What the kernel says about a container's main process, the Pod's securityContext as it was applied:
// its user, capability sets, no_new_privs, seccomp mode and whether its root is mounted read-only. The
// process is found by the container ID in its cgroup path (the kubelet's cgroupRoot holds it), so other
// processes of the same program on the machine (a process lab's speakers) are never taken for it.
import { readdirSync, readFileSync } from 'node:fs'

export interface ContainerProcess {
  readonly pid: number
  readonly uid: number
  readonly gid: number
  /** Capability numbers (capabilities(7)) in each set. */
  readonly effective: readonly number[]
  readonly permitted: readonly number[]
  readonly bounding: readonly number[]
  readonly ambient: readonly number[]
  readonly noNewPrivs: boolean
  /** 0 none, 1 strict, 2 filter (proc(5) Seccomp). */
  readonly seccomp: number
  readonly readOnlyRoot: boolean
}

export const CAP = { NET_BIND_SERVICE: 10, NET_RAW: 13 } as const

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

const capsOf = (hex: string): number[] => {
  const bits = BigInt(`0x${hex}`)
  return Array.from({ length: 64 }, (_, i) => i).filter((i) => ((bits >> BigInt(i)) & 1n) === 1n)
}

/** The oldest process whose cgroup names `containerId` (containerd://<id> or the bare id), if any. */
export const containerProcess = (containerId: string): ContainerProcess | undefined => {
  const id = containerId.replace(/^[a-z]+:\/\//, '')
  if (id.length < 12) return undefined
  const pids = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).sort((a, b) => a - b)
  for (const pid of pids) {
    if (!(read(`/proc/${pid}/cgroup`) ?? '').includes(id)) continue
    const status = read(`/proc/${pid}/status`)
    const mounts = read(`/proc/${pid}/mountinfo`)
    if (status === undefined || mounts === undefined) continue
    const field = (name: string): string => new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(status)?.[1] ?? ''
    // mountinfo(5): field 5 the mount point, field 6 its options; the last mount on "/" is the one seen.
    const root = mounts.split('\n').filter((l) => l.split(' ')[4] === '/').at(-1)?.split(' ')[5] ?? ''
    return {
      pid,
      uid: Number(field('Uid').split(/\s+/)[1]),
      gid: Number(field('Gid').split(/\s+/)[1]),
      effective: capsOf(field('CapEff')),
      permitted: capsOf(field('CapPrm')),
      bounding: capsOf(field('CapBnd')),
      ambient: capsOf(field('CapAmb')),
      noNewPrivs: field('NoNewPrivs') === '1',
      seccomp: Number(field('Seccomp')),
      readOnlyRoot: root.split(',').includes('ro'),
    }
  }
  return undefined
}

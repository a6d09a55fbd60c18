// A throwaway containerd (make cluster-bins) for specs: its root, state and socket in a folder of the
// spec's, and the whole daemon, its shims and runc in a private mount namespace with a tmpfs on /run,
// because containerd puts shim sockets, FIFOs and runc's state under /run/containerd whatever it is told.
// Its containers' cgroups sit under a containerd namespace named for this process, removed at stop.
// The CRI plugins are off: this is for importing and running images, not for a kubelet.
import { spawn } from 'node:child_process'
import { closeSync, existsSync, openSync, readdirSync, readlinkSync, rmdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { run, sleep, type RunResult } from '../../shell/testbed/sys.js'

export interface TempContainerd {
  /** ctr against this daemon, in its mount namespace and its containerd namespace. */
  readonly ctr: (args: readonly string[], timeoutMs?: number) => Promise<RunResult>
  /** Ends the daemon and everything in its mount namespace, and removes the cgroups it made. */
  readonly stop: () => Promise<void>
}

const config = (dir: string): string => `version = 3
root = "${dir}/root"
state = "${dir}/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.cri.v1.runtime", "io.containerd.cri.v1.images"]
[grpc]
  address = "${dir}/containerd.sock"
[ttrpc]
  address = "${dir}/containerd.sock.ttrpc"
`

const mountNs = (pid: number): string | undefined => {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`)
  } catch {
    return undefined
  }
}

const pidsIn = (ns: string): number[] =>
  readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => mountNs(pid) === ns)

export const startContainerd = async (binDir: string, dir: string): Promise<TempContainerd> => {
  const namespace = `ironlb-spec-${process.pid}`
  writeFileSync(join(dir, 'config.toml'), config(dir))
  const log = openSync(join(dir, 'containerd.log'), 'a')
  // unshare execs sh, which execs containerd: the pid is the daemon's.
  const daemon = spawn(
    'unshare',
    ['--mount', '--propagation', 'private', '--', 'sh', '-c', 'mount -t tmpfs -o mode=0755 tmpfs /run && exec "$0" --config "$1"', join(binDir, 'containerd'), join(dir, 'config.toml')],
    { stdio: ['ignore', log, log], env: { PATH: `${binDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` } },
  )
  closeSync(log)
  const pid = daemon.pid ?? -1
  const exited = new Promise<void>((resolve) => daemon.once('exit', () => resolve()))
  const ctr = (args: readonly string[], timeoutMs = 60_000): Promise<RunResult> =>
    run(['nsenter', '--target', String(pid), '--mount', '--', join(binDir, 'ctr'), '--address', join(dir, 'containerd.sock'), '--namespace', namespace, ...args], { timeoutMs })
  let ns: string | undefined
  const stop = async (): Promise<void> => {
    const inside = ns === undefined ? [] : pidsIn(ns)
    daemon.kill('SIGTERM')
    await Promise.race([exited, sleep(10_000)])
    for (const p of [pid, ...inside]) if (mountNs(p) === ns) process.kill(p, 'SIGKILL')
    await Promise.race([exited, sleep(5_000)])
    for (const controller of existsSync('/sys/fs/cgroup') ? readdirSync('/sys/fs/cgroup') : []) {
      const parent = join('/sys/fs/cgroup', controller, namespace)
      if (!existsSync(parent)) continue
      for (const e of readdirSync(parent, { withFileTypes: true })) if (e.isDirectory()) rmdirSync(join(parent, e.name))
      rmdirSync(parent)
    }
  }
  // Ready when ctr gets an answer; the daemon takes about a second, more on a busy machine.
  for (const end = Date.now() + 30_000; Date.now() < end; await sleep(200)) {
    ns ??= mountNs(pid) !== mountNs(process.pid) ? mountNs(pid) : undefined
    if (ns !== undefined && (await ctr(['version'], 5_000)).code === 0) return { ctr, stop }
    if (daemon.exitCode !== null) break
  }
  await stop()
  throw new Error(`containerd did not answer within 30 s; see ${join(dir, 'containerd.log')}`)
}

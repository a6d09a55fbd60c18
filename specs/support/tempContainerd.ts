// A throwaway containerd (make cluster-bins) for specs: its root (a tmpfs), state and socket in a folder of
// the spec's, and the whole daemon, its shims and runc in a private mount namespace with a tmpfs on /run,
// because containerd puts shim sockets, FIFOs and runc's state under /run/containerd whatever it is told.
// Its containers' cgroups sit under a containerd namespace named for this process, removed at stop.
// Without `cri` the CRI plugins are off (importing and running images with ctr); with it, containerd
// serves a kubelet: the given sandbox image, the CNI plugins of make cluster-bins, and the images in
// containerd's namespace k8s.io, where the kubelet looks for them.
import { spawn } from 'node:child_process'
import { closeSync, existsSync, openSync, readdirSync, readlinkSync, rmdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { run, sleep, type RunResult } from '../../shell/testbed/sys.js'

export interface CriOptions {
  readonly sandboxImage: string
  readonly cniConfDir: string
}

export interface StartOptions {
  /** A network namespace (under /run/netns) to run in; the machine's own when absent. */
  readonly netns?: string
  readonly cri?: CriOptions
}

export interface TempContainerd {
  /** The daemon: nsenter --target it, --mount (and --net) to run beside it. */
  readonly pid: number
  /** Its CRI socket (unix path). */
  readonly socket: string
  /** ctr against this daemon, in its mount namespace and its containerd namespace. */
  readonly ctr: (args: readonly string[], timeoutMs?: number) => Promise<RunResult>
  /** Ends the daemon and everything in its mount namespace, and removes the cgroups it made. */
  readonly stop: () => Promise<void>
}

const criConfig = (binDir: string, cri: CriOptions): string => `[plugins.'io.containerd.cri.v1.images'.pinned_images]
  sandbox = "${cri.sandboxImage}"
[plugins.'io.containerd.cri.v1.runtime']
  # Lowering oom_score_adj needs CAP_SYS_RESOURCE, which this machine's root lacks: runc failed every
  # sandbox (-998) with "failed to update /proc/self/oom_score_adj: Permission denied".
  restrict_oom_score_adj = true
[plugins.'io.containerd.cri.v1.runtime'.cni]
  bin_dirs = ["${join(binDir, 'cni')}"]
  conf_dir = "${cri.cniConfDir}"
`

const config = (binDir: string, dir: string, cri: CriOptions | undefined): string => `version = 3
root = "${dir}/root"
state = "${dir}/state"
${cri === undefined ? 'disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.cri.v1.runtime", "io.containerd.cri.v1.images"]' : ''}
[grpc]
  address = "${dir}/containerd.sock"
[ttrpc]
  address = "${dir}/containerd.sock.ttrpc"
${cri === undefined ? '' : criConfig(binDir, cri)}`

/** A bound for a wait raced against it: unref'd, so that it never keeps the spec's process alive after its tests. */
const lapse = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref())

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

export const startContainerd = async (binDir: string, dir: string, opts: StartOptions = {}): Promise<TempContainerd> => {
  const namespace = opts.cri === undefined ? `ironlb-spec-${process.pid}` : 'k8s.io'
  writeFileSync(join(dir, 'config.toml'), config(binDir, dir, opts.cri))
  const log = openSync(join(dir, 'containerd.log'), 'a')
  // nsenter and unshare exec sh, which execs containerd: the pid is the daemon's. Not `ip netns exec`:
  // it mounts a new /sys, without the cgroup hierarchies runc and the kubelet need. CRI makes the Pods'
  // network namespaces under /run/netns: in the tmpfs, so they go with the mount namespace. The root
  // (content and unpacked snapshots, about 260 MB and 8,000 files with the IronLB image) is a tmpfs too,
  // freed with the namespace: removing it from this machine's disk took 11-24 s per spec under load.
  const argv = [
    ...(opts.netns === undefined ? [] : ['nsenter', `--net=/run/netns/${opts.netns}`, '--']),
    ...['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', 'mount -t tmpfs -o mode=0755 tmpfs /run && mkdir /run/netns && mkdir -p "$2" && mount -t tmpfs -o mode=0711 tmpfs "$2" && exec "$0" --config "$1"'],
    ...[join(binDir, 'containerd'), join(dir, 'config.toml'), join(dir, 'root')],
  ]
  const daemon = spawn(
    argv[0] ?? 'unshare',
    argv.slice(1),
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
    await Promise.race([exited, lapse(10_000)])
    for (const p of [pid, ...inside]) if (mountNs(p) === ns) process.kill(p, 'SIGKILL')
    await Promise.race([exited, lapse(5_000)])
    // With CRI the kubelet names the cgroups (its cgroupRoot): clearing them is its owner's.
    for (const controller of opts.cri === undefined && existsSync('/sys/fs/cgroup') ? readdirSync('/sys/fs/cgroup') : []) {
      const parent = join('/sys/fs/cgroup', controller, namespace)
      if (!existsSync(parent)) continue
      for (const e of readdirSync(parent, { withFileTypes: true })) if (e.isDirectory()) rmdirSync(join(parent, e.name))
      rmdirSync(parent)
    }
  }
  // Ready when ctr gets an answer; the daemon takes about a second, more on a busy machine.
  for (const end = Date.now() + 30_000; Date.now() < end; await sleep(200)) {
    ns ??= mountNs(pid) !== mountNs(process.pid) ? mountNs(pid) : undefined
    if (ns !== undefined && (await ctr(['version'], 5_000)).code === 0) return { pid, socket: join(dir, 'containerd.sock'), ctr, stop }
    if (daemon.exitCode !== null) break
  }
  await stop()
  throw new Error(`containerd did not answer within 30 s; see ${join(dir, 'containerd.log')}`)
}

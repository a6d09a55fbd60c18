// Network-namespace labs for integration specs: namespaces, veth pairs and a bridge that exist only
// for one test and are always removed (t.teardown, plus process exit and signal handlers, plus a
// sweep of labs left by dead processes). Every namespace is named `ilb-<pid>-<random>-<role>`, so
// parallel runs never collide and a sweep can tell whose namespace it is. Nothing here touches
// the machine's own namespace: links are created from inside a lab namespace (`ip -n`), and
// every command run by a spec runs under `ip netns exec`.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'

export const isRoot = (): boolean => process.getuid?.() === 0

/** Why the netns specs cannot run here (the only reasons to skip them), or undefined. */
export const netnsUnavailable = (): string | undefined => {
  if (process.platform !== 'linux') return 'network namespaces need Linux'
  if (!isRoot()) return 'network namespace specs need root (ip netns, AF_PACKET); run them as root'
  return undefined
}

// The missing-tool check reads the one list of system tools; re-exported for the specs that import it here.
export { missingTools } from './systemTools.js'

export interface RunResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const PREFIX = 'ilb-'
const DEFAULT_TIMEOUT_MS = 15_000

const run = (argv: readonly string[], timeoutMs: number): Promise<RunResult> =>
  new Promise((resolve) => {
    const [cmd, ...args] = argv
    execFile(cmd ?? 'false', args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null
      resolve({ code, stdout, stderr })
    })
  })

const mustRun = async (argv: readonly string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> => {
  const r = await run(argv, timeoutMs)
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code}): ${r.stderr.trim()}`)
  return r.stdout
}

/** Whether a process exists (EPERM: it does, owned by someone else). */
export const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Removes `ilb-<pid>-...` namespaces whose creating process is gone (a crashed or killed run). */
export const sweepStaleLabs = (): void => {
  let names: string[]
  try {
    names = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.split(' ')[0] ?? '')
  } catch {
    return
  }
  for (const name of names) {
    const m = /^ilb-(\d+)-[0-9a-f]+-/.exec(name)
    if (m !== null && Number(m[1]) !== process.pid && !pidAlive(Number(m[1])))
      try {
        execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' })
      } catch {
        // Already gone.
      }
  }
}

// Every lab of this process, for the exit and signal handlers.
const liveLabs = new Set<Lab>()
let handlersInstalled = false

const installExitHandlers = (): void => {
  if (handlersInstalled) return
  handlersInstalled = true
  process.on('exit', () => {
    for (const lab of liveLabs) lab.destroySync()
  })
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(signal, () => {
      for (const lab of liveLabs) lab.destroySync()
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1))
    })
}

export interface VethEnd {
  readonly ns: string
  readonly ifname: string
  readonly mac?: string
}

export class Lab {
  readonly id = `${PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`
  private readonly namespaces: string[] = []
  private readonly children = new Set<ChildProcess>()
  private destroyed = false

  constructor() {
    installExitHandlers()
    liveLabs.add(this)
  }

  /** Creates `<id>-<role>` with loopback up; returns its name. */
  async namespace(role: string): Promise<string> {
    if (!/^[a-z0-9]{1,12}$/.test(role)) throw new Error(`bad namespace role ${role}`)
    const name = `${this.id}-${role}`
    await mustRun(['ip', 'netns', 'add', name])
    this.namespaces.push(name)
    await mustRun(['ip', '-n', name, 'link', 'set', 'lo', 'up'])
    // No router solicitations or DAD noise from the lab itself beyond what a spec asks for.
    await mustRun(['ip', 'netns', 'exec', name, 'sysctl', '-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0'])
    return name
  }

  /** A veth pair created from inside `a.ns` (never in the machine's namespace), both ends up. */
  async veth(a: VethEnd, b: VethEnd): Promise<void> {
    await mustRun(['ip', '-n', a.ns, 'link', 'add', a.ifname, 'type', 'veth', 'peer', 'name', b.ifname, 'netns', b.ns])
    for (const end of [a, b]) {
      if (end.mac !== undefined) await mustRun(['ip', '-n', end.ns, 'link', 'set', end.ifname, 'address', end.mac])
      await mustRun(['ip', '-n', end.ns, 'link', 'set', end.ifname, 'up'])
    }
  }

  /** A bridge in `ns` with the given ports. Multicast snooping off: a lab has no MLD querier. */
  async bridge(ns: string, name: string, ports: readonly string[]): Promise<void> {
    await mustRun(['ip', '-n', ns, 'link', 'add', name, 'type', 'bridge', 'mcast_snooping', '0'])
    for (const port of ports) await mustRun(['ip', '-n', ns, 'link', 'set', port, 'master', name])
    await mustRun(['ip', '-n', ns, 'link', 'set', name, 'up'])
  }

  /** Adds an address inside a lab namespace (documentation ranges only, checked). */
  async address(ns: string, ifname: string, cidr: string): Promise<void> {
    if (!/^(192\.0\.2\.|198\.51\.100\.|203\.0\.113\.|2001:db8:)/i.test(cidr)) throw new Error(`${cidr} is not a documentation address`)
    this.assertOurs(ns)
    await mustRun(['ip', '-n', ns, 'addr', 'add', cidr, 'dev', ifname, ...(cidr.includes(':') ? ['nodad'] : [])])
  }

  /** Runs a command to completion inside `ns`, bounded by `timeoutMs`. */
  exec(ns: string, argv: readonly string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RunResult> {
    this.assertOurs(ns)
    return run(['ip', 'netns', 'exec', ns, ...argv], timeoutMs)
  }

  /** Starts a long-running command inside `ns`; it is killed when the lab is destroyed. */
  spawn(ns: string, argv: readonly string[], env?: NodeJS.ProcessEnv): ChildProcess {
    this.assertOurs(ns)
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['pipe', 'pipe', 'pipe'], env: env ?? process.env })
    this.children.add(child)
    child.once('exit', () => this.children.delete(child))
    return child
  }

  private assertOurs(ns: string): void {
    if (!this.namespaces.includes(ns)) throw new Error(`${ns} is not a namespace of lab ${this.id}`)
    if (this.destroyed) throw new Error(`lab ${this.id} is destroyed`)
  }

  /** Kills the children this lab started, then deletes its namespaces (and so their links). */
  async destroy(): Promise<void> {
    if (this.destroyed) return
    for (const child of this.children) child.kill('SIGKILL')
    await Promise.all(
      [...this.children].map((c) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())))),
    )
    this.destroySync()
  }

  destroySync(): void {
    if (this.destroyed) return
    this.destroyed = true
    for (const child of this.children) if (child.pid !== undefined) child.kill('SIGKILL')
    for (const ns of this.namespaces.splice(0))
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' })
      } catch {
        // Already gone.
      }
    liveLabs.delete(this)
  }

  /** Names of this lab's namespaces that still exist (for the spec that checks cleanup). */
  static existing(prefix: string): string[] {
    return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.split(' ')[0] ?? '')
      .filter((n) => n.startsWith(prefix))
  }
}

/** A lab removed when the test ends, however it ends. */
export const labFor = (t: { teardown: (fn: () => unknown) => void }): Lab => {
  sweepStaleLabs()
  const lab = new Lab()
  t.teardown(() => lab.destroy())
  return lab
}

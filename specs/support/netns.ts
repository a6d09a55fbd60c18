// Network-namespace labs for netns specs: the shared harness (shell/testbed/netns.ts, which the lab builds
// on too) with a spec's ownership rules. A lab's namespaces, veth pairs and bridges exist only for one test
// and are always removed (t.teardown, plus process exit and signal handlers, plus a sweep of labs left by
// dead processes). Every namespace is named `ilb-<pid>-<random>-<role>`, so parallel runs never collide and
// a sweep can tell whose namespace it is. A lab acts only on namespaces it made.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { addAddress, addBridge, addVeth, deleteNamespace, makeNamespace, namespacesNamed, sysctl, type VethEnd } from '../../shell/testbed/netns.js'
import { inNs, run, type RunResult } from '../../shell/testbed/sys.js'

export const isRoot = (): boolean => process.getuid?.() === 0

/** Why the netns specs cannot run here (the only reasons to skip them), or undefined. */
export const netnsUnavailable = (): string | undefined => {
  if (process.platform !== 'linux') return 'network namespaces need Linux'
  if (!isRoot()) return 'network namespace specs need root (ip netns, AF_PACKET); run them as root'
  return undefined
}

// The missing-tool check reads the one list of system tools; re-exported for the specs that import it here.
export { missingTools } from './systemTools.js'

const PREFIX = 'ilb-'
const DEFAULT_TIMEOUT_MS = 15_000

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
    names = namespacesNamed(PREFIX)
  } catch {
    return
  }
  for (const name of names) {
    const m = /^ilb-(\d+)-[0-9a-f]+-/.exec(name)
    if (m !== null && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]))) deleteNamespace(name)
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
    this.namespaces.push(name) // before it exists: a failure part way still removes it
    await makeNamespace(name)
    // No DAD noise from the lab itself beyond what a spec asks for.
    await sysctl(name, ['net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0'])
    return name
  }

  /** A veth pair created from inside `a.ns` (never in the machine's namespace), both ends up. */
  async veth(a: VethEnd, b: VethEnd): Promise<void> {
    this.assertOurs(a.ns)
    this.assertOurs(b.ns)
    await addVeth(a, b)
  }

  /** A bridge in `ns` with the given ports (multicast snooping off). */
  async bridge(ns: string, name: string, ports: readonly string[]): Promise<void> {
    this.assertOurs(ns)
    await addBridge(ns, name, ports)
  }

  /** Adds an address inside a lab namespace (documentation ranges only, checked). */
  async address(ns: string, ifname: string, cidr: string): Promise<void> {
    this.assertOurs(ns)
    await addAddress(ns, ifname, cidr)
  }

  /** Runs a command to completion inside `ns`, bounded by `timeoutMs`. */
  exec(ns: string, argv: readonly string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RunResult> {
    this.assertOurs(ns)
    return run(inNs(ns, argv), { timeoutMs })
  }

  /** Starts a long-running command inside `ns`; it is killed when the lab is destroyed. */
  spawn(ns: string, argv: readonly string[], env?: NodeJS.ProcessEnv): ChildProcess {
    this.assertOurs(ns)
    const [cmd = 'ip', ...args] = inNs(ns, argv)
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: env ?? process.env })
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
    for (const ns of this.namespaces.splice(0)) deleteNamespace(ns)
    liveLabs.delete(this)
  }

  /** Names of this lab's namespaces that still exist (for the spec that checks cleanup). */
  static existing(prefix: string): string[] {
    return namespacesNamed(prefix)
  }
}

/** A lab removed when the test ends, however it ends. */
export const labFor = (t: { teardown: (fn: () => unknown) => void }): Lab => {
  sweepStaleLabs()
  const lab = new Lab()
  t.teardown(() => lab.destroy())
  return lab
}

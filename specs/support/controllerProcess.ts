// Runs the real controller binary (dist/shell/cli/ironlb.js controller) as a child process against a
// test API server, with its logs in a file, and kills it (SIGTERM or SIGKILL) on demand and always at
// the end. Integration tests drive it only through the Kubernetes API, as a user would. It runs as
// the ServiceAccount `controller` of its namespace under deploy/'s RBAC (serviceAccount.ts), never as
// the admin whose kubeconfig the test holds, so a grant the manifest lacks fails the test.
import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from './repoRoot.js'
import { serviceAccountKubeconfig } from './serviceAccount.js'

/** The built CLI (`make build`). */
export const ironlbEntry = join(repoRoot, 'dist', 'shell', 'cli', 'ironlb.js')

export interface ControllerProcessOptions {
  /** An admin's kubeconfig: used to install the controller's RBAC and mint its token, nothing else. */
  readonly kubeconfig: string
  readonly namespace: string
  readonly lbClass?: string
  readonly identity: string
  readonly leaseName?: string
  readonly extraArgs?: readonly string[]
  /** Node's own flags before the script (e.g. V8 heap sizes a Deployment would set in NODE_OPTIONS). */
  readonly nodeArgs?: readonly string[]
  /** Another build's CLI (a before/after bench); default ironlbEntry. */
  readonly entry?: string
}

export interface ControllerProcess {
  readonly identity: string
  readonly port: number
  readonly pid: () => number | undefined
  /** Kept after kill when IRONLB_KEEP_LOGS is set. */
  readonly logPath: string
  readonly logs: () => string
  readonly kill: (signal: 'SIGTERM' | 'SIGKILL') => Promise<void>
  /** Peak resident set size in bytes seen by polling /proc (Linux). */
  readonly peakRssBytes: () => number
}

export const freePort = async (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo
      s.close(() => resolve(port))
    })
  })

const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL')
})

const rssOf = (pid: number): number => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m === null ? 0 : Number(m[1]) * 1024
  } catch {
    return 0
  }
}

export const startControllerProcess = async (opts: ControllerProcessOptions): Promise<ControllerProcess> => {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-ctl-'))
  const kubeconfig = await serviceAccountKubeconfig(opts.kubeconfig, 'controller', opts.namespace, dir).catch((err: unknown) => {
    rmSync(dir, { recursive: true, force: true })
    throw err
  })
  const logPath = join(dir, 'controller.log')
  const fd = openSync(logPath, 'a')
  const port = await freePort()
  const args = [
    ...(opts.nodeArgs ?? []),
    opts.entry ?? ironlbEntry,
    'controller',
    `--kubeconfig=${kubeconfig}`,
    `--namespace=${opts.namespace}`,
    `--pod-name=${opts.identity}`,
    `--port=${port}`,
    '--host=127.0.0.1',
    // Probes on a port of the system's choosing: several controllers share this machine's loopback.
    '--health-probe-bind-address=127.0.0.1:0',
    '--log-level=info',
    `--lease-name=${opts.leaseName ?? 'ironlb-controller'}`,
    ...(opts.lbClass === undefined ? [] : [`--lb-class=${opts.lbClass}`]),
    ...(opts.extraArgs ?? []),
  ]
  // The built controller as it ships: not through the test runner's loaders (tap sets NODE_OPTIONS).
  const { NODE_OPTIONS: _runnerHooks, ...env } = process.env
  const child = spawn(process.execPath, args, { stdio: ['ignore', fd, fd], env })
  closeSync(fd)
  live.add(child)
  let peak = 0
  const sampler = setInterval(() => {
    if (child.pid !== undefined) peak = Math.max(peak, rssOf(child.pid))
  }, 100)
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      clearInterval(sampler)
      live.delete(child)
      resolve()
    }),
  )
  return {
    identity: opts.identity,
    port,
    pid: () => child.pid,
    logPath,
    logs: () => {
      try {
        return readFileSync(logPath, 'utf8')
      } catch {
        return ''
      }
    },
    peakRssBytes: () => peak,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      const bound = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(bound)
      if (process.env['IRONLB_KEEP_LOGS'] === undefined) rmSync(dir, { recursive: true, force: true })
    },
  }
}

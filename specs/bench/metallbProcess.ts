// Runs MetalLB v0.16.2's controller (built by specs/support/metallb, `make metallb-bins`) as a child process
// against a test API server, as far as it can run outside a cluster: webhooks and certificate rotation off,
// metrics off, and a Pod object named after --pod-name in its namespace (it reads its own Pod at start and
// exits without it; no kubelet runs, so the Pod stays Pending, which MetalLB does not mind). It runs with the
// admin's kubeconfig: MetalLB's RBAC is not IronLB's to install. Logs go to a file; kill() ends it.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RestClient } from '../../shell/kube/rest.js'
import { freePort } from '../support/controllerProcess.js'
import { repoRoot } from '../support/repoRoot.js'

export const METALLB_POD = 'controller'

/** IRONLB_METALLB_BIN_DIR (make sets it), else the folder specs/support/metallb/bin-dir.sh names if built. */
export const metallbBinDir = (): string => {
  const fromEnv = process.env['IRONLB_METALLB_BIN_DIR']
  const dir = fromEnv !== undefined && fromEnv !== '' ? fromEnv : execFileSync(join(repoRoot, 'specs', 'support', 'metallb', 'bin-dir.sh'), { encoding: 'utf8' }).trim()
  if (!existsSync(join(dir, '.complete'))) throw new Error(`no MetalLB build in ${dir}: run make metallb-bins`)
  return dir
}

/** The Pod object MetalLB's controller looks up at start (idempotent). */
export const ensureControllerPod = async (rest: RestClient, namespace: string): Promise<void> => {
  const res = await rest.request('POST', `/api/v1/namespaces/${namespace}/pods`, {
    body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: METALLB_POD, namespace, labels: { app: 'metallb', component: 'controller' } }, spec: { containers: [{ name: 'controller', image: 'metallb/controller:v0.16.2' }] } },
  })
  if (res.status !== 201 && res.status !== 409) throw new Error(`create Pod ${namespace}/${METALLB_POD}: HTTP ${res.status}`)
}

export interface MetallbProcess {
  readonly pid: number
  readonly logs: () => string
  readonly kill: (signal: 'SIGTERM' | 'SIGKILL') => Promise<void>
}

const live = new Set<ChildProcess>()
const killAll = (): void => {
  for (const c of live) c.kill('SIGKILL')
}
process.once('exit', killAll)
// A signal ends the bench without 'exit' (specs/support/controlPlane.ts stops its API servers, then re-raises
// it): without this, a bench stopped by SIGTERM left MetalLB's controller running (seen 2026-12-03).
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.once(sig, () => {
    killAll()
    // Nobody else listening (no API server of ours running): the signal's default action, as if not caught.
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig)
  })

export const startMetallbController = async (opts: { readonly kubeconfig: string; readonly namespace: string; readonly binDir: string }): Promise<MetallbProcess> => {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-metallb-'))
  const logPath = join(dir, 'controller.log')
  const fd = openSync(logPath, 'a')
  const args = [
    `--namespace=${opts.namespace}`,
    `--pod-name=${METALLB_POD}`,
    '--webhook-mode=disabled',
    '--disable-cert-rotation',
    '--port=0',
    `--health-probe-port=${await freePort()}`,
    '--log-level=info',
  ]
  const child = spawn(join(opts.binDir, 'controller'), args, { stdio: ['ignore', fd, fd], env: { ...process.env, KUBECONFIG: opts.kubeconfig } })
  closeSync(fd)
  if (child.pid === undefined) throw new Error('MetalLB controller did not start')
  live.add(child)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  void exited.then(() => live.delete(child))
  return {
    pid: child.pid,
    logs: () => readFileSync(logPath, 'utf8'),
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      const bound = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(bound)
      if (process.env['IRONLB_KEEP_LOGS'] === undefined) rmSync(dir, { recursive: true, force: true })
      else console.log(`MetalLB controller logs kept: ${logPath}`)
    },
  }
}

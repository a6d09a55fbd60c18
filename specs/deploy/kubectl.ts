// Helpers for the deploy/ integration specs: the real kubectl against the test API server, with the
// kubeconfig withControlPlane exported (IRONLB_TEST_KUBECONFIG), or a control plane of its own when a
// spec file runs alone. Not a spec.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { k8sBinDir, startControlPlane } from '../support/controlPlane.js'

export const REPO = fileURLToPath(new URL('../../', import.meta.url))

export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export interface Kubectl {
  /** Runs kubectl; never throws on a non-zero exit (rejections are what the specs look at). */
  (args: readonly string[], input?: string): Promise<Run>
  readonly kubeconfig: string
  /** Ends the control plane this helper started, if it started one. */
  readonly stop: () => Promise<void>
}

export const connect = async (): Promise<Kubectl> => {
  let kubeconfig = process.env['IRONLB_TEST_KUBECONFIG'] ?? ''
  let stop = async (): Promise<void> => {}
  if (kubeconfig === '') {
    const cp = await startControlPlane()
    kubeconfig = cp.kubeconfigPath
    stop = () => cp.stop()
  }
  const bin = join(k8sBinDir(), 'kubectl')
  const run = (args: readonly string[], input?: string): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(bin, ['--kubeconfig', kubeconfig, ...args], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
      child.once('error', reject)
      child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }))
      child.stdin.end(input ?? '')
    })
  return Object.assign(run, { kubeconfig, stop })
}

export const CRD_NAMES = [
  'ipaddresspools',
  'l2advertisements',
  'bgpadvertisements',
  'bgppeers',
  'bfdprofiles',
  'communities',
  'servicel2statuses',
  'servicebgpstatuses',
  'configurationstates',
].map((p) => `crd/${p}.metallb.io`)

/** Applies `paths` (files or folders) and waits until the CRDs serve; throws with kubectl's output. */
export const applyAndWait = async (kubectl: Kubectl, paths: readonly string[]): Promise<Run> => {
  // Other spec files may apply the same manifests at the same moment; a conflict is worth a retry.
  let applied: Run = { code: 1, stdout: '', stderr: '' }
  for (let attempt = 0; attempt < 3 && applied.code !== 0; attempt++)
    applied = await kubectl(['apply', ...paths.flatMap((p) => ['-f', p])])
  if (applied.code !== 0) throw new Error(`kubectl apply ${paths.join(' ')} failed:\n${applied.stderr}`)
  const ready = await kubectl(['wait', '--for=condition=Established', '--timeout=60s', ...CRD_NAMES])
  if (ready.code !== 0) throw new Error(`CRDs not established:\n${ready.stderr}`)
  return applied
}

/** A fresh namespace for objects that must not reach a controller watching metallb-system. */
export const mkNamespace = async (kubectl: Kubectl, prefix: string): Promise<string> => {
  const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`
  const r = await kubectl(['create', 'namespace', name])
  if (r.code !== 0) throw new Error(`create namespace ${name}: ${r.stderr}`)
  return name
}

/** A MetalLB object as JSON text for `kubectl apply -f -`. */
export const mkObject = (apiVersion: string, kind: string, name: string, namespace: string, body: Record<string, unknown>): string =>
  JSON.stringify({ apiVersion: `metallb.io/${apiVersion}`, kind, metadata: { name, namespace }, ...body })

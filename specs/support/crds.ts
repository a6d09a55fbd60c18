// Installs IronLB's CRDs on the test API server with the real kubectl (idempotent, so every
// integration file may call it; concurrent applies are retried) and waits until they serve.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { k8sBinDir } from './controlPlane.js'
import { repoRoot } from './repoRoot.js'

const run = promisify(execFile)
const crdFile = join(repoRoot, 'deploy', 'manifests', '10-crds.yaml')

export const kubectl = async (kubeconfig: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> =>
  run(join(k8sBinDir(), 'kubectl'), [`--kubeconfig=${kubeconfig}`, ...args], { maxBuffer: 64 * 1024 * 1024 })

export const ensureCrds = async (kubeconfig: string): Promise<void> => {
  for (let attempt = 1; ; attempt++) {
    try {
      await kubectl(kubeconfig, ['apply', '--server-side', '--force-conflicts', '-f', crdFile])
      break
    } catch (err) {
      if (attempt >= 5) throw err
      await new Promise((r) => setTimeout(r, 500 * attempt))
    }
  }
  await kubectl(kubeconfig, ['wait', '--for=condition=Established', '--timeout=60s', '--all', 'crd'])
}

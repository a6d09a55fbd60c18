// The controller against a real API server on this machine: time from creating 5,000 LoadBalancer
// Services to all 5,000 having IPs, then the controller's peak RSS once 10,000 Services exist; first,
// in process, one pass's decode and reconcile at 10,000 Services (controllerPass.bench.ts).
// Figures are measured here, in one run; nothing is assumed.
import { startControlPlane } from '../support/controlPlane.js'
import { benchControllerPass } from './controllerPass.bench.js'
import { startControllerProcess } from '../support/controllerProcess.js'
import { ensureCrds } from '../support/crds.js'
import { apply, create, testRest } from '../support/kube.js'
import { observeServices } from '../support/serviceObserver.js'
import { BENCH_NAMESPACE, BENCH_POOL, createWave, waitAssigned } from './serviceWave.js'

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`

export async function benchController(): Promise<void> {
  await benchControllerPass()
  const cp = await startControlPlane()
  try {
    await ensureCrds(cp.kubeconfigPath)
    const rest = await testRest(cp.kubeconfigPath)
    await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'metallb-system' } })
    await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: BENCH_NAMESPACE } })
    await apply(rest, BENCH_POOL as never)
    const controller = await startControllerProcess({ kubeconfig: cp.kubeconfigPath, namespace: 'metallb-system', identity: 'bench' })
    const observer = await observeServices(rest, BENCH_NAMESPACE)

    const t0 = Date.now()
    await createWave(rest, 0, 5_000)
    const created = Date.now() - t0
    await waitAssigned(observer, 0, 5_000, 900_000)
    const allAssigned = Date.now() - t0
    console.log(`controller: 5,000 Services created in ${(created / 1000).toFixed(1)} s; all 5,000 had IPs ${(allAssigned / 1000).toFixed(1)} s after the first create (${((allAssigned - created) / 1000).toFixed(1)} s after the last)`)
    console.log(`controller: peak RSS during the first 5,000: ${mb(controller.peakRssBytes())}`)

    await createWave(rest, 5_000, 5_000)
    await waitAssigned(observer, 5_000, 10_000, 900_000)
    await new Promise((r) => setTimeout(r, 5_000))
    console.log(`controller: peak RSS with 10,000 Services: ${mb(controller.peakRssBytes())}`)
    console.log(`controller: observer checked ${observer.events()} watch events, violations: ${observer.violations().length}`)
    observer.stop()
    await controller.kill('SIGTERM')
    rest.close()
  } finally {
    await cp.stop()
  }
}

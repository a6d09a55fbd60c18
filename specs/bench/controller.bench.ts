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

const inParallel = async (count: number, limit: number, work: (i: number) => Promise<void>): Promise<void> => {
  let next = 0
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) await work(next++)
    }),
  )
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`

export async function benchController(): Promise<void> {
  await benchControllerPass()
  const cp = await startControlPlane()
  try {
    await ensureCrds(cp.kubeconfigPath)
    const rest = await testRest(cp.kubeconfigPath)
    await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'metallb-system' } })
    await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } })
    await apply(rest, { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'bench', namespace: 'metallb-system' }, spec: { addresses: ['2001:db8:be00::/112'] } } as never)
    const controller = await startControllerProcess({ kubeconfig: cp.kubeconfigPath, namespace: 'metallb-system', identity: 'bench' })
    const observer = await observeServices(rest, 'bench')
    const mk = (i: number) =>
      create(rest, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `s${i}`, namespace: 'bench' },
        // No NodePorts: 10,000 Services would exhaust the 2,768-port default range (kube-proxy's job anyway).
        spec: { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ipFamilies: ['IPv6'], ipFamilyPolicy: 'SingleStack', ports: [{ port: 80, protocol: 'TCP' }], selector: { app: `s${i}` } },
      } as never).then(() => undefined)
    const assigned = (from: number, to: number): number => {
      let n = 0
      for (let i = from; i < to; i++) if ((observer.ipsOf(`s${i}`)?.length ?? 0) === 1) n++
      return n
    }
    const waitAll = async (from: number, to: number, boundMs: number): Promise<void> => {
      const deadline = Date.now() + boundMs
      while (assigned(from, to) < to - from) {
        if (Date.now() > deadline) throw new Error(`only ${assigned(from, to)} of ${to - from} Services got IPs within ${boundMs} ms`)
        await new Promise((r) => setTimeout(r, 200))
      }
    }

    const t0 = Date.now()
    await inParallel(5_000, 32, mk)
    const created = Date.now() - t0
    await waitAll(0, 5_000, 900_000)
    const allAssigned = Date.now() - t0
    console.log(`controller: 5,000 Services created in ${(created / 1000).toFixed(1)} s; all 5,000 had IPs ${(allAssigned / 1000).toFixed(1)} s after the first create (${((allAssigned - created) / 1000).toFixed(1)} s after the last)`)
    console.log(`controller: peak RSS during the first 5,000: ${mb(controller.peakRssBytes())}`)

    await inParallel(5_000, 32, (i) => mk(5_000 + i))
    await waitAll(5_000, 10_000, 900_000)
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

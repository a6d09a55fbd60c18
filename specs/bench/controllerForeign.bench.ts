// What the Service cache costs when every Service carries what other tools leave on it: a 4 KiB
// `kubectl.kubernetes.io/last-applied-configuration`, as `kubectl apply` writes, and managedFields.
// First the cache alone (shell/kube/reflector.ts over the in-memory API, heap after a full GC, with
// and without the projection of core/cluster/projection.ts), then the controller's peak RSS on a
// real API server at 5,000 and 10,000 such Services. Measured here, in one run.
import { startControlPlane } from '../support/controlPlane.js'
import { startControllerProcess } from '../support/controllerProcess.js'
import { ensureCrds } from '../support/crds.js'
import { apply, create, testRest } from '../support/kube.js'
import { observeServices } from '../support/serviceObserver.js'
import { memoryApi } from '../support/memoryApi.js'
import { startReflector } from '../../shell/kube/reflector.js'
import { silentLogger } from '../../shell/obs/log.js'
import { ApiError, type RestClient } from '../../shell/kube/rest.js'

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration'
const FOREIGN_BYTES = 4096

const inParallel = async (count: number, limit: number, work: (i: number) => Promise<void>): Promise<void> => {
  let next = 0
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) await work(next++)
    }),
  )
}

/** On a loaded machine a create may time out after the server stored it: retried (a few times), 409 then means done. */
const createPatiently = async (rest: RestClient, body: { metadata: { name: string } }): Promise<void> => {
  for (let attempt = 1; ; attempt++) {
    try {
      await create(rest, body as never)
      return
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) return
      if (attempt === 5) throw err
      await new Promise((r) => setTimeout(r, 1_000 * attempt))
    }
  }
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`

/** What kubectl apply records: the applied manifest as JSON, here padded to FOREIGN_BYTES with a description. */
const lastApplied = (name: string, spec: object): string => {
  const bare = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { annotations: { description: '' }, name, namespace: 'bench' }, spec })
  return bare.replace('"description":""', `"description":"${'d'.repeat(Math.max(0, FOREIGN_BYTES - bare.length))}"`)
}

const managedFields = [{ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1', time: '2024-05-01T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:annotations': { '.': {}, [`f:${LAST_APPLIED}`]: {} } }, 'f:spec': { 'f:ports': {}, 'f:selector': {}, 'f:type': {} } } }]

const settledHeap = (): number => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('run with node --expose-gc')
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

/** Heap the Service cache holds for `count` Services, projected (kind Service) or whole (a kind the core does not project). */
const cacheBytes = async (count: number, projected: boolean): Promise<number> => {
  const api = memoryApi()
  for (let i = 0; i < count; i++) {
    const name = `s${i}`
    const spec = { type: 'LoadBalancer', ipFamilies: ['IPv6'], ipFamilyPolicy: 'SingleStack', ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }], selector: { app: name }, sessionAffinity: 'None' }
    await api.request('POST', '/api/v1/namespaces/bench/services', {
      body: { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'bench', labels: { app: name }, annotations: { [LAST_APPLIED]: lastApplied(name, spec), 'metallb.io/address-pool': 'bench' }, managedFields }, spec },
    })
  }
  const before = settledHeap()
  const cache = startReflector({ path: '/api/v1/services', rest: api, log: silentLogger, onChange: () => undefined, typeMeta: { apiVersion: 'v1', kind: projected ? 'Service' : 'Unprojected' } })
  for (let i = 0; i < 1_000 && !cache.synced(); i++) await new Promise((r) => setTimeout(r, 10))
  if (cache.list().length !== count) throw new Error(`the cache holds ${cache.list().length} of ${count} Services`)
  const held = settledHeap() - before
  cache.stop()
  return held
}

export async function benchServiceCache(): Promise<void> {
  for (const count of [5_000, 10_000]) {
    const whole = await cacheBytes(count, false)
    const projected = await cacheBytes(count, true)
    console.log(`service cache, ${count} Services with a ${FOREIGN_BYTES} B foreign annotation: whole but managedFields ${mb(whole)}, projected ${mb(projected)} (${(whole / count).toFixed(0)} vs ${(projected / count).toFixed(0)} B a Service)`)
  }
}

export async function benchControllerForeign(): Promise<void> {
  const cp = await startControlPlane()
  try {
    await ensureCrds(cp.kubeconfigPath)
    const rest = await testRest(cp.kubeconfigPath)
    await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'metallb-system' } })
    await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } })
    await apply(rest, { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'bench', namespace: 'metallb-system' }, spec: { addresses: ['2001:db8:be00::/112'] } } as never)
    const controller = await startControllerProcess({ kubeconfig: cp.kubeconfigPath, namespace: 'metallb-system', identity: 'bench' })
    const mk = (i: number) => {
      const name = `s${i}`
      // No NodePorts: 10,000 Services would exhaust the default range (as in controller.bench.ts).
      const spec = { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ipFamilies: ['IPv6'], ipFamilyPolicy: 'SingleStack', ports: [{ port: 80, protocol: 'TCP' }], selector: { app: name } }
      const body = { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'bench', annotations: { [LAST_APPLIED]: lastApplied(name, spec) } }, spec }
      return createPatiently(rest, body)
    }
    const observer = await observeServices(rest, 'bench')
    const assigned = (count: number): number => {
      let n = 0
      for (let i = 0; i < count; i++) if ((observer.ipsOf(`s${i}`)?.length ?? 0) === 1) n++
      return n
    }
    const waitAll = async (count: number, boundMs: number): Promise<void> => {
      const deadline = Date.now() + boundMs
      while (assigned(count) < count) {
        if (Date.now() > deadline) throw new Error(`only ${assigned(count)} of ${count} Services got IPs within ${boundMs} ms`)
        await new Promise((r) => setTimeout(r, 200))
      }
    }

    const t0 = Date.now()
    await inParallel(5_000, 32, mk)
    await waitAll(5_000, 900_000)
    console.log(`controller, ${FOREIGN_BYTES} B foreign annotation per Service: all 5,000 had IPs ${((Date.now() - t0) / 1000).toFixed(1)} s after the first create`)
    console.log(`controller, ${FOREIGN_BYTES} B foreign annotation per Service: peak RSS during the first 5,000: ${mb(controller.peakRssBytes())}`)
    await inParallel(5_000, 32, (i) => mk(5_000 + i))
    await waitAll(10_000, 900_000)
    await new Promise((r) => setTimeout(r, 5_000))
    console.log(`controller, ${FOREIGN_BYTES} B foreign annotation per Service: peak RSS with 10,000 Services: ${mb(controller.peakRssBytes())}`)
    observer.stop()
    await controller.kill('SIGTERM')
    rest.close()
  } finally {
    await cp.stop()
  }
}

import t from 'tap'
import { startReflector } from '../../../shell/kube/reflector.js'
import { silentLogger } from '../../../shell/obs/log.js'
import { projectionOf } from '../../../core/cluster/projection.js'
import { memoryApi } from '../../support/memoryApi.js'

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration'
const foreign = `{"kind":"Service","spec":"${'x'.repeat(300)}"}`

const mkService = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name,
    namespace: 'apps',
    labels: { app: name },
    annotations: { [LAST_APPLIED]: foreign, 'metallb.io/address-pool': 'first' },
    managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:spec': {} } }],
  },
  spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }], sessionAffinity: 'None' },
})

/** Polls `probe` every 5 ms, at most 2 s. */
const until = async (what: string, probe: () => boolean): Promise<void> => {
  for (let i = 0; i < 400; i++) {
    if (probe()) return
    await new Promise((r) => setTimeout(r, 5))
  }
  throw new Error(`not within 2 s: ${what}`)
}

const project = projectionOf('Service') as (o: unknown) => unknown

t.test('the Service cache holds the projection, from the list, every watch event and observeWrite', async (t) => {
  const api = memoryApi()
  await api.request('POST', '/api/v1/namespaces/apps/services', { body: mkService('listed') })
  let changes = 0
  const services = startReflector<{ metadata: { name: string; namespace: string; resourceVersion?: string } }>({
    path: '/api/v1/services',
    rest: api,
    log: silentLogger,
    onChange: () => changes++,
    typeMeta: { apiVersion: 'v1', kind: 'Service' },
  })
  t.teardown(() => services.stop())
  await until('synced', () => services.synced())
  const cachedOf = (name: string) => services.list().find((s) => s.metadata.name === name)
  t.strictSame(cachedOf('listed'), project(api.get('apps', 'listed')), 'listed: the projection of what the server holds')
  const foreignKept = () => services.list().filter((s) => JSON.stringify(s).includes(LAST_APPLIED)).length
  t.equal(foreignKept(), 0, 'no last-applied-configuration in the cache')

  await api.request('POST', '/api/v1/namespaces/apps/services', { body: mkService('watched') })
  await until('the ADDED event', () => cachedOf('watched') !== undefined)
  t.strictSame(cachedOf('watched'), project(api.get('apps', 'watched')), 'ADDED: projected')

  const seen = changes
  await api.request('PATCH', '/api/v1/namespaces/apps/services/watched', {
    contentType: 'application/merge-patch+json',
    body: { metadata: { annotations: { 'example.com/owner': 'team-a', 'metallb.io/allow-shared-ip': 'k' } } },
  })
  await until('the MODIFIED event', () => changes > seen && cachedOf('watched')?.metadata.resourceVersion === api.get('apps', 'watched')?.metadata.resourceVersion)
  t.strictSame(cachedOf('watched'), project(api.get('apps', 'watched')), 'MODIFIED: projected, the new metallb annotation kept')

  const answer = await api.request('PATCH', '/api/v1/namespaces/apps/services/listed/status', {
    contentType: 'application/merge-patch+json',
    body: { status: { loadBalancer: { ingress: [{ ip: '192.0.2.1', ipMode: 'VIP' }] } } },
  })
  services.observeWrite(answer.body as never)
  t.strictSame(cachedOf('listed'), project(answer.body), 'observeWrite: projected')
  t.equal(foreignKept(), 0, 'still none')
})

t.test('a kind the core does not project is kept whole but for managedFields', async (t) => {
  const api = memoryApi()
  await api.request('POST', '/api/v1/namespaces/apps/services', { body: mkService('whole') })
  const reflector = startReflector<{ metadata: { name: string } }>({
    path: '/api/v1/services',
    rest: api,
    log: silentLogger,
    onChange: () => undefined,
    // Stands for the MetalLB kinds and ServiceL2Status, which the reflector keeps whole.
    typeMeta: { apiVersion: 'v1', kind: 'NotProjected' },
  })
  t.teardown(() => reflector.stop())
  await until('synced', () => reflector.synced())
  const stored = api.get('apps', 'whole') as { metadata: Record<string, unknown> }
  const { managedFields: _dropped, ...meta } = stored.metadata
  t.strictSame(reflector.list(), [{ ...stored, metadata: meta }])
})

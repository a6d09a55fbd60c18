// The controller's Service write on the in-memory API (specs/support/memoryApi.ts, which
// memoryApi.int.ts holds to the real kube-apiserver, annotations through /status included): one
// PATCH of /status carries the status and the pool annotation (MetalLB's one UpdateStatus), a stale
// resourceVersion is a Conflict that changes nothing, a missing Service is Gone, and the Events go
// only after the write landed, queued: the write does not wait for their POST.
import t from 'tap'
import type { ServiceWrite } from '../../../core/controller/serviceStatus.js'
import { type EventRecorder, eventRecorder } from '../../../shell/kube/events.js'
import { eventQueue } from '../../../shell/kube/eventQueue.js'
import { applyServiceWrite } from '../../../shell/controller/serviceWriter.js'
import { silentLogger } from '../../../shell/obs/log.js'
import { memoryApi } from '../../support/memoryApi.js'

const POOL = 'metallb.io/ip-allocated-from-pool'
const write: ServiceWrite = {
  status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] }, conditions: [] },
  annotations: { [POOL]: 'p', 'metallb.universe.tf/ip-allocated-from-pool': null },
  events: [{ type: 'Normal', reason: 'IPAllocated', message: 'Assigned IP ["203.0.113.7"]' }],
}

const seeded = async () => {
  const api = memoryApi()
  const created = await api.request('POST', '/api/v1/namespaces/apps/services', {
    body: { metadata: { name: 'web', annotations: { 'metallb.universe.tf/ip-allocated-from-pool': 'old' } }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } },
  })
  const meta = (created.body as { metadata: { uid: string; resourceVersion: string } }).metadata
  const target = { key: 'apps/web', namespace: 'apps', name: 'web', uid: meta.uid, resourceVersion: meta.resourceVersion }
  return { api, target, events: queued(eventRecorder(api, 'metallb-controller', 'spec', silentLogger)) }
}

const queued = (recorder: EventRecorder) => eventQueue(recorder, { capacity: 16, posters: 2, onDrop: () => undefined })

const writes = (api: ReturnType<typeof memoryApi>) => api.calls().filter((c) => c.method === 'PATCH')

t.test('status and annotations in one write, then the Event', async (t) => {
  const { api, target, events } = await seeded()
  const r = await applyServiceWrite(api, target, write, events)
  t.equal(r._tag, 'Written')
  t.same(
    writes(api).map((c) => c.path),
    ['/api/v1/namespaces/apps/services/web/status'],
    'one PATCH, of /status',
  )
  const svc = api.get('apps', 'web')
  t.same((svc?.['status'] as { loadBalancer: unknown }).loadBalancer, { ingress: [{ ip: '203.0.113.7' }] })
  t.same(svc?.metadata['annotations'], { [POOL]: 'p' }, 'the pool annotation set, the deprecated one removed')
  t.equal(r._tag === 'Written' ? (r.latest.metadata?.resourceVersion ?? '') : '', svc?.metadata.resourceVersion, 'the answer is the object as stored')
  await events.drain(5_000)
  t.same(
    api.events().map((e) => e['reason']),
    ['IPAllocated'],
  )
})

t.test('annotations alone, or status alone: still one write each', async (t) => {
  const { api, target, events } = await seeded()
  t.equal((await applyServiceWrite(api, target, { ...write, status: undefined, events: [] }, events))._tag, 'Written')
  const rv = api.get('apps', 'web')?.metadata.resourceVersion
  t.equal((await applyServiceWrite(api, { ...target, resourceVersion: rv }, { ...write, annotations: undefined, events: [] }, events))._tag, 'Written')
  t.equal(writes(api).length, 2)
  t.same(api.get('apps', 'web')?.metadata['annotations'], { [POOL]: 'p' })
  t.equal((await applyServiceWrite(api, target, { status: undefined, annotations: undefined, events: [] }, events))._tag, 'Unchanged', 'nothing to write: no request')
  t.equal(writes(api).length, 2)
})

t.test('a stale resourceVersion is a Conflict and changes nothing; a missing Service is Gone; no Event either way', async (t) => {
  const { api, target, events } = await seeded()
  const before = api.get('apps', 'web')
  t.equal((await applyServiceWrite(api, { ...target, resourceVersion: '1' }, write, events))._tag, 'Conflict')
  t.same(api.get('apps', 'web'), before)
  t.equal((await applyServiceWrite(api, { ...target, name: 'gone', key: 'apps/gone' }, write, events))._tag, 'Gone')
  await events.drain(5_000)
  t.same(api.events(), [])
})

t.test('the write does not wait for its Event: an Event POST that never answers holds nothing', async (t) => {
  const { api, target } = await seeded()
  const hung: EventRecorder = { record: () => new Promise<void>(() => undefined) }
  const events = queued(hung)
  const bound = new Promise<'held'>((r) => setTimeout(() => r('held'), 2_000).unref())
  t.equal(await Promise.race([applyServiceWrite(api, target, write, events).then((r) => r._tag), bound]), 'Written')
  t.equal(events.waiting(), 0, 'its Event handed to a poster')
})

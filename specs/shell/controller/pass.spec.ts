// The controller's pass on an in-memory API (specs/support/memoryApi.ts), under every interleaving
// fast-check's scheduler picks of its writes, the watch events that bring them back into the cache,
// and an injected write failure: no observer of the API ever sees one IP on two Services, and a few
// passes settle everything.
import t from 'tap'
import fc from 'fast-check'
import { decodeClusterObject, decodeClusterObjects } from '../../../core/cluster/decodeCluster.js'
import { indexCluster } from '../../../core/cluster/clusterIndex.js'
import { initialControllerState, reconcileController } from '../../../core/controller/reconcile.js'
import type { KubeObject } from '../../../shell/kube/reflector.js'
import type { RestClient } from '../../../shell/kube/rest.js'
import type { ControllerCaches } from '../../../shell/controller/caches.js'
import { controllerMetrics } from '../../../shell/controller/metrics.js'
import { type PassMemory, runPass } from '../../../shell/controller/pass.js'
import { silentLogger } from '../../../shell/obs/log.js'
import { fakeClock } from '../../support/fakeClock.js'
import { type MemoryApi, memoryApi } from '../../support/memoryApi.js'

const NS = 'metallb-system'
const IPS = ['203.0.113.1', '203.0.113.2', '203.0.113.3']
const POOL = { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'p', namespace: NS }, spec: { addresses: ['203.0.113.1-203.0.113.3'] } }
const metrics = controllerMetrics()

interface SvcRow {
  readonly type: 'LoadBalancer' | 'ClusterIP'
  readonly holds: string | undefined
  readonly requests: string | undefined
}

/** Up to four Services; each IP shown by one at most (no sharing keys: no two may ever show one IP). */
const rowsArb = fc
  .tuple(fc.shuffledSubarray(IPS), fc.array(fc.record({ type: fc.constantFrom('LoadBalancer' as const, 'LoadBalancer' as const, 'ClusterIP' as const), holds: fc.boolean(), requests: fc.option(fc.constantFrom(...IPS), { nil: undefined }) }), { minLength: 2, maxLength: 4 }))
  .map(([free, rows]): SvcRow[] => rows.map((r) => ({ type: r.type, requests: r.requests, holds: r.holds ? free.shift() : undefined })))

const seed = async (api: MemoryApi, rows: readonly SvcRow[]): Promise<void> => {
  for (const [i, r] of rows.entries()) {
    const annotations = { ...(r.holds === undefined ? {} : { 'metallb.io/ip-allocated-from-pool': 'p' }), ...(r.requests === undefined ? {} : { 'metallb.io/loadBalancerIPs': r.requests }) }
    await api.request('POST', '/api/v1/namespaces/apps/services', { body: { metadata: { name: `s${i}`, annotations }, spec: { type: r.type, ipFamilies: ['IPv4'], ports: [{ port: 80 }] } } })
    if (r.holds !== undefined)
      await api.request('PATCH', `/api/v1/namespaces/apps/services/s${i}/status`, { contentType: 'application/merge-patch+json', body: { status: { loadBalancer: { ingress: [{ ip: r.holds }] } } } })
  }
}

const newer = (a: KubeObject, b: KubeObject | undefined): boolean => b === undefined || Number(a.metadata?.resourceVersion) > Number(b.metadata?.resourceVersion)

/** The controller's caches over a map the (scheduled) watch and the writes' answers fill. */
const cachesOf = (cache: Map<string, KubeObject>): ControllerCaches => {
  const put = (o: KubeObject): void => {
    const key = `${o.metadata?.namespace}/${o.metadata?.name}`
    if (newer(o, cache.get(key))) cache.set(key, o)
  }
  return {
    synced: () => true,
    snapshot: () => {
      const c = decodeClusterObjects([...cache.values()])
      return { snapshot: { configObjects: [POOL], services: c.services, shown: c.shown, namespaces: [] }, problems: [] }
    },
    latestShown: () => decodeClusterObjects([...cache.values()]).shown,
    latestShownByIP: () => indexCluster(undefined, [...cache].map(([key, o]) => [key, decodeClusterObject(o)])).shownByIP,
    observeService: put,
    stop: () => undefined,
  }
}

/** ip -> Services showing it, as stored now. */
const doubles = (api: MemoryApi, n: number): string[] => {
  const by = new Map<string, string[]>()
  for (let i = 0; i < n; i++)
    for (const e of ((api.get('apps', `s${i}`)?.['status'] as { loadBalancer?: { ingress?: { ip?: string }[] } } | undefined)?.loadBalancer?.ingress ?? []))
      if (e.ip !== undefined) by.set(e.ip, [...(by.get(e.ip) ?? []), `s${i}`])
  return [...by].filter(([, keys]) => keys.length > 1).map(([ip, keys]) => `${ip} on ${keys.join(' and ')}`)
}

const failureArb = fc.option(fc.record({ service: fc.integer({ min: 0, max: 3 }), status: fc.constantFrom(500, 409), sub: fc.constantFrom('/status', '') }), { nil: undefined })

t.test('property: release before acquire under any interleaving of writes, watch events and a failed write', async () => {
  await fc.assert(
    fc.asyncProperty(fc.scheduler(), rowsArb, failureArb, async (s, rows, failure) => {
      const api = memoryApi()
      await seed(api, rows)
      const seen: string[] = []
      api.watch(() => seen.push(...doubles(api, rows.length)))
      const cache = new Map<string, KubeObject>()
      for (let i = 0; i < rows.length; i++) cache.set(`apps/s${i}`, api.get('apps', `s${i}`) as KubeObject)
      const caches = cachesOf(cache)
      api.watch((ev) => void s.schedule(Promise.resolve(ev.object), `watch ${ev.object.metadata.name}`).then((o) => caches.observeService(o as KubeObject)))
      if (failure !== undefined) api.failNext({ method: 'PATCH', path: `/api/v1/namespaces/apps/services/s${failure.service}${failure.sub}` }, 1, failure.status)
      const rest: RestClient = { request: (m, p, o) => s.schedule(Promise.resolve(), `${m} ${p}`).then(() => api.request(m, p, o)), stream: async () => undefined, close: () => undefined }
      const deps = { rest, events: { enqueue: () => undefined, drain: async () => undefined, waiting: () => 0 }, log: silentLogger, metrics, observe: caches.observeService, concurrency: 4, caches, clock: fakeClock(), namespace: NS, loadBalancerClass: undefined, publishConfigState: async () => undefined }
      const memory: PassMemory = { state: initialControllerState }
      for (let pass = 0; pass < 6; pass++) {
        await s.waitFor(runPass(deps, memory, { leading: () => true }))
        await s.waitAll()
      }
      if (seen.length > 0) throw new Error(`an observer saw ${seen[0]}`)
      const c = decodeClusterObjects(rows.map((_, i) => api.get('apps', `s${i}`)))
      const left = reconcileController({ configObjects: [POOL], services: c.services, shown: c.shown, namespaces: [] }, initialControllerState, { now: '2026-12-02T00:00:00Z', namespace: NS, loadBalancerClass: undefined }).plan.allocation?.services
      if ((left?.releases.length ?? 0) + (left?.acquisitions.length ?? 0) > 0) throw new Error(`not settled after 6 passes: ${JSON.stringify(left)}`)
    }),
    { numRuns: 120 },
  )
})

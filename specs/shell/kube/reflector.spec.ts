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

// A scripted API: each list answers the next of `lists` ('fail': 500; 'busy': 429 asking for a 1 s
// wait, as a restarted API server's storage does), each watch plays the next of `watches` (then ends,
// or with `hold` stays open until stopped), and every call is recorded, with when it came.
interface Script {
  readonly lists: readonly (readonly { metadata: { name: string; resourceVersion: string }; v?: number }[] | 'fail' | 'busy')[]
  readonly watches: readonly { readonly events: readonly unknown[]; readonly hold?: boolean }[]
}
const scripted = (script: Script) => {
  const calls: string[] = []
  const at: number[] = []
  let lists = 0
  let watches = 0
  const rest = {
    request: async (method: string, path: string) => {
      const answer = script.lists[Math.min(lists++, script.lists.length - 1)]
      calls.push(`${method} ${path}`)
      at.push(Date.now())
      if (answer === 'busy') return { status: 429, body: { reason: 'TooManyRequests', message: 'storage is (re)initializing', details: { retryAfterSeconds: 1 } } }
      if (answer === 'fail' || answer === undefined) return { status: 500, body: { reason: 'InternalError', message: 'scripted' } }
      return { status: 200, body: { items: answer, metadata: { resourceVersion: answer.map((o) => Number(o.metadata.resourceVersion)).reduce((a, b) => Math.max(a, b), 0).toString() } } }
    },
    stream: async (_path: string, query: Record<string, unknown> | undefined, onObject: (o: unknown) => void, signal: AbortSignal) => {
      const w = script.watches[watches++]
      calls.push(`WATCH from ${String(query?.['resourceVersion'])}`)
      for (const ev of w?.events ?? []) {
        if (signal.aborted) return
        onObject(ev)
      }
      if (w?.hold === true || w === undefined) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
    },
    close: () => undefined,
  }
  return { rest, calls, at }
}
const obj = (name: string, rv: number, v = 0) => ({ metadata: { name, resourceVersion: String(rv) }, v })

t.test('watch events: newer versions replace, older never do, DELETED removes, BOOKMARK moves the version quietly', async (t) => {
  const { rest, calls } = scripted({
    lists: [[obj('a', 1), obj('b', 2)]],
    watches: [
      {
        events: [
          { type: 'MODIFIED', object: obj('a', 5, 1) },
          { type: 'MODIFIED', object: obj('a', 4, 2) },
          { type: 'DELETED', object: obj('b', 6) },
          { type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } },
        ],
      },
      { events: [], hold: true },
    ],
  })
  let changes = 0
  const r = startReflector<ReturnType<typeof obj>>({ path: '/x', rest, log: silentLogger, onChange: () => changes++ })
  t.teardown(() => r.stop())
  await until('the second watch', () => calls.length >= 3)
  t.strictSame(r.list(), [obj('a', 5, 1)])
  t.equal(changes, 4, 'the list and three changes; the bookmark is not one')
  t.equal(r.version(), 3, 'version: the list, the newer a, the deletion; the older a and the bookmark change nothing')
  t.strictSame(calls, ['GET /x', 'WATCH from 2', 'WATCH from 9'], 'the next watch resumes at the bookmark, with no relist')
  t.equal(r.restarts().closed, 1)
})

t.test('410 Gone relists and replaces the cache; a failed list is retried', async (t) => {
  const { rest, calls } = scripted({
    lists: [[obj('a', 1)], 'fail', [obj('c', 7)]],
    watches: [{ events: [{ type: 'ERROR', object: { code: 410, metadata: {} } }] }, { events: [], hold: true }],
  })
  const r = startReflector<ReturnType<typeof obj>>({ path: '/x', rest, log: silentLogger, onChange: () => undefined })
  t.teardown(() => r.stop())
  await until('the watch after the relist', () => calls.length >= 5)
  t.strictSame(calls, ['GET /x', 'WATCH from 1', 'GET /x', 'GET /x', 'WATCH from 7'])
  t.strictSame(r.list(), [obj('c', 7)], 'what the new list holds, nothing of the old')
  t.strictSame(r.restarts(), { error: 1, gone: 1, watchdog: 0, closed: 0 })
})

t.test('an ERROR other than 410 restarts the watch from the same version after a backoff', async (t) => {
  const { rest, calls } = scripted({
    lists: [[obj('a', 3)]],
    watches: [{ events: [{ type: 'ERROR', object: { code: 500, metadata: {} } }] }, { events: [], hold: true }],
  })
  const r = startReflector<ReturnType<typeof obj>>({ path: '/x', rest, log: silentLogger, onChange: () => undefined })
  t.teardown(() => r.stop())
  await until('the second watch', () => calls.length >= 3)
  t.strictSame(calls, ['GET /x', 'WATCH from 3', 'WATCH from 3'])
  t.equal(r.restarts().error, 1)
})

t.test('a 429 naming a wait is retried after that wait, and leaves the backoff where it was', async (t) => {
  const { rest, calls, at } = scripted({ lists: ['busy', 'busy', 'fail', [obj('a', 1)]], watches: [{ events: [], hold: true }] })
  const r = startReflector<ReturnType<typeof obj>>({ path: '/x', rest, log: silentLogger, onChange: () => undefined })
  t.teardown(() => r.stop())
  for (let i = 0; i < 100 && !r.synced(); i++) await new Promise((res) => setTimeout(res, 50))
  t.ok(r.synced(), 'synced after two 429s and a 500')
  const gaps = at.slice(1).map((x, i) => x - (at[i] ?? x))
  t.equal(calls.filter((c) => c === 'GET /x').length, 4)
  t.ok((gaps[0] ?? 0) >= 950 && (gaps[1] ?? 0) >= 950, `each 429 waited the second it asked for (${gaps.slice(0, 2).join(', ')} ms)`)
  t.ok((gaps[2] ?? Infinity) <= 400, `the 500 after them waited the backoff's first step, 125-250 ms (${gaps[2]} ms)`)
})

t.test('observeWrite keeps an object we created before the watch shows it, never one the watch saw deleted', async (t) => {
  const { rest, calls } = scripted({ lists: [[obj('a', 1)]], watches: [{ events: [{ type: 'DELETED', object: obj('b', 6) }], hold: true }] })
  const r = startReflector<ReturnType<typeof obj>>({ path: '/x', rest, log: silentLogger, onChange: () => undefined })
  t.teardown(() => r.stop())
  await until('the watch', () => calls.length >= 2 && r.version() >= 1)
  await new Promise((res) => setTimeout(res, 20))
  r.observeWrite(obj('c', 7))
  t.strictSame(r.list(), [obj('a', 1), obj('c', 7)], 'a create the watch has not shown yet is in the cache (else each pass creates another)')
  r.observeWrite(obj('b', 5))
  t.notOk(r.list().some((o) => o.metadata.name === 'b'), "a write's answer older than the watch's deletion does not bring b back")
  r.observeWrite(obj('b', 8))
  t.ok(r.list().some((o) => o.metadata.name === 'b' && o.metadata.resourceVersion === '8'), 'b made again after the deletion is kept')
})

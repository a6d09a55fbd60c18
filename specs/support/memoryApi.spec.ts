// memoryApi on its own: the shared request sequence answers as the real API server does (the same
// transcript memoryApi.int.ts gets from kube-apiserver), merge patch per RFC 7386, and failure injection.
import t from 'tap'
import fc from 'fast-check'
import { type Json, memoryApi, mergePatch } from './memoryApi.js'
import { EXPECTED, EXPECTED_WATCH, runApiSequence } from './apiSequence.js'


t.test('the shared sequence answers as kube-apiserver does', async (t) => {
  const { steps, watched } = await runApiSequence(memoryApi(), 'seq-ns')
  t.same(steps, EXPECTED)
  t.same(watched, EXPECTED_WATCH, 'one watch event per change, none for the no-op patches')
})

t.test('merge patch (RFC 7386 appendix A examples)', async (t) => {
  const rows: { in: [Json, Json]; want: Json }[] = [
    { in: [{ a: 'b' }, { a: 'c' }], want: { a: 'c' } },
    { in: [{ a: 'b' }, { b: 'c' }], want: { a: 'b', b: 'c' } },
    { in: [{ a: 'b' }, { a: null }], want: {} },
    { in: [{ a: 'b', b: 'c' }, { a: null }], want: { b: 'c' } },
    { in: [{ a: ['b'] }, { a: 'c' }], want: { a: 'c' } },
    { in: [{ a: 'c' }, { a: ['b'] }], want: { a: ['b'] } },
    { in: [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }], want: { a: { b: 'd' } } },
    { in: [{ a: [{ b: 'c' }] }, { a: [1] }], want: { a: [1] } },
    { in: [['a', 'b'], ['c', 'd']], want: ['c', 'd'] },
    { in: [{ a: 'b' }, ['c']], want: ['c'] },
    { in: [{ a: 'foo' }, null], want: null },
    { in: [{ a: 'foo' }, 'bar'], want: 'bar' },
    { in: [{ e: null }, { a: 1 }], want: { e: null, a: 1 } },
    { in: [[1, 2], { a: 'b', c: null }], want: { a: 'b' } },
    { in: [{}, { a: { bb: { ccc: null } } }], want: { a: { bb: {} } } },
  ]
  for (const row of rows) t.same(mergePatch(row.in[0], row.in[1]), row.want, JSON.stringify(row.in))
  fc.assert(
    fc.property(fc.jsonValue() as fc.Arbitrary<Json>, fc.jsonValue() as fc.Arbitrary<Json>, (a, p) => {
      const once = mergePatch(a, p)
      t.same(mergePatch(once, p), once) // applying a patch twice is applying it once
    }),
    { numRuns: 200 },
  )
})

const mkService = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'LoadBalancer' } })

t.test('failNext answers the status N times, changes nothing, then lets requests through', async (t) => {
  const api = memoryApi()
  await api.request('POST', '/api/v1/namespaces/d/services', { body: mkService('a') })
  api.failNext({ method: 'PATCH', path: /\/status$/ }, 2, 500)
  const patch = () => api.request('PATCH', '/api/v1/namespaces/d/services/a/status', { contentType: 'application/merge-patch+json', body: { status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } } })
  const answers = [await patch(), await patch(), await patch()]
  t.same(answers.map((r) => [r.status, (r.body as { reason?: string }).reason ?? 'ok']), [[500, 'InternalError'], [500, 'InternalError'], [200, 'ok']])
  t.same(api.history().map((e) => e.type), ['ADDED', 'MODIFIED'], 'the failed writes changed nothing')
  t.same(api.calls().map((c) => c.status), [201, 500, 500, 200])
  t.equal((await api.request('GET', '/api/v1/namespaces/d/services/a')).status, 200, 'a GET did not match')
})

t.test('hangNext holds one request until released; it then acts on the state as it is', async (t) => {
  const api = memoryApi()
  await api.request('POST', '/api/v1/namespaces/d/services', { body: mkService('a') })
  const rv = api.get('d', 'a')?.metadata.resourceVersion
  const held = api.hangNext({ method: 'PATCH', path: '/api/v1/namespaces/d/services/a/status' })
  const body = (ip: string) => ({ contentType: 'application/merge-patch+json', body: { metadata: { resourceVersion: rv }, status: { loadBalancer: { ingress: [{ ip }] } } } })
  let answered = 0
  const first = api.request('PATCH', '/api/v1/namespaces/d/services/a/status', body('192.0.2.1')).then((r) => ((answered = r.status), r))
  await held.caught
  const second = await api.request('PATCH', '/api/v1/namespaces/d/services/a/status', body('192.0.2.2'))
  t.equal(second.status, 200, 'only the next matching request hangs')
  t.equal(answered, 0, 'the held one waits')
  held.release()
  t.equal((await first).status, 409, 'released after the other write: its resourceVersion is stale now')
})

t.test('a watch from a resourceVersion replays what followed it, then live changes; scoped to its namespace', async (t) => {
  const api = memoryApi()
  await api.request('POST', '/api/v1/namespaces/d/services', { body: mkService('a') })
  const rv = api.get('d', 'a')?.metadata.resourceVersion ?? ''
  await api.request('POST', '/api/v1/namespaces/e/services', { body: mkService('b') })
  await api.request('POST', '/api/v1/namespaces/d/services', { body: mkService('c') })
  const seen: string[] = []
  const stop = new AbortController()
  const watching = api.stream('/api/v1/namespaces/d/services', { watch: true, resourceVersion: rv }, (o) => void seen.push(`${(o as { type: string }).type} ${(o as { object: { metadata: { name: string } } }).object.metadata.name}`), stop.signal)
  await api.request('DELETE', '/api/v1/namespaces/d/services/a')
  await new Promise((r) => setImmediate(r))
  stop.abort()
  await watching
  t.same(seen, ['ADDED c', 'DELETED a'])
  const all: string[] = []
  const stopAll = new AbortController()
  const fromStart = api.stream('/api/v1/services', { watch: true }, (o) => void all.push((o as { object: { metadata: { name: string } } }).object.metadata.name), stopAll.signal)
  await new Promise((r) => setImmediate(r))
  stopAll.abort()
  await fromStart
  t.same(all.sort(), ['b', 'c'], 'no resourceVersion: every current object as ADDED')
})

t.test('what is not modelled is refused, naming it', async (t) => {
  const api = memoryApi()
  const res = await api.request('GET', '/api/v1/nodes')
  t.equal(res.status, 404)
  t.match((res.body as { message: string }).message, 'memoryApi: GET /api/v1/nodes is not modelled')
  await api.request('POST', '/api/v1/namespaces/d/services', { body: mkService('a') })
  const strategic = await api.request('PATCH', '/api/v1/namespaces/d/services/a', { contentType: 'application/strategic-merge-patch+json', body: {} })
  t.equal(strategic.status, 415)
  await t.rejects(api.stream('/api/v1/nodes', { watch: true }, () => undefined, new AbortController().signal), /not modelled/)
})

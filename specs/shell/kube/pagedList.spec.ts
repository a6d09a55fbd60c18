import t from 'tap'
import { listInPages } from '../../../shell/kube/pagedList.js'
import { ApiError, type RequestOptions, type RestClient, type RestResponse } from '../../../shell/kube/rest.js'

type Query = NonNullable<RequestOptions['query']>

/** A RestClient that answers list requests from `answer` and records each request's query. */
const scripted = (answer: (query: Query, call: number) => RestResponse) => {
  const queries: Query[] = []
  const rest: RestClient = {
    request: async (_method, _path, options = {}) => {
      const query = options.query ?? {}
      queries.push(query)
      return answer(query, queries.length - 1)
    },
    stream: async () => undefined,
    close: () => undefined,
  }
  return { rest, queries }
}

const item = (name: string) => ({ metadata: { namespace: 'apps', name } })
const keep = (o: unknown) => {
  const m = (o as { metadata: { namespace: string; name: string } }).metadata
  return [`${m.namespace}/${m.name}`, m.name] as const
}

/** A collection of `n` items served `limit` at a time; the token is the offset (the real server's is opaque). */
const collection = (n: number, rv = '77') => (query: Query): RestResponse => {
  const all = Array.from({ length: n }, (_, i) => item(`s${i}`))
  if (query['limit'] === undefined) return { status: 200, body: { metadata: { resourceVersion: rv }, items: all } }
  const from = query['continue'] === undefined ? 0 : Number(query['continue'])
  const to = from + Number(query['limit'])
  return { status: 200, body: { metadata: { resourceVersion: rv, ...(to < n ? { continue: String(to) } : {}) }, items: all.slice(from, to) } }
}

const gone = (reason: string): RestResponse => ({ status: 410, body: { kind: 'Status', reason, message: 'The provided continue parameter is too old' } })

t.test('pages are followed by their continue tokens until the last, selectors kept on every request', async (t) => {
  const { rest, queries } = scripted(collection(23))
  const listing = await listInPages(rest, '/api/v1/services', { labelSelector: 'a=b' }, keep, 5)
  t.equal(listing.items.size, 23, 'every item')
  t.strictSame([...listing.items.values()], Array.from({ length: 23 }, (_, i) => `s${i}`), 'in the order served, each as keep made it')
  t.equal(listing.pages, 5)
  t.equal(listing.resourceVersion, '77')
  t.notOk(listing.unpaged)
  t.strictSame(
    queries.map((q) => [q['limit'], q['continue'], q['labelSelector']]),
    [
      [5, undefined, 'a=b'],
      [5, '5', 'a=b'],
      [5, '10', 'a=b'],
      [5, '15', 'a=b'],
      [5, '20', 'a=b'],
    ],
  )
})

t.test('an empty collection is one request; an empty continue token ends the list', async (t) => {
  const empty = scripted(collection(0))
  const listing = await listInPages(empty.rest, '/x', {}, keep, 5)
  t.equal(listing.items.size, 0)
  t.equal(empty.queries.length, 1)
  const blankToken = scripted(() => ({ status: 200, body: { metadata: { resourceVersion: '9', continue: '' }, items: [item('a')] } }))
  t.equal((await listInPages(blankToken.rest, '/x', {}, keep, 5)).items.size, 1)
  t.equal(blankToken.queries.length, 1)
})

t.test('an expired continue token: the list is made again in one piece, the pages read before dropped', async (t) => {
  const serve = collection(12, '90')
  const { rest, queries } = scripted((query, call) => (call === 1 ? gone('Expired') : serve(query)))
  const listing = await listInPages(rest, '/api/v1/services', { fieldSelector: 'f' }, keep, 5)
  t.ok(listing.unpaged)
  t.equal(listing.items.size, 12)
  t.equal(listing.resourceVersion, '90')
  t.strictSame(queries[2], { fieldSelector: 'f' }, 'the whole list: no limit, no token, the selector kept')
  t.equal(queries.length, 3)
})

t.test('errors other than an expired token are thrown: 410 on the first page, 500 on a later one', async (t) => {
  const first = scripted(() => gone('Gone'))
  const firstError = await listInPages(first.rest, '/x', {}, keep, 5).then(() => undefined, (e: unknown) => e)
  t.ok(firstError instanceof ApiError && firstError.status === 410, 'the 410 thrown')
  t.equal(first.queries.length, 1, 'no whole list after a 410 with no token sent')
  const serve = collection(12)
  const later = scripted((query, call) => (call === 1 ? { status: 500, body: { reason: 'InternalError', message: 'etcd' } } : serve(query)))
  const laterError = await listInPages(later.rest, '/x', {}, keep, 5).then(() => undefined, (e: unknown) => e)
  t.ok(laterError instanceof ApiError && laterError.status === 500 && laterError.reason === 'InternalError', 'the 500 thrown')
})

t.test('a key served twice (an object moved between pages) keeps the later copy', async (t) => {
  const { rest } = scripted((query) =>
    query['continue'] === undefined
      ? { status: 200, body: { metadata: { resourceVersion: '1', continue: 'c' }, items: [item('a'), item('b')] } }
      : { status: 200, body: { metadata: { resourceVersion: '1' }, items: [{ metadata: { namespace: 'apps', name: 'b', v: 2 } }] } },
  )
  const listing = await listInPages(rest, '/x', {}, (o) => [(o as { metadata: { name: string } }).metadata.name, o], 2)
  t.equal(listing.items.size, 2)
  t.strictSame(listing.items.get('b'), { metadata: { namespace: 'apps', name: 'b', v: 2 } })
})

t.test('a server that gives back the token it was sent is an error, not a loop', async (t) => {
  const { rest, queries } = scripted(() => ({ status: 200, body: { metadata: { resourceVersion: '1', continue: 'same' }, items: [item('a')] } }))
  const err = await listInPages(rest, '/x', {}, keep, 5).then(() => undefined, (e: unknown) => e)
  t.match(String(err), /gave back the continue token/)
  t.equal(queries.length, 2)
})

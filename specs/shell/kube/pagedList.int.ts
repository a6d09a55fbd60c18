// Paged lists against the real API server: the pages chain by their tokens into one consistent
// snapshot, and a reflector started with a small page size caches every object and then follows
// the watch from the snapshot's version (nothing made after the list is missed, nothing twice).
import t from 'tap'
import { listInPages } from '../../../shell/kube/pagedList.js'
import { type KubeObject, startReflector } from '../../../shell/kube/reflector.js'
import { type RestClient, ensureOk } from '../../../shell/kube/rest.js'
import { silentLogger } from '../../../shell/obs/log.js'
import { create, eventually, randomSuffix, testRest } from '../../support/kube.js'

const MADE = 23
const PAGE = 5

const makeConfigMap = async (rest: RestClient, ns: string, name: string): Promise<void> =>
  void ensureOk(await rest.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { paged: 'yes' } }, data: { n: name } } }), `create ${name}`)

t.test(`${MADE} objects listed ${PAGE} a page, then watched from the listing's version`, async (t) => {
  const rest = await testRest()
  const ns = `paged-${randomSuffix()}`
  await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })
  t.teardown(async () => {
    await rest.request('DELETE', `/api/v1/namespaces/${ns}`).catch(() => undefined)
    rest.close()
  })
  for (let i = 0; i < MADE; i++) await makeConfigMap(rest, ns, `cm-${String(i).padStart(2, '0')}`)
  // One more without the label: the selector is sent with every page.
  ensureOk(await rest.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unlabelled' } } }), 'create unlabelled')

  const path = `/api/v1/namespaces/${ns}/configmaps`
  const keep = (o: unknown) => [(o as KubeObject).metadata?.name ?? '', (o as KubeObject).metadata?.resourceVersion] as const
  const listing = await listInPages(rest, path, { labelSelector: 'paged=yes' }, keep, PAGE)
  t.equal(listing.pages, Math.ceil(MADE / PAGE), 'the server answered in pages')
  t.notOk(listing.unpaged)
  t.strictSame([...listing.items.keys()].sort(), Array.from({ length: MADE }, (_, i) => `cm-${String(i).padStart(2, '0')}`), 'every labelled object, once')
  const whole = ensureOk(await rest.request('GET', path, { query: { labelSelector: 'paged=yes' } }), 'list whole').body as { items: KubeObject[] }
  t.strictSame(Object.fromEntries(listing.items), Object.fromEntries(whole.items.map((o) => [o.metadata?.name, o.metadata?.resourceVersion])), 'the same objects at the same versions as one unpaged list')
  t.match(listing.resourceVersion, /^\d+$/, 'a version to watch from')

  const reflector = startReflector<KubeObject>({ path, labelSelector: 'paged=yes', rest, log: silentLogger, onChange: () => undefined, listPageSize: PAGE })
  t.teardown(() => reflector.stop())
  await eventually('synced', 10_000, async () => (reflector.synced() ? true : undefined))
  t.equal(reflector.list().length, MADE, 'the reflector cached every page')
  await makeConfigMap(rest, ns, 'after-the-list')
  await eventually('the watch shows what came after the list', 10_000, async () => (reflector.list().some((o) => o.metadata?.name === 'after-the-list') ? true : undefined))
  t.equal(reflector.list().length, MADE + 1, 'nothing missed, nothing twice')
  t.equal(reflector.restarts().gone, 0, 'the watch started from a version the server still had')
})

// The controller's caches decode each cached object once: over an unchanged cache two snapshots share
// their decoded Services (so the core's planFrom finds them unchanged by reference), and a changed
// Service alone is decoded again. The answers are the plain decode's.
import t from 'tap'
import { decodeClusterObjects } from '../../../core/cluster/decodeCluster.js'
import { startCaches } from '../../../shell/controller/caches.js'
import { silentLogger } from '../../../shell/obs/log.js'
import { memoryApi } from '../../support/memoryApi.js'

const mkService = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'apps', labels: { app: name } },
  spec: { type: 'LoadBalancer', ipFamilies: ['IPv4'], ports: [{ port: 80, protocol: 'TCP' }] },
})

/** Polls `probe` every 5 ms, at most 2 s. */
const until = async (what: string, probe: () => boolean): Promise<void> => {
  for (let i = 0; i < 400; i++) {
    if (probe()) return
    await new Promise((r) => setTimeout(r, 5))
  }
  throw new Error(`not within 2 s: ${what}`)
}

t.test('a snapshot decodes only the objects that changed since the last', async (t) => {
  const api = memoryApi()
  for (const name of ['a', 'b', 'c']) await api.request('POST', '/api/v1/namespaces/apps/services', { body: mkService(name) })
  // Only Services are modelled by memoryApi: the other reflectors keep retrying, which a snapshot does not wait for.
  const caches = startCaches({ rest: api, log: silentLogger, namespace: 'metallb-system', onChange: () => undefined })
  t.teardown(() => caches.stop())
  const services = () => caches.snapshot().snapshot.services
  await until('three Services cached', () => services().length === 3)

  const first = services()
  const second = services()
  const same = (a: readonly object[], b: readonly object[]): boolean[] => a.map((x, i) => x === b[i])
  t.same(same(first, second), [true, true, true], 'an unchanged cache: the very same decoded Services')
  const shownBefore = caches.latestShown()
  t.equal(caches.latestShown().get('apps/a'), shownBefore.get('apps/a'), 'and the same ServiceShown for the latest copies')
  // A pass reads the decoded cluster twice (its snapshot, the latest copies after its releases): built once.
  t.equal(caches.latestShown(), shownBefore, 'an unchanged cache: the very same map of latest copies, not a new one')
  t.equal(caches.snapshot().snapshot.shown, shownBefore, "the snapshot's map is that one too")

  await api.request('PATCH', '/api/v1/namespaces/apps/services/b', { contentType: 'application/merge-patch+json', body: { metadata: { labels: { app: 'b', tier: 'web' } } } })
  await until('the change cached', () => services().find((s) => s.name === 'b')?.labels['tier'] === 'web')
  const third = services()
  t.not(caches.latestShown(), shownBefore, 'after a change: built again')
  t.same(same(second, third), [true, false, true], 'after b changed: a and c as they were, b decoded again')
  t.strictSame(third, decodeClusterObjects(['a', 'b', 'c'].map((n) => ({ apiVersion: 'v1', kind: 'Service', ...(api.get('apps', n) as object) }))).services, 'equal to a plain decode of what the server holds')
})

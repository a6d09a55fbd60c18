// The ServiceBGPStatus publisher against the real API server, under the speaker's ServiceAccount and
// deploy/'s RBAC: a create is MetalLB's object (generateName bgp-, the three labels, the status with
// node, Service and sorted peers) plus a nodeAssigned Event on the Service; the cache read back
// through the core decoder then yields an update when the peers change, a delete when none is left,
// and nothing when all agrees.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { serviceKey } from '../../../core/model/names.js'
import { decodeBgpStatuses } from '../../../core/speaker/bgpStatusCodec.js'
import { bgpStatusWrites } from '../../../core/speaker/bgpStatusWrites.js'
import { eventRecorder } from '../../../shell/kube/events.js'
import type { KubeObject } from '../../../shell/kube/reflector.js'
import { silentLogger } from '../../../shell/obs/log.js'
import { bgpStatusPublisher, writeBgpStatus } from '../../../shell/speaker/bgpStatus.js'
import { ensureCrds } from '../../support/crds.js'
import { create, eventually, list, randomSuffix, testKubeconfig, testRest } from '../../support/kube.js'
import { serviceAccountKubeconfig } from '../../support/serviceAccount.js'

t.setTimeout(120_000)

interface StatusObject {
  readonly metadata: { readonly name: string; readonly labels?: Record<string, string> }
  readonly status?: { readonly node?: string; readonly serviceName?: string; readonly serviceNamespace?: string; readonly peers?: readonly string[] }
}

t.test('create, update, delete as MetalLB keeps them, with the nodeAssigned Event', async (t) => {
  await ensureCrds(testKubeconfig())
  const admin = await testRest()
  t.teardown(() => admin.close())
  const id = randomSuffix()
  const cfg = `cfg-bgps-${id}`
  const ns = `svc-bgps-${id}`
  const node = `node-${id}`
  for (const n of [cfg, ns]) await create(admin, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } })
  t.teardown(async () => {
    for (const n of [cfg, ns]) await admin.request('DELETE', `/api/v1/namespaces/${n}`).catch(() => undefined)
  })
  await create(admin, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] } } as never)
  const saDir = mkdtempSync(join(tmpdir(), 'ilb-bgps-sa-'))
  t.teardown(() => rmSync(saDir, { recursive: true, force: true }))
  const rest = await testRest(await serviceAccountKubeconfig(testKubeconfig(), 'speaker', cfg, saDir))
  t.teardown(() => rest.close())
  const deps = { rest, log: silentLogger, events: eventRecorder(rest, 'metallb-speaker', node, silentLogger), namespace: cfg, node }
  const statuses = async (): Promise<StatusObject[]> => {
    const r = await admin.request('GET', `/apis/metallb.io/v1beta1/namespaces/${cfg}/servicebgpstatuses`)
    return (r.body as { items: StatusObject[] }).items
  }
  const web = serviceKey(ns, 'web')

  const created = await writeBgpStatus(deps, bgpStatusWrites([{ service: web, peer: 'tor-b' }, { service: web, peer: 'tor-a' }], []))
  t.equal(created.length, 1, 'the created object comes back for the cache')
  const [first] = await statuses()
  t.match(first?.metadata.name, /^bgp-/, 'generateName bgp-')
  t.same(first?.metadata.labels, { 'metallb.io/node': node, 'metallb.io/service-name': 'web', 'metallb.io/service-namespace': ns })
  t.same(first?.status, { node, serviceName: 'web', serviceNamespace: ns, peers: ['tor-a', 'tor-b'] })
  const events = await eventually('the nodeAssigned Event', 10_000, async () => {
    const es = await list<{ reason?: string; message?: string }>(admin, 'v1', 'Event', ns)
    return es.some((e) => e.reason === 'nodeAssigned') ? es : undefined
  })
  t.match(events.find((e) => e.reason === 'nodeAssigned')?.message, `announcing from node "${node}" with protocol "bgp"`)

  t.same(bgpStatusWrites([{ service: web, peer: 'tor-a' }, { service: web, peer: 'tor-b' }], decodeBgpStatuses(await statuses())), [], 'read back: nothing to write')
  const update = bgpStatusWrites([{ service: web, peer: 'tor-a' }], decodeBgpStatuses(await statuses()))
  t.same(update.map((w) => w._tag), ['Update'])
  await writeBgpStatus(deps, update)
  t.same((await statuses()).map((o) => o.status?.peers), [['tor-a']], 'one peer left')

  // Through the single-flight publisher this time: the delete lands, then nothing is left.
  const kicked: string[] = []
  const publish = bgpStatusPublisher(deps, (o: KubeObject) => kicked.push(`observed ${o.metadata?.name ?? ''}`), () => kicked.push('kick'))
  publish(bgpStatusWrites([], decodeBgpStatuses(await statuses())))
  await eventually('the object deleted', 10_000, async () => ((await statuses()).length === 0 ? true : undefined))
  t.same(kicked, [], 'a lone publish kicks nobody')
})

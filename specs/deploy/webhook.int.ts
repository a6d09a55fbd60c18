// Integration: the validating webhook refuses at `kubectl apply` what needs more than one object
// (overlapping pools, an aggregation length shorter than a pool's prefix, an alias another Community
// defines, a pool outside IronLB's namespace, deleting a BFDProfile a peer names), with the lines
// `ironlb simulate` prints; it lets through changes to a configuration that was invalid before it
// was installed. The webhook runs in this process as the controller runs it (shell/webhook/run.ts),
// with its certificates made and its CA patched by itself. The webhook configuration is
// deploy/manifests/50-webhook.yaml with two changes for a shared test API server that has no
// Services routing: each webhook is reached by URL on loopback, and only this file's namespaces
// (by label) are sent to it.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { X509Certificate } from 'node:crypto'
import t from 'tap'
import { parseAllDocuments } from 'yaml'
import { KubeConfig } from '@kubernetes/client-node'
import { buildConfig } from '../../core/config/buildConfig.js'
import { configErrorText } from '../../core/webhook/message.js'
import { restClient } from '../../shell/kube/rest.js'
import { silentLogger } from '../../shell/obs/log.js'
import { startWebhook } from '../../shell/webhook/run.js'
import { listConfiguration } from '../../shell/webhook/server.js'
import { applyAndWait, connect, mkNamespace, REPO } from './kubectl.js'

const kubectl = await connect()
t.teardown(() => kubectl.stop())
await applyAndWait(kubectl, ['deploy/manifests/00-namespace.yaml', 'deploy/manifests/10-crds.yaml'])
const ns = await mkNamespace(kubectl, 'it-webhook')
const other = await mkNamespace(kubectl, 'it-webhook-other')
const LABEL = 'ironlb.io/webhook-spec'
for (const n of [ns, other]) await kubectl(['label', 'namespace', n, `${LABEL}=${ns}`])
t.teardown(async () => {
  await kubectl(['delete', 'namespace', ns, other, '--wait=false'])
})

const kc = new KubeConfig()
kc.loadFromFile(kubectl.kubeconfig)
const rest = await restClient(kc)
t.teardown(() => rest.close())

const obj = (kind: string, name: string, spec: Record<string, unknown>, namespace = ns, version = 'v1beta1'): Record<string, unknown> => ({
  apiVersion: `metallb.io/${version}`,
  kind,
  metadata: { name, namespace },
  spec,
})
const apply = (o: Record<string, unknown>) => kubectl(['apply', '-f', '-'], JSON.stringify(o))
/** What `ironlb simulate` prints for these objects, line by line ("Kind ns/name: field: message"). */
const simulateLines = (objects: readonly unknown[]): string[] => {
  const r = buildConfig(objects, { namespace: ns })
  return r._tag === 'Invalid' ? r.errors.map(configErrorText) : []
}

// Objects made before the webhook exists: pool `old-a` and `old-b` overlap, which only the
// controller's runtime check reports.
const oldA = obj('IPAddressPool', 'old-a', { addresses: ['203.0.113.0/25'] })
const oldB = obj('IPAddressPool', 'old-b', { addresses: ['203.0.113.64/26'] })
for (const o of [oldA, oldB]) {
  const r = await apply(o)
  if (r.code !== 0) throw new Error(`set-up: ${r.stderr}`)
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0))
    })
  })
const port = await freePort()

// The shipped configuration, pointed at this process and this file's namespaces.
const vwcName = `it-webhook-${ns}`
const shipped = parseAllDocuments(readFileSync(`${REPO}deploy/manifests/50-webhook.yaml`, 'utf8')).map((d) => d.toJS() as Record<string, any>)
const vwc = shipped.find((d) => d['kind'] === 'ValidatingWebhookConfiguration')
if (vwc === undefined) throw new Error('50-webhook.yaml holds no ValidatingWebhookConfiguration')
vwc['metadata'] = { name: vwcName }
for (const w of vwc['webhooks'] as Array<Record<string, any>>) {
  w['clientConfig'] = { url: `https://127.0.0.1:${port}${String(w['clientConfig']['service']['path'])}` }
  w['namespaceSelector'] = { matchLabels: { [LABEL]: ns } }
  w['timeoutSeconds'] = 5
}
const created = await kubectl(['create', '-f', '-'], JSON.stringify(vwc))
if (created.code !== 0) throw new Error(`create the webhook configuration: ${created.stderr}`)
t.teardown(async () => {
  await kubectl(['delete', 'validatingwebhookconfiguration', vwcName, '--ignore-not-found'])
})

const webhook = await startWebhook({
  rest,
  log: silentLogger,
  namespace: ns,
  host: '127.0.0.1',
  port,
  serviceName: 'metallb-webhook-service',
  secretName: 'metallb-webhook-cert',
  webhookConfigurationName: vwcName,
  clusterDomain: 'cluster.local',
  extraHosts: ['127.0.0.1'],
})
t.teardown(() => webhook.stop())

// The API server reads webhook configurations from a cache: wait (bounded) until it calls ours.
const probe = obj('IPAddressPool', 'probe', { addresses: ['203.0.113.0/24'] }, other)
const deadline = Date.now() + 30_000
for (;;) {
  const r = await kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(probe))
  if (r.code !== 0 && r.stderr.includes('denied the request') && r.stderr.includes('must be created in namespace')) break
  if (Date.now() > deadline) throw new Error(`the webhook was not called within 30 s: ${r.code} ${r.stderr}`)
  await new Promise((res) => setTimeout(res, 500))
}

t.test('the certificate: made by the controller, kept in the Secret, its CA in every webhook\'s caBundle', async (t) => {
  const got = await kubectl(['get', 'secret', 'metallb-webhook-cert', '-n', ns, '-o', 'json'])
  t.equal(got.code, 0, got.stderr)
  const secret = JSON.parse(got.stdout) as { type: string; data: Record<string, string> }
  t.equal(secret.type, 'kubernetes.io/tls')
  t.same(Object.keys(secret.data).sort(), ['ca.crt', 'ca.key', 'tls.crt', 'tls.key'])
  const ca = new X509Certificate(Buffer.from(secret.data['ca.crt'] ?? '', 'base64'))
  const serving = new X509Certificate(Buffer.from(secret.data['tls.crt'] ?? '', 'base64'))
  t.ok(serving.verify(ca.publicKey), 'the serving certificate is signed by the CA')
  t.match(serving.subjectAltName ?? '', /DNS:metallb-webhook-service\.[^,]+\.svc/)
  t.match(serving.subjectAltName ?? '', /IP Address:127\.0\.0\.1/)
  const conf = await kubectl(['get', 'validatingwebhookconfiguration', vwcName, '-o', 'json'])
  const hooks = (JSON.parse(conf.stdout) as { webhooks: Array<{ clientConfig: { caBundle?: string } }> }).webhooks
  t.equal(hooks.length, 6)
  t.ok(hooks.every((h) => h.clientConfig.caBundle === secret.data['ca.crt']), 'every caBundle is the Secret\'s ca.crt')
})

interface Row {
  readonly desc: string
  /** Applied first (each must be accepted). */
  readonly given?: readonly Record<string, unknown>[]
  readonly apply: Record<string, unknown>
}

const pool = (name: string, addresses: string[]): Record<string, unknown> => obj('IPAddressPool', name, { addresses })
const refused: readonly Row[] = [
  { desc: 'a pool overlapping another pool', given: [pool('p1', ['192.0.2.0/24'])], apply: pool('p2', ['192.0.2.128/25']) },
  { desc: 'a range overlapping another pool\'s CIDR', given: [pool('p3', ['198.51.100.0/28'])], apply: pool('p4', ['198.51.100.10-198.51.100.20']) },
  {
    desc: 'aggregationLength 16 on a /24 pool',
    given: [pool('p5', ['100.64.2.0/24'])],
    apply: obj('BGPAdvertisement', 'agg', { aggregationLength: 16, ipAddressPools: ['p5'] }),
  },
  {
    desc: 'an alias name another Community defines',
    given: [obj('Community', 'c1', { communities: [{ name: 'edge', value: '65000:1' }] })],
    apply: obj('Community', 'c2', { communities: [{ name: 'edge', value: '65000:2' }] }),
  },
  { desc: 'a peer naming a BFDProfile that does not exist', apply: obj('BGPPeer', 'r0', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1', bfdProfile: 'none' }, ns, 'v1beta2') },
]

t.test('refused at kubectl apply, with the lines ironlb simulate prints', async (t) => {
  const given: Record<string, unknown>[] = []
  for (const row of refused) {
    given.push(...(row.given ?? []))
    for (const g of row.given ?? []) {
      const r = await apply(g)
      t.equal(r.code, 0, `${row.desc}: given ${String((g['metadata'] as { name: string }).name)}: ${r.stderr}`)
    }
    const r = await apply(row.apply)
    t.not(r.code, 0, `${row.desc}: refused`)
    t.match(r.stderr, /admission webhook "[a-z0-9]+validationwebhook\.metallb\.io" denied the request/, row.desc)
    const cluster = [oldA, oldB, ...given]
    const before = new Set(simulateLines(cluster))
    const added = simulateLines([...cluster, row.apply]).filter((l) => !before.has(l))
    t.ok(added.length > 0, `${row.desc}: simulate finds an error`)
    for (const line of added) t.ok(r.stderr.includes(line), `${row.desc}: ${JSON.stringify(line)} in\n${r.stderr}`)
    const kind = String(row.apply['kind']).toLowerCase()
    const name = String((row.apply['metadata'] as { name: string }).name)
    const stored = await kubectl(['get', kind, name, '-n', ns, '--ignore-not-found', '-o', 'name'])
    t.equal(stored.stdout.trim(), '', `${row.desc}: nothing stored`)
  }
})

t.test('a pool outside IronLB\'s namespace is refused, naming the namespace', async (t) => {
  const r = await apply(obj('IPAddressPool', 'elsewhere', { addresses: ['100.64.0.0/24'] }, other))
  t.not(r.code, 0)
  t.ok(r.stderr.includes(`IPAddressPool ${other}/elsewhere: metadata.namespace: MetalLB configuration must be created in namespace ${ns}`), r.stderr)
})

t.test('a BFDProfile a peer names cannot be deleted; once unused it can', async (t) => {
  t.equal((await apply(obj('BFDProfile', 'fast', { receiveInterval: 100 }))).code, 0)
  const peer = obj('BGPPeer', 'r1', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1', bfdProfile: 'fast' }, ns, 'v1beta2')
  const p = await apply(peer)
  t.equal(p.code, 0, p.stderr)
  const refusedDelete = await kubectl(['delete', 'bfdprofile', 'fast', '-n', ns])
  t.not(refusedDelete.code, 0)
  t.ok(refusedDelete.stderr.includes(`BGPPeer ${ns}/r1: spec.bfdProfile: BFDProfile "fast" does not exist in this namespace`), refusedDelete.stderr)
  t.equal((await kubectl(['get', 'bfdprofile', 'fast', '-n', ns, '-o', 'name'])).code, 0, 'still there')
  t.equal((await kubectl(['delete', 'bgppeer', 'r1', '-n', ns])).code, 0)
  const d = await kubectl(['delete', 'bfdprofile', 'fast', '-n', ns])
  t.equal(d.code, 0, d.stderr)
})

t.test('objects invalid before the webhook: other changes pass, and the overlap is still reported at runtime', async (t) => {
  const r = await apply(pool('fresh', ['100.64.1.0/24']))
  t.equal(r.code, 0, r.stderr)
  const relabel = await apply({ ...oldB, metadata: { name: 'old-b', namespace: ns, labels: { team: 'a' } } })
  t.equal(relabel.code, 0, `an unchanged error does not block an update of the object that has it: ${relabel.stderr}`)
  const held = await listConfiguration(rest, ns)
  const runtime = simulateLines(held)
  t.ok(runtime.some((l) => l.startsWith(`IPAddressPool ${ns}/old-`) && l.includes('overlap')), `the controller's decoder, on what the API server holds, still reports the old overlap:\n${runtime.join('\n')}`)
  const fix = await apply(pool('old-b', ['203.0.113.128/26']))
  t.equal(fix.code, 0, `a fix is accepted: ${fix.stderr}`)
})

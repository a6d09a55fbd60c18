// The webhook's certificate keeper against a real API server: when it writes the serving-cert Secret
// over one that is there (garbage, or a certificate due for renewal), the labels, annotations and
// other keys a user or a tool added stay; only its label and its four keys are set.
import t from 'tap'
import { X509Certificate } from 'node:crypto'
import { type RestClient, ensureOk } from '../../../shell/kube/rest.js'
import { silentLogger } from '../../../shell/obs/log.js'
import { type CertificateDeps, ensureCertificates } from '../../../shell/webhook/certificates.js'
import { servingNames } from '../../../core/webhook/servingCert.js'
import { create, randomSuffix, remove, testRest } from '../../support/kube.js'

interface LiveSecret {
  readonly type: string
  readonly metadata: { readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> }
  readonly data: Record<string, string>
}

const NAME = 'metallb-webhook-cert'
const DAY = 86_400_000

let rest: RestClient
let ns: string
t.before(async () => {
  rest = await testRest()
  ns = `webhook-cert-${randomSuffix()}`
  await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })
})
t.teardown(async () => {
  await remove(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })
  rest.close()
})

const deps = (now: Date): CertificateDeps => ({
  rest,
  log: silentLogger,
  namespace: ns,
  secretName: NAME,
  webhookConfigurationName: 'not-applied-here',
  names: servingNames('metallb-webhook-service', ns, 'cluster.local', []),
  now: () => now,
})

const secret = async (): Promise<LiveSecret> => {
  const res = await rest.request('GET', `/api/v1/namespaces/${ns}/secrets/${NAME}`)
  if (res.status !== 200) throw new Error(`get Secret: HTTP ${res.status}`)
  return res.body as LiveSecret
}
const pem = (s: LiveSecret, key: string): X509Certificate => new X509Certificate(Buffer.from(s.data[key] ?? '', 'base64'))
const b64 = (s: string): string => Buffer.from(s).toString('base64')

const USER_LABELS = { 'team.example/owner': 'netops' }
const WITH_OURS = { ...USER_LABELS, 'app.kubernetes.io/name': 'ironlb' }
const USER_ANNOTATIONS = { 'backup.example/skip': 'true', 'reflector.example/allowed': 'apps' }

t.test('labels, annotations and other keys a user added survive the writes', async (t) => {
  // A Secret made by hand beforehand, holding no certificate: the keeper must replace its content.
  const made = await rest.request('POST', `/api/v1/namespaces/${ns}/secrets`, {
    body: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: NAME, namespace: ns, labels: USER_LABELS, annotations: USER_ANNOTATIONS },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': b64('not a certificate'), 'tls.key': b64('not a key'), 'notes.txt': b64('kept by the team') },
    },
  })
  ensureOk(made, 'create the Secret by hand')
  const start = new Date()
  await ensureCertificates(deps(start))
  const first = await secret()
  t.same(first.metadata.labels, WITH_OURS, 'labels kept, ours added')
  t.same(first.metadata.annotations, USER_ANNOTATIONS, 'annotations kept')
  t.equal(first.data['notes.txt'], b64('kept by the team'), 'a key of its own kept')
  t.ok(pem(first, 'tls.crt').verify(pem(first, 'ca.crt').publicKey), 'the garbage is replaced by a certificate its authority signed')

  // 300 days on, the serving certificate is renewed under the same authority: a second write, same keeping.
  await ensureCertificates(deps(new Date(start.getTime() + 300 * DAY)))
  const renewed = await secret()
  t.not(renewed.data['tls.crt'], first.data['tls.crt'], 'renewed')
  t.equal(renewed.data['ca.crt'], first.data['ca.crt'], 'under the same authority')
  t.same([renewed.metadata.labels, renewed.metadata.annotations, renewed.data['notes.txt']], [WITH_OURS, USER_ANNOTATIONS, b64('kept by the team')], 'still kept')
})

t.test('a Secret created by the keeper carries its label and type', async (t) => {
  const other = 'ironlb-created-cert'
  await ensureCertificates({ ...deps(new Date()), secretName: other })
  const res = await rest.request('GET', `/api/v1/namespaces/${ns}/secrets/${other}`)
  const made = res.body as LiveSecret
  t.same([made.type, made.metadata.labels], ['kubernetes.io/tls', { 'app.kubernetes.io/name': 'ironlb' }])
  t.same(Object.keys(made.data).sort(), ['ca.crt', 'ca.key', 'tls.crt', 'tls.key'])
})

// The webhook's certificate keeper against an in-memory API (Secret and webhook configuration):
// it creates what is missing, keeps what is fresh, renews a serving certificate before it expires
// under the same authority, replaces garbage, loses a write race gracefully, and patches caBundle.
import t from 'tap'
import { X509Certificate } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import type { RestClient, RestResponse } from '../../../shell/kube/rest.js'
import { silentLogger } from '../../../shell/obs/log.js'
import { createAuthority, issueServer } from '../../../shell/tls/issue.js'
import { type CertificateDeps, ensureCertificates, patchCaBundle } from '../../../shell/webhook/certificates.js'
import { servingNames } from '../../../core/webhook/servingCert.js'

const NS = 'metallb-system'
const SECRET = `/api/v1/namespaces/${NS}/secrets/metallb-webhook-cert`
const VWC = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/metallb-webhook-configuration'

interface Fake {
  readonly rest: RestClient
  secret: { metadata: { resourceVersion: string }; data: Record<string, string> } | undefined
  vwc: { webhooks: Array<{ clientConfig: { caBundle?: string } }> } | undefined
  /** Writes answered 409 before the next is accepted (another replica won). */
  conflicts: number
  writes: number
}

const mkFake = (): Fake => {
  let version = 1
  const fake: Fake = {
    secret: undefined,
    vwc: { webhooks: [{ clientConfig: {} }, { clientConfig: {} }] },
    conflicts: 0,
    writes: 0,
    rest: {
      close: () => undefined,
      stream: async () => undefined,
      request: async (method, path, options): Promise<RestResponse> => {
        const body = options?.body as Record<string, any> | undefined
        if (path === SECRET && method === 'GET') return fake.secret === undefined ? { status: 404, body: {} } : { status: 200, body: fake.secret }
        if ((path === SECRET && method === 'PUT') || (path === SECRET.replace('/metallb-webhook-cert', '') && method === 'POST')) {
          if (fake.conflicts > 0) {
            fake.conflicts--
            return { status: 409, body: {} }
          }
          if (method === 'POST' && fake.secret !== undefined) return { status: 409, body: {} }
          if (method === 'PUT' && body?.['metadata']?.['resourceVersion'] !== fake.secret?.metadata.resourceVersion) return { status: 409, body: {} }
          fake.writes++
          fake.secret = { metadata: { resourceVersion: String(++version) }, data: body?.['data'] }
          return { status: 200, body: fake.secret }
        }
        if (path === VWC && method === 'GET') return fake.vwc === undefined ? { status: 404, body: {} } : { status: 200, body: fake.vwc }
        if (path === VWC && method === 'PATCH') {
          for (const op of options?.body as Array<{ path: string; value: string }>) {
            const i = Number(op.path.split('/')[2])
            const hook = fake.vwc?.webhooks[i]
            if (hook !== undefined) hook.clientConfig.caBundle = op.value
          }
          return { status: 200, body: fake.vwc }
        }
        return { status: 500, body: { message: `unexpected ${method} ${path}` } }
      },
    },
  }
  return fake
}

const DAY = 86_400_000
const deps = (fake: Fake, now = new Date('2027-01-01T00:00:00Z')): CertificateDeps => ({
  rest: fake.rest,
  log: silentLogger,
  namespace: NS,
  secretName: 'metallb-webhook-cert',
  webhookConfigurationName: 'metallb-webhook-configuration',
  names: servingNames('metallb-webhook-service', NS, 'cluster.local', []),
  now: () => now,
})
const b64 = (s: string): string => Buffer.from(s).toString('base64')
const cert = (fake: Fake, key: string): X509Certificate => new X509Certificate(Buffer.from(fake.secret?.data[key] ?? '', 'base64'))

/** A Secret whose serving certificate was issued `ageDays` ago for 365 days, by a fresh authority. */
const seeded = (fake: Fake, ageDays: number, now: Date): void => {
  const ca = createAuthority({ commonName: 'ironlb-webhook-ca', organization: 'IronLB' }, { now: new Date(now.getTime() - ageDays * DAY), validForSeconds: 3650 * 86_400 })
  if (E.isLeft(ca)) throw new Error(ca.left)
  const names = deps(fake).names
  const serving = issueServer(ca.right, { commonName: 'x', ...names }, { now: new Date(now.getTime() - ageDays * DAY), validForSeconds: 365 * 86_400 })
  if (E.isLeft(serving)) throw new Error(serving.left)
  fake.secret = {
    metadata: { resourceVersion: '1' },
    data: { 'ca.crt': b64(ca.right.certPem), 'ca.key': b64(ca.right.keyPem), 'tls.crt': b64(serving.right.certPem), 'tls.key': b64(serving.right.keyPem) },
  }
}

t.test('no Secret: an authority and a serving certificate for the Service names are created', async (t) => {
  const fake = mkFake()
  const got = await ensureCertificates(deps(fake))
  t.equal(fake.writes, 1)
  const ca = cert(fake, 'ca.crt')
  const serving = cert(fake, 'tls.crt')
  t.ok(ca.ca, 'ca.crt is an authority')
  t.ok(serving.verify(ca.publicKey), 'tls.crt is signed by it')
  t.equal(serving.subjectAltName, 'DNS:metallb-webhook-service, DNS:metallb-webhook-service.metallb-system, DNS:metallb-webhook-service.metallb-system.svc, DNS:metallb-webhook-service.metallb-system.svc.cluster.local')
  t.equal(got.serving.certPem, Buffer.from(fake.secret?.data['tls.crt'] ?? '', 'base64').toString())
})

t.test('a fresh Secret is kept as it is', async (t) => {
  const fake = mkFake()
  const now = new Date('2027-01-01T00:00:00Z')
  seeded(fake, 10, now)
  const before = fake.secret?.data['tls.crt']
  await ensureCertificates(deps(fake, now))
  t.equal(fake.writes, 0)
  t.equal(fake.secret?.data['tls.crt'], before)
})

t.test('a serving certificate with under a third of its life left is renewed under the same authority', async (t) => {
  const fake = mkFake()
  const now = new Date('2027-01-01T00:00:00Z')
  seeded(fake, 300, now)
  const caBefore = fake.secret?.data['ca.crt']
  const oldEnd = new Date(cert(fake, 'tls.crt').validTo).getTime()
  await ensureCertificates(deps(fake, now))
  t.equal(fake.writes, 1)
  t.equal(fake.secret?.data['ca.crt'], caBefore, 'the authority, and so every caBundle, stays')
  t.ok(new Date(cert(fake, 'tls.crt').validTo).getTime() > oldEnd + 250 * DAY, 'the new one lasts a year from now')
  t.ok(cert(fake, 'tls.crt').verify(cert(fake, 'ca.crt').publicKey))
})

t.test('a Secret holding garbage is replaced', async (t) => {
  const fake = mkFake()
  fake.secret = { metadata: { resourceVersion: '7' }, data: { 'tls.crt': b64('nonsense') } }
  await ensureCertificates(deps(fake))
  t.equal(fake.writes, 1)
  t.ok(cert(fake, 'tls.crt').verify(cert(fake, 'ca.crt').publicKey))
})

t.test('a lost write race reads the winner and keeps it', async (t) => {
  const fake = mkFake()
  fake.conflicts = 1
  const real = fake.rest.request
  let raced = false
  // The first create loses: meanwhile another replica wrote a good Secret.
  Object.assign(fake.rest, {
    request: async (method: string, path: string, options?: { body?: unknown }) => {
      if (method === 'POST' && !raced) {
        raced = true
        seeded(fake, 1, new Date('2027-01-01T00:00:00Z'))
      }
      return real(method, path, options)
    },
  })
  const winner = fake.secret
  t.equal(winner, undefined)
  const got = await ensureCertificates(deps(fake))
  t.equal(fake.writes, 0, 'nothing overwritten')
  t.equal(got.serving.certPem, Buffer.from(fake.secret?.data['tls.crt'] ?? '', 'base64').toString())
})

t.test('caBundle: written into every webhook, patched again only when it differs', async (t) => {
  const fake = mkFake()
  const got = await ensureCertificates(deps(fake))
  t.equal(await patchCaBundle(deps(fake), got.caPem), true)
  t.ok(fake.vwc?.webhooks.every((w) => w.clientConfig.caBundle === b64(got.caPem)))
  fake.vwc = undefined
  t.equal(await patchCaBundle(deps(fake), got.caPem), false, 'not installed yet: says so')
})

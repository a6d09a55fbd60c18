// The webhook's certificates, kept by the controller itself as MetalLB's cert rotation does: an
// authority and a serving certificate in Secret metallb-webhook-cert (ca.crt, ca.key, tls.crt,
// tls.key), the authority written into every webhook's caBundle of ValidatingWebhookConfiguration
// metallb-webhook-configuration, renewed before expiry. What to do is core/webhook/servingCert.ts's
// plan; this file reads the Secret with node:crypto, makes certificates with shell/tls, and writes.
// Every replica runs it: writes carry resourceVersion, and the loser of a race reads the winner's.
import { X509Certificate, createPrivateKey } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import { type CertificatePlan, LIFETIMES, type ServingNames, type StoredCertificates, certificatePlan } from '../../core/webhook/servingCert.js'
import type { OwnerReference } from '../../core/controller/installOwner.js'
import type { RestClient } from '../kube/rest.js'
import type { Logger } from '../obs/log.js'
import { type Issued, createAuthority, issueServer } from '../tls/issue.js'
import type { ServingCertificate } from './server.js'

export interface CertificateDeps {
  readonly rest: RestClient
  readonly log: Logger
  readonly namespace: string
  readonly secretName: string
  /** Set on the Secret when this creates it; an existing Secret keeps its own. */
  readonly ownerReferences?: readonly OwnerReference[]
  readonly webhookConfigurationName: string
  readonly names: ServingNames
  readonly now: () => Date
}

interface SecretData {
  readonly 'ca.crt': string
  readonly 'ca.key': string
  readonly 'tls.crt': string
  readonly 'tls.key': string
}

/** A Secret as read: the whole object, to write back with only our parts changed, and our keys decoded. */
interface Loaded {
  readonly object: SecretObject
  readonly data: Partial<SecretData>
}

interface SecretObject {
  readonly metadata?: { readonly resourceVersion?: string; readonly labels?: Record<string, string> } & Record<string, unknown>
  readonly data?: Record<string, unknown>
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')
const unb64 = (s: unknown): string | undefined => (typeof s === 'string' ? Buffer.from(s, 'base64').toString('utf8') : undefined)
const seconds = (d: string): number => Math.floor(new Date(d).getTime() / 1000)

const loadSecret = async (deps: CertificateDeps): Promise<Loaded | undefined> => {
  const res = await deps.rest.request('GET', `/api/v1/namespaces/${deps.namespace}/secrets/${deps.secretName}`)
  if (res.status === 404) return undefined
  if (res.status !== 200) throw new Error(`get Secret ${deps.namespace}/${deps.secretName}: HTTP ${res.status}`)
  const body = res.body as SecretObject
  const d = body.data ?? {}
  const pick = (k: keyof SecretData): Record<string, string> => {
    const v = unb64(d[k])
    return v === undefined ? {} : { [k]: v }
  }
  return { object: body, data: { ...pick('ca.crt'), ...pick('ca.key'), ...pick('tls.crt'), ...pick('tls.key') } }
}

const namesOf = (cert: X509Certificate): ServingNames => {
  const entries = (cert.subjectAltName ?? '').split(', ').filter((e) => e !== '')
  return {
    dnsNames: entries.filter((e) => e.startsWith('DNS:')).map((e) => e.slice(4)),
    ipAddresses: entries.filter((e) => e.startsWith('IP Address:')).map((e) => e.slice('IP Address:'.length)),
  }
}

/** The Secret's certificates as facts for the plan; anything unparsable makes it Unreadable. */
const storedCertificates = (loaded: Loaded | undefined): StoredCertificates => {
  if (loaded === undefined) return { _tag: 'Missing' }
  const d = loaded.data
  if (d['ca.crt'] === undefined || d['ca.key'] === undefined || d['tls.crt'] === undefined || d['tls.key'] === undefined)
    return { _tag: 'Unreadable', why: 'one of ca.crt, ca.key, tls.crt, tls.key is missing' }
  try {
    const ca = new X509Certificate(d['ca.crt'])
    const serving = new X509Certificate(d['tls.crt'])
    if (!ca.checkPrivateKey(createPrivateKey(d['ca.key']))) return { _tag: 'Unreadable', why: 'ca.key is not the key of ca.crt' }
    if (!serving.checkPrivateKey(createPrivateKey(d['tls.key']))) return { _tag: 'Unreadable', why: 'tls.key is not the key of tls.crt' }
    return {
      _tag: 'Readable',
      authority: { notBefore: seconds(ca.validFrom), notAfter: seconds(ca.validTo) },
      serving: {
        notBefore: seconds(serving.validFrom),
        notAfter: seconds(serving.validTo),
        names: namesOf(serving),
        signedByAuthority: serving.checkIssued(ca) && serving.verify(ca.publicKey),
      },
    }
  } catch (err) {
    return { _tag: 'Unreadable', why: (err as Error).message }
  }
}

/** The first certificate of a PEM bundle. */
const firstPem = (bundle: string): string => {
  const end = '-----END CERTIFICATE-----'
  const i = bundle.indexOf(end)
  return i < 0 ? bundle : `${bundle.slice(0, i + end.length)}\n`
}

const AUTHORITY_NAME = { commonName: 'ironlb-webhook-ca', organization: 'IronLB' }

const orThrow = <A>(e: E.Either<string, A>, what: string): A => {
  if (E.isLeft(e)) throw new Error(`${what}: ${e.left}`)
  return e.right
}

/** New Secret data for `plan` (not Keep). A replaced authority stays in ca.crt after the new one until it expires. */
const carryOut = (deps: CertificateDeps, plan: Exclude<CertificatePlan, { _tag: 'Keep' }>, old: Partial<SecretData>): SecretData => {
  const now = deps.now()
  const serverNames = { commonName: deps.names.dnsNames[0] ?? 'ironlb-webhook', organization: 'IronLB', ...deps.names }
  const serving = (authority: Pick<Issued, 'name' | 'privateKey'>): Issued =>
    orThrow(issueServer(authority, serverNames, { now, validForSeconds: LIFETIMES.serving }), 'serving certificate')
  if (plan._tag === 'NewServing' && old['ca.crt'] !== undefined && old['ca.key'] !== undefined) {
    const issued = serving({ name: AUTHORITY_NAME, privateKey: createPrivateKey(old['ca.key']) })
    return { 'ca.crt': old['ca.crt'], 'ca.key': old['ca.key'], 'tls.crt': issued.certPem, 'tls.key': issued.keyPem }
  }
  const ca = orThrow(createAuthority(AUTHORITY_NAME, { now, validForSeconds: LIFETIMES.authority }), 'authority')
  const issued = serving(ca)
  const keepOld = plan.reason === 'AuthorityExpiring' && old['ca.crt'] !== undefined ? firstPem(old['ca.crt']) : ''
  return { 'ca.crt': `${ca.certPem}${keepOld}`, 'ca.key': ca.keyPem, 'tls.crt': issued.certPem, 'tls.key': issued.keyPem }
}

const LABELS = { 'app.kubernetes.io/name': 'ironlb' }

const owned = (deps: CertificateDeps): { ownerReferences?: readonly OwnerReference[] } =>
  deps.ownerReferences === undefined || deps.ownerReferences.length === 0 ? {} : { ownerReferences: deps.ownerReferences }

/**
 * Creates the Secret, or updates the one read with our label and four keys set and everything else as
 * it was: the labels, annotations and other keys a user or a tool added stay (a PUT of a fresh object,
 * as before, dropped them). Read, change, update, as the cert-controller library behind MetalLB's
 * rotation does (populateSecret into the Secret read, then Update), so the Role still needs only get
 * and update on it; the resourceVersion read makes a concurrent write answer 409.
 */
const writeSecret = async (deps: CertificateDeps, data: SecretData, loaded: Loaded | undefined): Promise<boolean> => {
  const path = `/api/v1/namespaces/${deps.namespace}/secrets`
  const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)]))
  const res =
    loaded === undefined
      ? await deps.rest.request('POST', path, {
          body: { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: deps.secretName, namespace: deps.namespace, labels: LABELS, ...owned(deps) }, data: encoded },
        })
      : await deps.rest.request('PUT', `${path}/${deps.secretName}`, {
          body: {
            ...loaded.object,
            metadata: { ...loaded.object.metadata, labels: { ...loaded.object.metadata?.labels, ...LABELS } },
            data: { ...loaded.object.data, ...encoded },
          },
        })
  const exists = loaded !== undefined
  if (res.status === 409) return false // another replica wrote first: read theirs
  if (res.status >= 300) throw new Error(`${exists ? 'update' : 'create'} Secret ${deps.namespace}/${deps.secretName}: HTTP ${res.status} ${JSON.stringify(res.body)}`)
  return true
}

/** Writes `caBundle` into every webhook of the configuration that lacks it; false when the configuration is not there (yet). */
export const patchCaBundle = async (deps: CertificateDeps, caPem: string): Promise<boolean> => {
  const path = `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${deps.webhookConfigurationName}`
  const res = await deps.rest.request('GET', path)
  if (res.status === 404) return false
  if (res.status !== 200) throw new Error(`get ValidatingWebhookConfiguration ${deps.webhookConfigurationName}: HTTP ${res.status}`)
  const bundle = b64(caPem)
  const hooks = (res.body as { webhooks?: Array<{ clientConfig?: { caBundle?: string } }> }).webhooks ?? []
  const ops = hooks.flatMap((h, i) => (h.clientConfig?.caBundle === bundle ? [] : [{ op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: bundle }]))
  if (ops.length === 0) return true
  const patched = await deps.rest.request('PATCH', path, { body: ops, contentType: 'application/json-patch+json' })
  if (patched.status >= 300) throw new Error(`patch ValidatingWebhookConfiguration ${deps.webhookConfigurationName}: HTTP ${patched.status} ${JSON.stringify(patched.body)}`)
  deps.log.info('webhook-ca-bundle-patched', { webhookConfiguration: deps.webhookConfigurationName, webhooks: ops.length })
  return true
}

interface Ensured {
  readonly serving: ServingCertificate
  readonly caPem: string
  /** Seconds since the epoch: when to look again. */
  readonly recheckAt: number
}

/** Makes the Secret hold certificates the plan keeps, renewing what is due; a lost race is retried (bounded). */
export const ensureCertificates = async (deps: CertificateDeps): Promise<Ensured> => {
  for (let attempt = 0; attempt < 5; attempt++) {
    const loaded = await loadSecret(deps)
    const nowSeconds = Math.floor(deps.now().getTime() / 1000)
    const plan = certificatePlan(nowSeconds, storedCertificates(loaded), deps.names)
    if (plan._tag === 'Keep' && loaded !== undefined) {
      const d = loaded.data as SecretData
      return { serving: { keyPem: d['tls.key'], certPem: d['tls.crt'] }, caPem: d['ca.crt'], recheckAt: plan.recheckAt }
    }
    if (plan._tag === 'Keep') continue
    const data = carryOut(deps, plan, loaded?.data ?? {})
    if (await writeSecret(deps, data, loaded)) {
      deps.log.info('webhook-certificate-issued', { reason: plan.reason, plan: plan._tag, secret: `${deps.namespace}/${deps.secretName}` })
      return { serving: { keyPem: data['tls.key'], certPem: data['tls.crt'] }, caPem: data['ca.crt'], recheckAt: nowSeconds + LIFETIMES.recheck }
    }
  }
  throw new Error(`Secret ${deps.namespace}/${deps.secretName}: kept changing under five attempts to renew it`)
}

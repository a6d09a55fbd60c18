// At start, before anything is created: the run-time objects an older IronLB left without an owner (its
// Lease, the memberlist and webhook certificate Secrets) get the install's owner reference, when
// core/controller/adoption.ts finds them IronLB's. Read, add the reference, update at the version read
// (a concurrent writer answers 409 and the next round reads again). Never throws: an object left
// unowned is logged, and only means what it meant before: an uninstall by Helm leaves it.
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { type RuntimeObject, adoption } from '../../core/controller/adoption.js'
import type { OwnerReference } from '../../core/controller/installOwner.js'
import type { RestClient } from '../kube/rest.js'
import type { Logger } from '../obs/log.js'

const Strings = t.record(t.string, t.string)
const Body = t.intersection([
  t.type({
    metadata: t.partial({ labels: Strings, annotations: Strings, ownerReferences: t.array(t.type({ kind: t.string, name: t.string })) }),
  }),
  t.partial({ type: t.string, data: t.record(t.string, t.unknown) }),
])

interface Leftover {
  readonly what: RuntimeObject
  /** The object's URL path on the API server. */
  readonly path: string
}

/** The three, for the controller's namespace and object names; the Secrets only when it keeps them. */
export const leftovers = (namespace: string, lease: string, memberlist: string | undefined, certificate: string | undefined): Leftover[] => [
  { what: 'Lease', path: `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${lease}` },
  ...(memberlist === undefined || memberlist === '' ? [] : [{ what: 'MemberlistSecret' as const, path: `/api/v1/namespaces/${namespace}/secrets/${memberlist}` }]),
  ...(certificate === undefined ? [] : [{ what: 'CertificateSecret' as const, path: `/api/v1/namespaces/${namespace}/secrets/${certificate}` }]),
]

/** One try: 'done' (adopted, left, or not there), 'again' (lost a race), or why it cannot. */
const adoptOnce = async (rest: RestClient, o: Leftover, owners: readonly OwnerReference[], log: Logger): Promise<'done' | 'again'> => {
  const got = await rest.request('GET', o.path, { timeoutMs: 10_000 })
  if (got.status === 404) return 'done'
  if (got.status !== 200) throw new Error(`read: HTTP ${got.status}`)
  const decoded = Body.decode(got.body)
  if (E.isLeft(decoded)) throw new Error('not understood')
  const { metadata, type, data } = decoded.right
  const found = { labels: metadata.labels ?? {}, annotations: metadata.annotations ?? {}, owners: metadata.ownerReferences ?? [], dataKeys: Object.keys(data ?? {}), ...(type === undefined ? {} : { type }) }
  const decision = adoption(o.what, found, owners)
  if (decision._tag === 'Leave') {
    log.info('leftover-not-adopted', { object: o.path, why: decision.why })
    return 'done'
  }
  const raw = got.body as { metadata: Record<string, unknown> }
  const put = await rest.request('PUT', o.path, { timeoutMs: 10_000, body: { ...raw, metadata: { ...raw.metadata, ownerReferences: decision.ownerReferences } } })
  if (put.status === 409) return 'again'
  if (put.status !== 200) throw new Error(`update: HTTP ${put.status}`)
  log.info('leftover-adopted', { object: o.path, owner: decision.ownerReferences.map((r) => `${r.kind}/${r.name}`) })
  return 'done'
}

export const adoptLeftovers = async (rest: RestClient, objects: readonly Leftover[], owners: readonly OwnerReference[], log: Logger): Promise<void> => {
  if (owners.length === 0) return
  for (const o of objects) {
    try {
      let outcome: 'done' | 'again' = 'again'
      for (let attempt = 0; attempt < 3 && outcome === 'again'; attempt++) outcome = await adoptOnce(rest, o, owners, log)
      if (outcome === 'again') log.warn('leftover-adoption-failed', { object: o.path, why: 'changed under three tries' })
    } catch (err) {
      log.warn('leftover-adoption-failed', { object: o.path, why: String(err) })
    }
  }
}

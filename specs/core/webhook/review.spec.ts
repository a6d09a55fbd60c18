// AdmissionReview at the boundary: requests decoded into what admit reads, bad bodies answered
// with a reason, decisions turned into the response the API server expects.
import t from 'tap'
import * as E from 'fp-ts/lib/Either.js'
import { decodeReview, reviewResponse } from '../../../core/webhook/review.js'

const review = (request: Record<string, unknown>): unknown => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request })

t.test('decodeReview: example table', async (t) => {
  const rows: ReadonlyArray<{ desc: string; in: unknown; want: unknown }> = [
    {
      desc: 'a CREATE',
      in: review({ uid: 'u1', kind: { group: 'metallb.io', version: 'v1beta1', kind: 'IPAddressPool' }, operation: 'CREATE', namespace: 'ns', name: 'p', object: { metadata: { name: 'p' } } }),
      want: { uid: 'u1', view: { operation: 'CREATE', kind: 'IPAddressPool', namespace: 'ns', name: 'p', object: { metadata: { name: 'p' } } } },
    },
    {
      desc: 'a DELETE drops the object; the name comes from the request',
      in: review({ uid: 'u2', kind: { group: 'metallb.io', version: 'v1beta1', kind: 'BFDProfile' }, operation: 'DELETE', namespace: 'ns', name: 'b', oldObject: {} }),
      want: { uid: 'u2', view: { operation: 'DELETE', kind: 'BFDProfile', namespace: 'ns', name: 'b', object: undefined } },
    },
    {
      desc: 'no request.name: the object\'s name',
      in: review({ uid: 'u3', kind: { group: 'metallb.io', version: 'v1beta1', kind: 'Community' }, operation: 'CREATE', namespace: 'ns', object: { metadata: { name: 'c' } } }),
      want: { uid: 'u3', view: { operation: 'CREATE', kind: 'Community', namespace: 'ns', name: 'c', object: { metadata: { name: 'c' } } } },
    },
  ]
  for (const row of rows) t.same(decodeReview(row.in), E.right(row.want), row.desc)
})

t.test('decodeReview: what is not an AdmissionReview is a reason, never a throw', async (t) => {
  for (const bad of [null, 42, 'x', {}, { apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: {} }, review({ uid: 'u', operation: 'PATCH' })]) {
    const r = decodeReview(bad)
    t.ok(E.isLeft(r) && r.left.startsWith('not an admission.k8s.io/v1 AdmissionReview: '), JSON.stringify(bad))
  }
})

t.test('reviewResponse: allowed, and denied with the message', async (t) => {
  t.same(reviewResponse('u', { _tag: 'Allowed', reason: 'NoNewErrors' }), { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'u', allowed: true } })
  t.same(reviewResponse('u', { _tag: 'Denied', reason: 'StillInUse', message: 'm' }).response, { uid: 'u', allowed: false, status: { code: 403, reason: 'StillInUse', message: 'm' } })
})

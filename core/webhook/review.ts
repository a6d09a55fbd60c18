// AdmissionReview (admission.k8s.io/v1) at the webhook's boundary: the request decoded with io-ts
// into what admit.ts reads, and the response built from its decision. A body that is no
// AdmissionReview is answered with the reason, never a crash.
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { readableErrors } from '../config/decodeErrors.js'
import { absurd } from '../fp/absurd.js'
import type { AdmissionRequestView, Decision } from './admit.js'

const operationCodec = t.keyof({ CREATE: null, UPDATE: null, DELETE: null, CONNECT: null })

const requestCodec = t.intersection([
  t.type({
    uid: t.string,
    kind: t.type({ group: t.string, version: t.string, kind: t.string }),
    operation: operationCodec,
  }),
  t.partial({ namespace: t.string, name: t.string, object: t.unknown, oldObject: t.unknown }),
])

const admissionReviewCodec = t.type({
  apiVersion: t.literal('admission.k8s.io/v1'),
  kind: t.literal('AdmissionReview'),
  request: requestCodec,
})

interface ReviewRequest {
  readonly uid: string
  readonly view: AdmissionRequestView
}

/** The request in an AdmissionReview body (already parsed from JSON), or why it is not one. */
export const decodeReview = (body: unknown): E.Either<string, ReviewRequest> => {
  const r = admissionReviewCodec.decode(body)
  if (E.isLeft(r)) return E.left(`not an admission.k8s.io/v1 AdmissionReview: ${readableErrors(r.left).map((p) => `${p.field}: ${p.message}`).join('; ')}`)
  const q = r.right.request
  const meta = (o: unknown): Record<string, unknown> =>
    typeof o === 'object' && o !== null && typeof (o as { metadata?: unknown }).metadata === 'object' ? ((o as { metadata: Record<string, unknown> }).metadata ?? {}) : {}
  const name = q.name ?? (typeof meta(q.object)['name'] === 'string' ? (meta(q.object)['name'] as string) : '')
  return E.right({
    uid: q.uid,
    view: { operation: q.operation, kind: q.kind.kind, namespace: q.namespace ?? '', name, object: q.operation === 'DELETE' ? undefined : q.object },
  })
}

interface AdmissionReviewResponse {
  readonly apiVersion: 'admission.k8s.io/v1'
  readonly kind: 'AdmissionReview'
  readonly response: {
    readonly uid: string
    readonly allowed: boolean
    readonly status?: { readonly code: number; readonly reason: string; readonly message: string }
  }
}

/** The answer to the review `uid`: the API server prints `status.message` to the user as it is. */
export const reviewResponse = (uid: string, decision: Decision): AdmissionReviewResponse => {
  const base = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' } as const
  switch (decision._tag) {
    case 'Allowed':
      return { ...base, response: { uid, allowed: true } }
    case 'Denied':
      return { ...base, response: { uid, allowed: false, status: { code: 403, reason: decision.reason, message: decision.message } } }
    default:
      return absurd(decision)
  }
}

// Asks the API server about a metrics caller: TokenReview (who is this token?) and
// SubjectAccessReview (may that user `get` the non-resource URL /metrics?). The answers are decoded
// with io-ts at this edge; core/access decides what they mean. Needs `create` on tokenreviews and
// subjectaccessreviews (deploy/manifests/20-rbac.yaml).
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import type { Authentication, Authorization, ReviewedUser } from '../../core/access/metricsAccess.js'
import type { RestClient } from '../kube/rest.js'

export interface AccessReviews {
  readonly authenticate: (token: string) => Promise<Authentication>
  readonly authorize: (user: ReviewedUser, path: string, verb: string) => Promise<Authorization>
}

const TokenReviewStatus = t.partial({
  authenticated: t.boolean,
  error: t.string,
  user: t.partial({ username: t.string, uid: t.string, groups: t.array(t.string), extra: t.record(t.string, t.array(t.string)) }),
})
const TokenReviewBody = t.type({ status: TokenReviewStatus })
const AccessReviewBody = t.type({ status: t.partial({ allowed: t.boolean, denied: t.boolean, reason: t.string, evaluationError: t.string }) })

const REVIEW_TIMEOUT_MS = 5_000

const fail = (what: string, status: number, body: unknown): Error => new Error(`${what}: HTTP ${status}: ${JSON.stringify(body).slice(0, 300)}`)

/** Throws when the API server cannot answer (the caller turns that into a 503, never a grant). */
export const apiServerReviews = (rest: RestClient): AccessReviews => ({
  authenticate: async (token) => {
    const res = await rest.request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
      timeoutMs: REVIEW_TIMEOUT_MS,
    })
    const decoded = TokenReviewBody.decode(res.body)
    if (res.status !== 201 && res.status !== 200) throw fail('TokenReview', res.status, res.body)
    if (E.isLeft(decoded)) throw fail('TokenReview answer not understood', res.status, res.body)
    const s = decoded.right.status
    const name = s.user?.username ?? ''
    if (s.authenticated !== true || name === '') return { _tag: 'Unauthenticated', error: s.error ?? '' }
    const user: ReviewedUser = {
      username: name,
      ...(s.user?.uid === undefined ? {} : { uid: s.user.uid }),
      groups: s.user?.groups ?? [],
      extra: s.user?.extra ?? {},
    }
    return { _tag: 'Authenticated', user }
  },
  authorize: async (user, path, verb) => {
    const res = await rest.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { user: user.username, uid: user.uid, groups: user.groups, extra: user.extra, nonResourceAttributes: { path, verb } },
      },
      timeoutMs: REVIEW_TIMEOUT_MS,
    })
    const decoded = AccessReviewBody.decode(res.body)
    if (res.status !== 201 && res.status !== 200) throw fail('SubjectAccessReview', res.status, res.body)
    if (E.isLeft(decoded)) throw fail('SubjectAccessReview answer not understood', res.status, res.body)
    const s = decoded.right.status
    return s.allowed === true ? { _tag: 'Allowed' } : { _tag: 'Denied', reason: s.reason ?? s.evaluationError ?? '' }
  },
})

// Who may read /metrics: the decision, with a named reason, from what the API server said about the
// caller's bearer token (TokenReview) and about that user's right to `get` the non-resource URL
// (SubjectAccessReview), the way controller-runtime's secure metrics filter decides. The shell asks
// the API server and caches; this module only reads headers and maps answers to HTTP statuses.
import { absurd } from '../fp/absurd.js'

/** The user a TokenReview vouched for, as SubjectAccessReview wants it back. */
export interface ReviewedUser {
  readonly username: string
  readonly uid?: string
  readonly groups: readonly string[]
  readonly extra: Readonly<Record<string, readonly string[]>>
}

export type Authentication =
  | { readonly _tag: 'Authenticated'; readonly user: ReviewedUser }
  | { readonly _tag: 'Unauthenticated'; readonly error: string }

export type Authorization = { readonly _tag: 'Allowed' } | { readonly _tag: 'Denied'; readonly reason: string }

export type AccessDecision =
  | { readonly _tag: 'Granted'; readonly user: string }
  | { readonly _tag: 'Refused'; readonly reason: 'NoBearerToken'; readonly detail: string }
  | { readonly _tag: 'Refused'; readonly reason: 'TokenNotAuthenticated'; readonly detail: string }
  | { readonly _tag: 'Refused'; readonly reason: 'NotAuthorized'; readonly user: string; readonly detail: string }
  | { readonly _tag: 'Failed'; readonly reason: 'ReviewFailed'; readonly detail: string }

/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1; the scheme is case-insensitive). */
export const bearerToken = (header: string | undefined): string | undefined => {
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(header ?? '')
  return m?.[1]
}

export const noToken = (header: string | undefined): AccessDecision => ({
  _tag: 'Refused',
  reason: 'NoBearerToken',
  detail: header === undefined ? 'no Authorization header' : 'the Authorization header is not "Bearer <token>"',
})

/** What the reviews say together: authentication first, authorization only for a known user. */
export const decideAccess = (authn: Authentication, authz: Authorization | undefined): AccessDecision => {
  switch (authn._tag) {
    case 'Unauthenticated':
      return { _tag: 'Refused', reason: 'TokenNotAuthenticated', detail: authn.error === '' ? 'the API server did not authenticate the token' : authn.error }
    case 'Authenticated':
      if (authz === undefined) return { _tag: 'Failed', reason: 'ReviewFailed', detail: 'no authorization review' }
      switch (authz._tag) {
        case 'Allowed':
          return { _tag: 'Granted', user: authn.user.username }
        case 'Denied':
          return {
            _tag: 'Refused',
            reason: 'NotAuthorized',
            user: authn.user.username,
            detail: `${authn.user.username} may not get /metrics${authz.reason === '' ? '' : `: ${authz.reason}`}`,
          }
        default:
          return absurd(authz)
      }
    default:
      return absurd(authn)
  }
}

/** 401 for who is unknown, 403 for who is known and not allowed, 503 when the API server could not say. */
export const httpStatusOf = (d: AccessDecision): 200 | 401 | 403 | 503 => {
  switch (d._tag) {
    case 'Granted':
      return 200
    case 'Refused':
      return d.reason === 'NotAuthorized' ? 403 : 401
    case 'Failed':
      return 503
    default:
      return absurd(d)
  }
}

/** The label a refusal is counted and logged under. */
export const reasonOf = (d: AccessDecision): string => (d._tag === 'Granted' ? 'Granted' : d.reason)

// The door in front of /metrics: the caller's bearer token goes to the API server (TokenReview,
// then SubjectAccessReview for `get` on /metrics) and the decision is remembered for a short while,
// keyed by the token's hash, so that a scrape every few seconds costs no review each time. A failed
// review is never remembered. When the API server cannot be asked, a grant it gave this token within
// `staleGrantMs` still holds: speakers keep failing over through an API outage, and that is when
// their metrics matter most; a token never granted before gets 503, never a grant.
import { createHash } from 'node:crypto'
import { bearerToken, decideAccess, noToken, type AccessDecision } from '../../core/access/metricsAccess.js'
import type { AccessReviews } from './accessReview.js'

interface GateOptions {
  readonly reviews: AccessReviews
  /** How long a decision is reused. controller-runtime reuses them for up to minutes; 10 s bounds how long a revoked grant lingers. */
  readonly ttlMs: number
  readonly now: () => number
  /** How long after its review a grant may stand in for a review the API server cannot answer. */
  readonly staleGrantMs: number
  /** Bound on remembered tokens; the oldest is forgotten first. */
  readonly maxEntries: number
}

export const DEFAULT_GATE_TTL_MS = 10_000
export const DEFAULT_STALE_GRANT_MS = 300_000

export type MetricsGate = (authorizationHeader: string | undefined) => Promise<AccessDecision>

export const metricsGate = (opts: GateOptions): MetricsGate => {
  const cache = new Map<string, { readonly decision: AccessDecision; readonly at: number }>()
  return async (header) => {
    const token = bearerToken(header)
    if (token === undefined) return noToken(header)
    const key = createHash('sha256').update(token).digest('hex')
    const hit = cache.get(key)
    if (hit !== undefined && opts.now() - hit.at < opts.ttlMs) return hit.decision
    let decision: AccessDecision
    try {
      const authn = await opts.reviews.authenticate(token)
      decision = decideAccess(authn, authn._tag === 'Authenticated' ? await opts.reviews.authorize(authn.user, '/metrics', 'get') : undefined)
    } catch (err) {
      if (hit !== undefined && hit.decision._tag === 'Granted' && opts.now() - hit.at < opts.staleGrantMs) return hit.decision
      return { _tag: 'Failed', reason: 'ReviewFailed', detail: err instanceof Error ? err.message : String(err) }
    }
    cache.delete(key)
    if (cache.size >= opts.maxEntries) {
      const oldest = cache.keys().next()
      if (oldest.done !== true) cache.delete(oldest.value)
    }
    cache.set(key, { decision, at: opts.now() })
    return decision
  }
}

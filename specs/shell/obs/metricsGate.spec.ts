// The gate in front of /metrics with a recording fake of the API server's reviews and a hand-turned
// clock: what it asks, what it remembers, for how long, and that a failure never grants.
import t from 'tap'
import fc from 'fast-check'
import type { Authentication, Authorization, ReviewedUser } from '../../../core/access/metricsAccess.js'
import type { AccessReviews } from '../../../shell/obs/accessReview.js'
import { metricsGate } from '../../../shell/obs/metricsGate.js'

interface World {
  /** token -> user name, for tokens the API server knows */
  users: Map<string, string>
  /** user names allowed to get /metrics */
  readers: Set<string>
  down: boolean
  asked: string[]
}

const fakeReviews = (w: World): AccessReviews => ({
  authenticate: async (token): Promise<Authentication> => {
    w.asked.push(`authn:${token}`)
    if (w.down) throw new Error('connect ECONNREFUSED')
    const name = w.users.get(token)
    return name === undefined ? { _tag: 'Unauthenticated', error: '' } : { _tag: 'Authenticated', user: { username: name, groups: [], extra: {} } }
  },
  authorize: async (user: ReviewedUser, path, verb): Promise<Authorization> => {
    w.asked.push(`authz:${user.username}:${verb}:${path}`)
    if (w.down) throw new Error('connect ECONNREFUSED')
    return w.readers.has(user.username) ? { _tag: 'Allowed' } : { _tag: 'Denied', reason: '' }
  },
})

const setup = () => {
  const w: World = { users: new Map([['tok-reader', 'reader'], ['tok-other', 'other']]), readers: new Set(['reader']), down: false, asked: [] }
  let now = 1_000_000
  const gate = metricsGate({ reviews: fakeReviews(w), ttlMs: 10_000, staleGrantMs: 300_000, now: () => now, maxEntries: 3 })
  return { w, gate, tick: (ms: number) => (now += ms) }
}

const tag = async (p: Promise<{ _tag: string; reason?: string }>): Promise<string> => {
  const d = await p
  return d._tag === 'Granted' ? 'Granted' : (d.reason ?? '')
}

t.test('who gets in', async (t) => {
  const { w, gate } = setup()
  t.equal(await tag(gate(undefined)), 'NoBearerToken')
  t.equal(await tag(gate('Bearer nobody-knows-me')), 'TokenNotAuthenticated')
  t.equal(await tag(gate('Bearer tok-other')), 'NotAuthorized')
  t.equal(await tag(gate('Bearer tok-reader')), 'Granted')
  t.same(w.asked, ['authn:nobody-knows-me', 'authn:tok-other', 'authz:other:get:/metrics', 'authn:tok-reader', 'authz:reader:get:/metrics'], 'authorization asked only for known users, for get on /metrics')
})

t.test('decisions are reused for the TTL, then asked again', async (t) => {
  const { w, gate, tick } = setup()
  await gate('Bearer tok-reader')
  tick(9_999)
  await gate('Bearer tok-reader')
  t.equal(w.asked.length, 2, 'no new review within 10 s')
  w.readers.delete('reader')
  tick(1)
  t.equal(await tag(gate('Bearer tok-reader')), 'NotAuthorized', 'a revoked grant ends after the TTL')
  t.equal(w.asked.length, 4)
})

t.test('the API server down: a recent grant stands, nothing else is granted', async (t) => {
  const { w, gate, tick } = setup()
  await gate('Bearer tok-reader')
  await gate('Bearer tok-other')
  w.down = true
  tick(60_000)
  t.equal(await tag(gate('Bearer tok-reader')), 'Granted', 'granted a minute ago: still granted')
  t.equal(await tag(gate('Bearer tok-other')), 'ReviewFailed', 'refused before: 503, not a grant')
  t.equal(await tag(gate('Bearer tok-new')), 'ReviewFailed', 'never seen: 503')
  tick(240_000)
  t.equal(await tag(gate('Bearer tok-reader')), 'ReviewFailed', 'after five minutes the old grant no longer stands')
  w.down = false
  t.equal(await tag(gate('Bearer tok-reader')), 'Granted', 'and the next review grants again')
})

t.test('property: a grant is the truth now, or a reviewed grant younger than the TTL (the stale window while the API server is down)', async (t) => {
  const tokens = ['tok-reader', 'tok-other', 'tok-x']
  const step = fc.oneof(
    fc.record({ kind: fc.constant('ask' as const), token: fc.constantFrom(...tokens) }),
    fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 120_000 }) }),
    fc.record({ kind: fc.constant('toggleDown' as const) }),
    fc.record({ kind: fc.constant('toggleReader' as const), user: fc.constantFrom('reader', 'other') }),
  )
  await fc.assert(
    fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
      const { w, gate, tick } = setup()
      let clock = 0
      const reviewedGrantAt = new Map<string, number>()
      for (const s of steps) {
        if (s.kind === 'tick') {
          tick(s.ms)
          clock += s.ms
        } else if (s.kind === 'toggleDown') w.down = !w.down
        else if (s.kind === 'toggleReader') {
          if (w.readers.has(s.user)) w.readers.delete(s.user)
          else w.readers.add(s.user)
        } else {
          const before = w.asked.length
          const d = await gate(`Bearer ${s.token}`)
          const reviewed = w.asked.length > before && !w.down
          const user = w.users.get(s.token)
          const grantedNow = !w.down && user !== undefined && w.readers.has(user)
          if (d._tag === 'Granted') {
            const at = reviewedGrantAt.get(s.token)
            const fresh = at !== undefined && clock - at < (w.down ? 300_000 : 10_000)
            if (!grantedNow && !fresh) return false
            if (reviewed) reviewedGrantAt.set(s.token, clock)
          }
          if (reviewed && (d._tag === 'Granted') !== grantedNow) return false
        }
      }
      return true
    }),
    { numRuns: 300 },
  )
  t.pass('no grant beyond the rules')
})

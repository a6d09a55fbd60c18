import t from 'tap'
import { bearerToken, decideAccess, httpStatusOf, noToken, reasonOf, type Authentication, type Authorization } from '../../../core/access/metricsAccess.js'

const alice: Authentication = { _tag: 'Authenticated', user: { username: 'system:serviceaccount:monitoring:prometheus', groups: ['system:serviceaccounts'], extra: {} } }

t.test('bearer tokens from the Authorization header (RFC 6750 §2.1)', async (t) => {
  const rows = [
    { desc: 'the usual form', in: 'Bearer abc.def', want: 'abc.def' },
    { desc: 'the scheme in any case', in: 'bearer abc', want: 'abc' },
    { desc: 'surrounding spaces', in: '  Bearer   abc  ', want: 'abc' },
    { desc: 'no header', in: undefined, want: undefined },
    { desc: 'Basic credentials', in: 'Basic dXNlcjpwYXNz', want: undefined },
    { desc: 'a scheme without a token', in: 'Bearer', want: undefined },
    { desc: 'two tokens', in: 'Bearer a b', want: undefined },
  ]
  for (const r of rows) t.equal(bearerToken(r.in), r.want, r.desc)
})

t.test('decisions and their statuses', async (t) => {
  const rows: ReadonlyArray<{ desc: string; in: [Authentication, Authorization | undefined]; want: [string, number] }> = [
    { desc: 'authenticated and allowed', in: [alice, { _tag: 'Allowed' }], want: ['Granted', 200] },
    { desc: 'authenticated, not allowed', in: [alice, { _tag: 'Denied', reason: '' }], want: ['NotAuthorized', 403] },
    { desc: 'not authenticated', in: [{ _tag: 'Unauthenticated', error: 'token expired' }, undefined], want: ['TokenNotAuthenticated', 401] },
    { desc: 'not authenticated, whatever the authorization', in: [{ _tag: 'Unauthenticated', error: '' }, { _tag: 'Allowed' }], want: ['TokenNotAuthenticated', 401] },
    { desc: 'authenticated with no authorization answer', in: [alice, undefined], want: ['ReviewFailed', 503] },
  ]
  for (const r of rows) {
    const d = decideAccess(...r.in)
    t.same([reasonOf(d), httpStatusOf(d)], r.want, r.desc)
  }
  t.same([reasonOf(noToken(undefined)), httpStatusOf(noToken(undefined))], ['NoBearerToken', 401], 'no token: 401')
  const denied = decideAccess(alice, { _tag: 'Denied', reason: 'no RBAC policy matched' })
  t.match(denied, { detail: /prometheus may not get \/metrics: no RBAC policy matched/ }, 'a refusal names the user and the reason')
})

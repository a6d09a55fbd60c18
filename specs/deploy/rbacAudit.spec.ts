// The Role-versus-audit-log comparison (rbacAudit.ts) on small hand-made inputs: what counts as used,
// as refused, as excused by the allow-list.
import t from 'tap'
import { type Allowed, type Grant, type Use, compare, describeGrant, grantsOf, usesOf } from './rbacAudit.js'

const SA = 'system:serviceaccount:lb:ctl'
const OTHER = 'system:serviceaccount:lb:other'

const RBAC = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "x:ctl"}
rules:
- {apiGroups: [""], resources: [services, services/status], verbs: [list, patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ctl, namespace: lb}
rules:
- {apiGroups: [""], resources: [secrets], resourceNames: [key], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "x:ctl"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "x:ctl"}
subjects: [{kind: ServiceAccount, name: ctl, namespace: lb}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ctl, namespace: lb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ctl}
subjects: [{kind: ServiceAccount, name: ctl, namespace: lb}]
`

t.test('grantsOf: one grant per user, group, resource, verb and name; a Role holds in its namespace', async (t) => {
  t.same(grantsOf(RBAC).map(describeGrant), [
    'ctl: list core/services',
    'ctl: patch core/services',
    'ctl: list core/services/status',
    'ctl: patch core/services/status',
    'ctl: get core/secrets key in lb',
  ])
})

t.test('grantsOf: a binding to a Role the manifest lacks is an error naming both', async (t) => {
  const broken = RBAC.replace('kind: Role, name: ctl', 'kind: Role, name: missing')
  t.throws(() => grantsOf(broken), /RoleBinding ctl: Role missing is not in the manifest/)
})

const line = (o: Record<string, unknown>): string => JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', stage: 'ResponseComplete', ...o })

t.test('usesOf: resource requests with subresource, name, namespace and code; others skipped', async (t) => {
  const log = [
    line({ verb: 'patch', user: { username: SA }, objectRef: { resource: 'services', subresource: 'status', namespace: 'a', name: 'web', apiVersion: 'v1' }, responseStatus: { code: 200 } }),
    line({ verb: 'watch', stage: 'ResponseStarted', user: { username: SA }, objectRef: { resource: 'leases', apiGroup: 'coordination.k8s.io', namespace: 'lb' }, responseStatus: { code: 200 } }),
    line({ verb: 'get', user: { username: SA }, requestURI: '/readyz', responseStatus: { code: 200 } }),
    '',
  ].join('\n')
  t.same(usesOf(log), [
    { user: SA, group: '', resource: 'services/status', verb: 'patch', code: 200, name: 'web', namespace: 'a' },
    { user: SA, group: 'coordination.k8s.io', resource: 'leases', verb: 'watch', code: 200, namespace: 'lb' },
  ])
})

t.test('usesOf: a line that is not JSON is named', async (t) => {
  t.throws(() => usesOf(`${line({})}\n{oops`), /audit log line 2 is not JSON/)
})

const use = (o: Partial<Use>): Use => ({ user: SA, group: '', resource: 'services', verb: 'list', code: 200, ...o })
const grants = grantsOf(RBAC)
const allUsed: Use[] = [
  use({}),
  use({ verb: 'patch', namespace: 'a', name: 'web' }),
  use({ resource: 'services/status', verb: 'list' }),
  use({ resource: 'services/status', verb: 'patch', namespace: 'a', name: 'web' }),
  use({ resource: 'secrets', verb: 'get', namespace: 'lb', name: 'key', code: 404 }),
]
const names = (gs: readonly Grant[]): string[] => gs.map(describeGrant)

t.test('compare: unused grants, refused requests, allow-list', async (t) => {
  const allowSecret: Allowed = { user: SA, group: '', resource: 'secrets', verb: 'get', name: 'key', why: 'landing' }
  const rows: { desc: string; in: { uses: Use[]; allowed: Allowed[] }; want: { unused: string[]; refused: number; stale: number; usedAllowed: number } }[] = [
    { desc: 'every grant used (a 404 is still a use): nothing to say', in: { uses: allUsed, allowed: [] }, want: { unused: [], refused: 0, stale: 0, usedAllowed: 0 } },
    { desc: 'a grant never used is reported', in: { uses: allUsed.slice(1), allowed: [] }, want: { unused: ['ctl: list core/services'], refused: 0, stale: 0, usedAllowed: 0 } },
    { desc: 'a 403 is not a use, and is refused', in: { uses: [...allUsed.slice(1), use({ code: 403 })], allowed: [] }, want: { unused: ['ctl: list core/services'], refused: 1, stale: 0, usedAllowed: 0 } },
    {
      desc: 'a Secret read by another name uses nothing and is refused',
      in: { uses: [...allUsed.slice(0, 4), use({ resource: 'secrets', verb: 'get', namespace: 'lb', name: 'all' })], allowed: [] },
      want: { unused: ['ctl: get core/secrets key in lb'], refused: 1, stale: 0, usedAllowed: 0 },
    },
    {
      desc: 'a Role grant used in another namespace is refused',
      in: { uses: [...allUsed.slice(0, 4), use({ resource: 'secrets', verb: 'get', namespace: 'kube-system', name: 'key' })], allowed: [] },
      want: { unused: ['ctl: get core/secrets key in lb'], refused: 1, stale: 0, usedAllowed: 0 },
    },
    { desc: 'an allow-listed grant may go unused', in: { uses: allUsed.slice(0, 4), allowed: [allowSecret] }, want: { unused: [], refused: 0, stale: 0, usedAllowed: 0 } },
    { desc: 'an allow-listed grant in use is named, so the entry can go', in: { uses: allUsed, allowed: [allowSecret] }, want: { unused: [], refused: 0, stale: 0, usedAllowed: 1 } },
    {
      desc: 'an allow-list entry that matches no grant is stale',
      in: { uses: allUsed, allowed: [{ ...allowSecret, verb: 'list' }] },
      want: { unused: [], refused: 0, stale: 1, usedAllowed: 0 },
    },
    { desc: "other users' requests are not ours to judge", in: { uses: [...allUsed, use({ user: OTHER, verb: 'delete', code: 403 })], allowed: [] }, want: { unused: [], refused: 0, stale: 0, usedAllowed: 0 } },
  ]
  for (const row of rows) {
    const got = compare(grants, row.in.uses, row.in.allowed)
    t.same({ unused: names(got.unused), refused: got.refused.length, stale: got.staleAllowed.length, usedAllowed: got.usedAllowed.length }, row.want, row.desc)
  }
})

t.test('compare: a refused request is reported once however often it was sent', async (t) => {
  const denied = use({ verb: 'delete', namespace: 'a', name: 'web', code: 403 })
  t.equal(compare(grants, [...allUsed, denied, denied, denied], []).refused.length, 1)
})

import t from 'tap'
import { installOwner, ownerReferences } from '../../../core/controller/installOwner.js'

t.test('the ServiceAccount behind a SelfSubjectReview owns what the controller makes, in its own namespace only', async (t) => {
  const rows = [
    { desc: 'a ServiceAccount in the namespace', in: { username: 'system:serviceaccount:metallb-system:controller', uid: 'u-1' }, want: [{ apiVersion: 'v1', kind: 'ServiceAccount', name: 'controller', uid: 'u-1' }] },
    { desc: 'a ServiceAccount of another namespace (the collector would delete the dependents)', in: { username: 'system:serviceaccount:other:controller', uid: 'u-1' }, want: [] },
    { desc: 'no uid', in: { username: 'system:serviceaccount:metallb-system:controller', uid: undefined }, want: [] },
    { desc: 'an empty uid', in: { username: 'system:serviceaccount:metallb-system:controller', uid: '' }, want: [] },
    { desc: 'a user, not a ServiceAccount', in: { username: 'admin', uid: 'admin' }, want: [] },
    { desc: 'a user whose name only looks like one', in: { username: 'system:serviceaccount:metallb-system:controller:x', uid: 'u-1' }, want: [] },
    { desc: 'no name', in: { username: 'system:serviceaccount:metallb-system:', uid: 'u-1' }, want: [] },
  ]
  for (const r of rows) t.same(ownerReferences(installOwner(r.in, 'metallb-system')), r.want, r.desc)
})

t.test('an unowned answer says why', async (t) => {
  const o = installOwner({ username: 'system:serviceaccount:other:controller', uid: 'u-1' }, 'metallb-system')
  t.same(o, { _tag: 'Unowned', why: 'ServiceAccount other/controller is not in metallb-system, where the controller writes' })
})

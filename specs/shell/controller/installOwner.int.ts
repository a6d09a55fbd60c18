// What the controller creates at run time is owned by the ServiceAccount it runs as (so that a cluster's
// garbage collector removes it with the install: helm uninstall leaves the namespace), and what a user
// made stays theirs. Against the real API server, with the controller on its ServiceAccount's token
// (specs/support/controllerProcess.ts); no garbage collector runs here, the cluster spec
// (specs/deploy/cluster/lifecycle.cluster.ts) shows the collection itself.
import t, { type Test } from 'tap'
import { type ControllerProcess, startControllerProcess } from '../../support/controllerProcess.js'
import { ensureCrds } from '../../support/crds.js'
import { create, eventually, randomSuffix, testKubeconfig, testRest } from '../../support/kube.js'

interface Meta {
  readonly metadata: { readonly uid?: string; readonly ownerReferences?: readonly unknown[] }
}

const admin = testKubeconfig()
const rest = await testRest(admin)
t.teardown(() => rest.close())
await ensureCrds(admin)

/** The object at `path`, or undefined while it is not there. */
const read = async (path: string): Promise<Meta | undefined> => {
  const r = await rest.request('GET', path)
  return r.status === 200 ? (r.body as Meta) : undefined
}
const leasePath = (ns: string): string => `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/ironlb-controller`
const secretPath = (ns: string): string => `/api/v1/namespaces/${ns}/secrets/memberlist`

const started = async (t: Test, ns: string): Promise<ControllerProcess> => {
  const c = await startControllerProcess({ kubeconfig: admin, namespace: ns, identity: `${ns}-0`, lbClass: `ironlb.test/${ns}`, extraArgs: ['--ml-secret-name=memberlist'] })
  t.teardown(() => c.kill('SIGTERM'))
  return c
}

t.test('its Lease and the memberlist Secret it creates name its ServiceAccount, by uid, as their owner', async (t) => {
  const ns = `own-${randomSuffix()}`
  await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })
  const c = await started(t, ns)
  const account = await read(`/api/v1/namespaces/${ns}/serviceaccounts/controller`)
  t.ok(account?.metadata.uid, 'the ServiceAccount the controller runs as')
  const owner = [{ apiVersion: 'v1', kind: 'ServiceAccount', name: 'controller', uid: account?.metadata.uid }]
  const lease = await eventually('the Lease', 30_000, () => read(leasePath(ns)))
  t.same(lease.metadata.ownerReferences, owner, 'Lease ironlb-controller')
  const made = await eventually('the memberlist Secret', 30_000, () => read(secretPath(ns)))
  t.same(made.metadata.ownerReferences, owner, 'Secret memberlist')
  t.match(c.logs(), /"install-owner"/, 'the controller logged its owner')
})

t.test("a memberlist Secret the user made stays the user's: no owner added", async (t) => {
  const ns = `own-${randomSuffix()}`
  await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })
  const key = Buffer.from('a user key of at least sixteen bytes').toString('base64')
  const made = await rest.request('POST', `/api/v1/namespaces/${ns}/secrets`, { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'memberlist' }, data: { secretkey: key } } })
  t.equal(made.status, 201, "the user's Secret")
  await started(t, ns)
  // The Lease is written after the Secret check: once it exists, the controller has looked at the Secret.
  await eventually('the Lease', 30_000, () => read(leasePath(ns)))
  t.equal((await read(secretPath(ns)))?.metadata.ownerReferences, undefined, 'Secret memberlist has no owner reference')
})

t.test('a Lease and a memberlist Secret an older IronLB left without an owner are adopted at start', async (t) => {
  const ns = `own-${randomSuffix()}`
  await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })
  // As the controller made them before owner references (04de792): IronLB's label, type and key.
  const key = Buffer.from('a key an older controller made').toString('base64')
  const secret = await rest.request('POST', `/api/v1/namespaces/${ns}/secrets`, { body: { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'memberlist', labels: { 'app.kubernetes.io/name': 'ironlb' } }, data: { secretkey: key } } })
  const lease = await rest.request('POST', `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, { body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'ironlb-controller' }, spec: { holderIdentity: 'gone', leaseDurationSeconds: 15 } } })
  t.same([secret.status, lease.status], [201, 201], 'the leftovers')
  const c = await started(t, ns)
  const account = await read(`/api/v1/namespaces/${ns}/serviceaccounts/controller`)
  const owner = [{ apiVersion: 'v1', kind: 'ServiceAccount', name: 'controller', uid: account?.metadata.uid }]
  const adopted = (path: string) => async () => ((await read(path))?.metadata.ownerReferences === undefined ? undefined : true)
  await eventually('the Secret adopted', 30_000, adopted(secretPath(ns)))
  await eventually('the Lease adopted', 30_000, adopted(leasePath(ns)))
  t.same((await read(secretPath(ns)))?.metadata.ownerReferences, owner, 'Secret memberlist')
  t.same((await read(leasePath(ns)))?.metadata.ownerReferences, owner, 'Lease ironlb-controller')
  t.match(c.logs(), /"leftover-adopted"/, 'the controller logged the adoption')
})

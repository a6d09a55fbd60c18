// The controller in integration specs runs as its ServiceAccount under deploy/'s RBAC, not as the admin:
// the API server names it so, and its token can do what the manifest grants and nothing more (here the
// Secrets: only `memberlist`, by name; no list).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import type { RestClient } from '../../shell/kube/rest.js'
import { startControllerProcess } from './controllerProcess.js'
import { ensureCrds } from './crds.js'
import { create, randomSuffix, testKubeconfig, testRest } from './kube.js'
import { serviceAccountKubeconfig } from './serviceAccount.js'

const whoAmI = async (rest: RestClient): Promise<string | undefined> => {
  const res = await rest.request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  })
  return (res.body as { status?: { userInfo?: { username?: string } } } | undefined)?.status?.userInfo?.username
}

/** The answer's status; a 429 (CRD storage re-initializing right after an apply) is retried for up to 10 s. */
const statusOf = async (rest: RestClient, method: string, path: string): Promise<number> => {
  const deadline = Date.now() + 10_000
  for (;;) {
    const { status } = await rest.request(method, path)
    if (status !== 429 || Date.now() > deadline) return status
    await new Promise((r) => setTimeout(r, 200))
  }
}

const admin = testKubeconfig()
const adminRest = await testRest(admin)
const ns = `sa-${randomSuffix()}`
const dir = mkdtempSync(join(tmpdir(), 'ironlb-sa-'))
t.teardown(() => {
  adminRest.close()
  rmSync(dir, { recursive: true, force: true })
})
await ensureCrds(admin)
await create(adminRest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })

t.test("a controller token: the manifest's grants in its namespace, nothing else", async (t) => {
  const rest = await testRest(await serviceAccountKubeconfig(admin, 'controller', ns, dir))
  t.teardown(() => rest.close())
  t.equal(await whoAmI(rest), `system:serviceaccount:${ns}:controller`)
  const rows = [
    { desc: 'list Services, all namespaces (ClusterRole)', in: ['GET', '/api/v1/services'], want: 200 },
    { desc: 'list IPAddressPools in its namespace (Role)', in: ['GET', `/apis/metallb.io/v1beta1/namespaces/${ns}/ipaddresspools`], want: 200 },
    { desc: 'get Secret memberlist (missing, but allowed)', in: ['GET', `/api/v1/namespaces/${ns}/secrets/memberlist`], want: 404 },
    { desc: 'get another Secret', in: ['GET', `/api/v1/namespaces/${ns}/secrets/other`], want: 403 },
    { desc: 'list Secrets', in: ['GET', `/api/v1/namespaces/${ns}/secrets`], want: 403 },
    { desc: 'list Nodes', in: ['GET', '/api/v1/nodes'], want: 403 },
    { desc: 'list IPAddressPools in another namespace', in: ['GET', '/apis/metallb.io/v1beta1/namespaces/default/ipaddresspools'], want: 403 },
  ] as const
  for (const row of rows) t.equal(await statusOf(rest, row.in[0], row.in[1]), row.want, row.desc)
})

t.test('startControllerProcess runs the controller with its ServiceAccount token, not the admin one', async (t) => {
  const c = await startControllerProcess({ kubeconfig: admin, namespace: ns, identity: 'sa-0', lbClass: `ironlb.test/${ns}` })
  t.teardown(() => c.kill('SIGTERM'))
  const pid = c.pid()
  if (pid === undefined) return t.fail('no pid')
  const flag = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').find((a) => a.startsWith('--kubeconfig='))
  t.not(flag, `--kubeconfig=${admin}`, 'not the admin kubeconfig')
  const rest = await testRest(flag?.slice('--kubeconfig='.length))
  t.teardown(() => rest.close())
  t.equal(await whoAmI(rest), `system:serviceaccount:${ns}:controller`)
})

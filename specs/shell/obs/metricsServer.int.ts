// Secure metrics on a real API server: the controller binary serves /metrics over TLS and asks the
// API server about each caller's token. ServiceAccounts, their tokens (TokenRequest) and the RBAC
// objects are made here; the reader ClusterRole is deploy/manifests/25-metrics-reader.yaml itself.
// No token: 401. A token the API server does not know: 401. A ServiceAccount without `get` on
// /metrics: 403. With it: 200 and the metrics. The grant removed: 403 again once the cached decision
// expires. Liveness and readiness answer on their own port in plain HTTP, without a token.
import t from 'tap'
import { request as httpsRequest } from 'node:https'
import { request as httpRequest } from 'node:http'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ensureOk, type RestClient } from '../../../shell/kube/rest.js'
import { freePort } from '../../support/controllerProcess.js'
import { eventually, randomSuffix } from '../../support/kube.js'
import { repoRoot } from '../../support/repoRoot.js'
import { startFixture } from '../controller/fixture.js'

interface Answer {
  readonly status: number
  readonly body: string
  readonly subject: string
  readonly protocol: string
}

const scrape = (port: number, token?: string): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const headers: Record<string, string> = token === undefined ? {} : { Authorization: `Bearer ${token}` }
    // The controller's certificate is self-signed at start, as Prometheus sees it without a mounted one.
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/metrics', headers, rejectUnauthorized: false, agent: false }, (res) => {
      const socket = res.socket as unknown as { getPeerCertificate: () => { subject?: { CN?: string } }; getProtocol: () => string | null }
      const subject = socket.getPeerCertificate().subject?.CN ?? ''
      const protocol = socket.getProtocol() ?? ''
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, subject, protocol }))
    })
    req.setTimeout(10_000, () => req.destroy(new Error('metrics request timed out')))
    req.on('error', reject)
    req.end()
  })

const plainGet = (port: number, path: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.setTimeout(5_000, () => req.destroy(new Error('health request timed out')))
    req.on('error', reject)
    req.end()
  })

const post = async (rest: RestClient, path: string, body: unknown, what: string): Promise<unknown> => ensureOk(await rest.request('POST', path, { body }), what).body

const mkServiceAccount = (rest: RestClient, ns: string, name: string) =>
  post(rest, `/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } }, `ServiceAccount ${ns}/${name}`)

const tokenFor = async (rest: RestClient, ns: string, name: string): Promise<string> => {
  const res = (await post(rest, `/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } }, `token for ${ns}/${name}`)) as {
    status?: { token?: string }
  }
  const token = res.status?.token
  if (token === undefined) throw new Error(`no token for ${ns}/${name}`)
  return token
}

t.test('the controller serves /metrics over TLS to callers the API server authorizes', async (t) => {
  const f = await startFixture('metrics')
  t.teardown(() => f.stop())
  const ns = await f.mkNamespace()
  await mkServiceAccount(f.rest, ns, 'prometheus')
  await mkServiceAccount(f.rest, ns, 'nosy')

  // The reader role exactly as deploy/ ships it (cluster-scoped: created once per API server).
  const role = parse(readFileSync(join(repoRoot, 'deploy', 'manifests', '25-metrics-reader.yaml'), 'utf8')) as { metadata: { name: string } }
  const created = await f.rest.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { body: role })
  if (created.status !== 409) ensureOk(created, `ClusterRole ${role.metadata.name}`)
  const bindingName = `ironlb-metrics-reader-${ns}`
  const bindingPath = `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${bindingName}`
  await post(
    f.rest,
    '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: bindingName },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name },
      subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: ns }],
    },
    'ClusterRoleBinding',
  )
  t.teardown(async () => void (await f.rest.request('DELETE', bindingPath)))
  const reader = await tokenFor(f.rest, ns, 'prometheus')
  const nosy = await tokenFor(f.rest, ns, 'nosy')

  const healthPort = await freePort()
  const ctl = await f.startController(`metrics-${randomSuffix()}`, [`--health-probe-bind-address=127.0.0.1:${healthPort}`])
  await eventually('the controller is ready (plain HTTP, no token)', 60_000, async () => ((await plainGet(healthPort, '/readyz').catch(() => 0)) === 200 ? true : undefined), 250)
  t.equal(await plainGet(healthPort, '/healthz'), 200, 'liveness: plain HTTP, no token')
  t.equal(await plainGet(healthPort, '/metrics'), 404, 'no metrics on the health port')

  const rows = [
    { desc: 'no token', in: undefined, want: 401 },
    { desc: 'a token the API server does not know', in: `${reader.slice(0, -4)}AAAA`, want: 401 },
    { desc: 'a ServiceAccount without get on /metrics', in: nosy, want: 403 },
    { desc: 'a ServiceAccount bound to ironlb-metrics-reader', in: reader, want: 200 },
  ]
  for (const r of rows) {
    const a = await scrape(ctl.port, r.in)
    t.equal(a.status, r.want, `${r.desc}: ${r.want}`)
    t.equal(a.body.includes('metallb_k8s_client_updates_total'), r.want === 200, `${r.desc}: the metrics are ${r.want === 200 ? '' : 'not '}in the answer`)
    t.equal(a.subject, 'ironlb-controller', `${r.desc}: over TLS (${a.protocol}), the controller's self-signed certificate`)
  }
  const again = await scrape(ctl.port, reader)
  t.match(again.body, /ironlb_metrics_access_total\{decision="NotAuthorized"\} 1/, 'the refusal is counted by reason')
  t.match(again.body, /ironlb_metrics_access_total\{decision="TokenNotAuthenticated"\} 1/, 'so is the unknown token')

  // Plain HTTP on the metrics port: the TLS server answers no HTTP in the clear.
  const plain = await plainGet(ctl.port, '/metrics').catch((err: unknown) => (err instanceof Error ? err.message : String(err)))
  t.not(plain, 200, `plain HTTP to the metrics port gets no metrics (${String(plain)})`)

  // The grant removed: refused once the cached decision (10 s) has expired.
  ensureOk(await f.rest.request('DELETE', bindingPath), 'delete the binding')
  const refusedAt = await eventually('the revoked reader is refused', 30_000, async () => ((await scrape(ctl.port, reader)).status === 403 ? true : undefined), 1_000)
  t.ok(refusedAt, 'after the binding is deleted, the same token gets 403')
  t.notMatch(ctl.logs(), /metrics-access-unchecked/, 'every review got an answer from the API server')
})

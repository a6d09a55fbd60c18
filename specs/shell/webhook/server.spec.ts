// The webhook's HTTP handling without TLS or an API server: bad bodies get a 400 naming why, a
// review gets the core's decision for the objects listed, an unreadable cluster is a refusal with
// the reason, never a crash. And the flags: disabled by default, MetalLB's names as defaults.
import t from 'tap'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { RestClient, RestResponse } from '../../../shell/kube/rest.js'
import { silentLogger } from '../../../shell/obs/log.js'
import { webhookSettings } from '../../../shell/webhook/flags.js'
import { handleReview } from '../../../shell/webhook/server.js'

const NS = 'metallb-system'
const pools: unknown[] = [{ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'a', namespace: NS }, spec: { addresses: ['192.0.2.0/24'] } }]
let listFails = false
const rest: RestClient = {
  close: () => undefined,
  stream: async () => undefined,
  request: async (_method, path): Promise<RestResponse> => {
    if (listFails) throw new Error('connect ECONNREFUSED')
    return { status: 200, body: { items: path.endsWith('/ipaddresspools') ? pools : [] } }
  },
}

const server = createServer((req, res) => void handleReview({ rest, log: silentLogger, namespace: NS }, req, res))
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
t.teardown(() => server.close())
const port = (server.address() as AddressInfo).port

const post = (body: string, method = 'POST'): Promise<{ status: number; text: string }> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: '/validate-metallb-io-v1beta1-ipaddresspool', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (c: string) => (text += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
    })
    req.once('error', reject)
    req.end(body)
  })

const review = (addresses: string[]): string =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'u-1',
      kind: { group: 'metallb.io', version: 'v1beta1', kind: 'IPAddressPool' },
      operation: 'CREATE',
      namespace: NS,
      name: 'b',
      object: { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'b', namespace: NS }, spec: { addresses } },
    },
  })

t.test('bad requests: a reason, never a crash', async (t) => {
  const rows = [
    { desc: 'not JSON', in: '{', want: { status: 400, text: /^the body is not JSON/ } },
    { desc: 'JSON but no review', in: '{"a":1}', want: { status: 400, text: /^not an admission.k8s.io\/v1 AdmissionReview: / } },
  ]
  for (const row of rows) {
    const r = await post(row.in)
    t.equal(r.status, row.want.status, row.desc)
    t.match(r.text, row.want.text, row.desc)
  }
  t.equal((await post('', 'GET')).status, 405, 'GET')
})

t.test('a review: the decision for the cluster as listed', async (t) => {
  const denied = JSON.parse((await post(review(['192.0.2.128/25']))).text) as { response: { uid: string; allowed: boolean; status: { message: string } } }
  t.equal(denied.response.uid, 'u-1')
  t.equal(denied.response.allowed, false)
  t.match(denied.response.status.message, /^IPAddressPool metallb-system\/b: spec\.addresses\[0\]: "192\.0\.2\.128\/25" overlaps "192\.0\.2\.0\/24" in pool "a"$/)
  const allowed = JSON.parse((await post(review(['198.51.100.0/24']))).text) as { response: { allowed: boolean } }
  t.equal(allowed.response.allowed, true)
})

t.test('the cluster cannot be read: refused, saying why', async (t) => {
  listFails = true
  const r = JSON.parse((await post(review(['198.51.100.0/24']))).text) as { response: { allowed: boolean; status: { reason: string; message: string } } }
  listFails = false
  t.equal(r.response.allowed, false)
  t.equal(r.response.status.reason, 'Unverifiable')
  t.match(r.response.status.message, /could not read the configuration.*ECONNREFUSED/)
})

t.test('flags: disabled unless asked, MetalLB names by default, bad values named', async (t) => {
  const from = (m: Record<string, string>) => webhookSettings((n) => m[n])
  t.same(from({}), { ok: true, enabled: false })
  const on = from({ 'webhook-mode': 'enabled' })
  t.ok(on.ok && on.enabled)
  if (on.ok && on.enabled) {
    const o = on.options(rest, silentLogger, NS)
    t.same([o.port, o.serviceName, o.secretName, o.webhookConfigurationName], [9443, 'metallb-webhook-service', 'metallb-webhook-cert', 'metallb-webhook-configuration'])
  }
  t.same(from({ 'webhook-mode': 'onlywebhook' }), { ok: false, error: '--webhook-mode must be enabled or disabled, not "onlywebhook"' })
  t.same(from({ 'webhook-mode': 'enabled', 'webhook-port': '70000' }), { ok: false, error: '--webhook-port: "70000" is not a port' })
})

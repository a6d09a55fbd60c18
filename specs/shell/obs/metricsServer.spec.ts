// The metrics server on loopback with a fake gate: TLS only, the status each decision gets, the
// access counter, a mounted certificate re-read when it changes; and the health server beside it,
// plain HTTP without a token.
import t from 'tap'
import * as E from 'fp-ts/lib/Either.js'
import { request as httpsRequest } from 'node:https'
import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { mkdtempSync, rmSync, writeFileSync, utimesSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Counter, Registry } from 'prom-client'
import type { AccessDecision } from '../../../core/access/metricsAccess.js'
import { serveHealth } from '../../../shell/obs/healthServer.js'
import { silentLogger } from '../../../shell/obs/log.js'
import { serveMetrics } from '../../../shell/obs/metricsServer.js'
import { mountedCertificate, selfSignedCertificate } from '../../../shell/obs/servingCertificate.js'
import { createAuthority, issueServer } from '../../../shell/tls/issue.js'

const names = { commonName: 'ironlb-test', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }
const right = <A>(e: E.Either<string, A>): A => {
  if (E.isLeft(e)) throw new Error(e.left)
  return e.right
}

const get = (port: number, path: string, headers: Record<string, string>, ca: string): Promise<{ status: number; body: string; headers: Record<string, unknown>; fingerprint: string }> =>
  new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, headers, ca, servername: 'localhost', agent: false }, (res) => {
      const socket = res.socket as unknown as { getPeerCertificate: () => { fingerprint256: string } }
      const fingerprint = socket.getPeerCertificate().fingerprint256
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers, fingerprint }))
    })
    req.setTimeout(5_000, () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end()
  })

const decisions: Record<string, AccessDecision> = {
  'Bearer good': { _tag: 'Granted', user: 'reader' },
  'Bearer other': { _tag: 'Refused', reason: 'NotAuthorized', user: 'other', detail: 'other may not get /metrics' },
  'Bearer stranger': { _tag: 'Refused', reason: 'TokenNotAuthenticated', detail: '' },
  'Bearer api-down': { _tag: 'Failed', reason: 'ReviewFailed', detail: 'connect ECONNREFUSED' },
}
const fakeGate = async (header: string | undefined): Promise<AccessDecision> => decisions[header ?? ''] ?? { _tag: 'Refused', reason: 'NoBearerToken', detail: '' }

t.test('each decision gets its status, and only a grant sees the metrics', async (t) => {
  const registry = new Registry()
  new Counter({ name: 'ironlb_test_marker_total', help: 'a series to find', registers: [registry] }).inc()
  const cert = right(selfSignedCertificate(names, new Date()))
  const m = await serveMetrics({ host: '127.0.0.1', port: 0, registry, gate: fakeGate, certificate: cert, minVersion: 'TLSv1.2', log: silentLogger })
  t.teardown(m.close)
  const port = (m.server.address() as { port: number }).port
  const rows = [
    { desc: 'no token', in: {}, want: 401 },
    { desc: 'a token the API server does not know', in: { Authorization: 'Bearer stranger' }, want: 401 },
    { desc: 'a known user without get on /metrics', in: { Authorization: 'Bearer other' }, want: 403 },
    { desc: 'the API server cannot answer', in: { Authorization: 'Bearer api-down' }, want: 503 },
    { desc: 'a reader', in: { Authorization: 'Bearer good' }, want: 200 },
  ]
  for (const r of rows) {
    const res = await get(port, '/metrics', r.in, cert.certPem)
    t.equal(res.status, r.want, r.desc)
    t.equal(res.body.includes('ironlb_test_marker_total 1'), r.want === 200, `${r.desc}: metrics ${r.want === 200 ? '' : 'not '}shown`)
    if (r.want === 401) t.equal(res.headers['www-authenticate'], 'Bearer', `${r.desc}: asks for a bearer token`)
  }
  t.equal((await get(port, '/healthz', { Authorization: 'Bearer good' }, cert.certPem)).status, 404, 'health is not on the metrics port')
  const counted = await get(port, '/metrics', { Authorization: 'Bearer good' }, cert.certPem)
  t.match(counted.body, /ironlb_metrics_access_total\{decision="NotAuthorized"\} 1/, 'refusals are counted by reason')
  t.match(counted.body, /ironlb_metrics_access_total\{decision="Granted"\} 2/, 'grants are counted (this one included)')
})

t.test('plain HTTP on the metrics port gets no metrics', async (t) => {
  const registry = new Registry()
  const m = await serveMetrics({ host: '127.0.0.1', port: 0, registry, gate: fakeGate, certificate: right(selfSignedCertificate(names, new Date())), minVersion: 'TLSv1.2', log: silentLogger })
  t.teardown(m.close)
  const port = (m.server.address() as { port: number }).port
  const answer = await new Promise<string>((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write('GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer good\r\n\r\n'))
    let got = ''
    s.on('data', (c: Buffer) => (got += c.toString('latin1')))
    s.on('close', () => resolve(got))
    s.on('error', () => resolve(got))
    s.setTimeout(3_000, () => s.destroy())
  })
  t.notMatch(answer, /HTTP\/1\.1 200/, 'no HTTP answer in the clear')
})

t.test('health: plain HTTP, no token, its own port', async (t) => {
  let ready = false
  const server = await serveHealth('127.0.0.1', 0, { ready: () => ready })
  t.teardown(() => server.close())
  const port = (server.address() as { port: number }).port
  const status = (path: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end()
    })
  t.equal(await status('/healthz'), 200)
  t.equal(await status('/readyz'), 503, 'not ready yet')
  ready = true
  t.equal(await status('/readyz'), 200)
  t.equal(await status('/metrics'), 404, 'no metrics on the health port')
})

t.test('a mounted certificate: checked at start, every problem naming its file, and re-read when it changes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-metrics-cert-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const ca = right(createAuthority({ commonName: 'test CA' }, { now: new Date(), validForSeconds: 3600 }))
  const first = right(issueServer(ca, names, { now: new Date(), validForSeconds: 3600 }))
  const second = right(issueServer(ca, names, { now: new Date(), validForSeconds: 3600 }))

  t.match(mountedCertificate(dir), { _tag: 'Left', left: new RegExp(`^${join(dir, 'tls.crt')}: ENOENT`) }, 'a missing file is named')
  writeFileSync(join(dir, 'tls.crt'), first.certPem)
  writeFileSync(join(dir, 'tls.key'), second.keyPem)
  t.match(mountedCertificate(dir), { _tag: 'Left', left: `${join(dir, 'tls.key')}: this key is not the one ${join(dir, 'tls.crt')} certifies` }, 'a key of another certificate')
  writeFileSync(join(dir, 'tls.crt'), 'not a certificate')
  t.match(mountedCertificate(dir), { _tag: 'Left', left: new RegExp(`^${join(dir, 'tls.crt')}: not a PEM certificate`) }, 'garbage in tls.crt')
  writeFileSync(join(dir, 'tls.crt'), first.certPem)
  writeFileSync(join(dir, 'tls.key'), first.keyPem)
  const mounted = right(mountedCertificate(dir))
  t.equal(mounted.source, 'mounted')

  const m = await serveMetrics({ host: '127.0.0.1', port: 0, registry: new Registry(), gate: fakeGate, certificate: mounted, minVersion: 'TLSv1.2', log: silentLogger, reload: { certDir: dir, everyMs: 50 } })
  t.teardown(m.close)
  const port = (m.server.address() as { port: number }).port
  t.equal((await get(port, '/metrics', { Authorization: 'Bearer good' }, ca.certPem)).fingerprint, first.certificate.fingerprint256, 'serves the mounted certificate')
  writeFileSync(join(dir, 'tls.crt'), second.certPem)
  writeFileSync(join(dir, 'tls.key'), second.keyPem)
  const later = new Date(Date.now() + 5_000)
  utimesSync(join(dir, 'tls.crt'), later, later)
  let seen = ''
  for (let i = 0; i < 40 && seen !== second.certificate.fingerprint256; i++) {
    await new Promise((r) => setTimeout(r, 50))
    seen = (await get(port, '/metrics', { Authorization: 'Bearer good' }, ca.certPem)).fingerprint
  }
  t.equal(seen, second.certificate.fingerprint256, 'serves the renewed certificate without a restart')
})

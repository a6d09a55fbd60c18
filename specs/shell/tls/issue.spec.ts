// The certificates shell/tls makes, judged by OpenSSL (`openssl x509 -text`, `openssl verify`) and by
// a real TLS handshake with node:tls, for each issuer key type.
import t from 'tap'
import * as E from 'fp-ts/lib/Either.js'
import { execFileSync, spawnSync } from 'node:child_process'
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer } from 'node:tls'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAuthority, issueServer, selfSignedServer, type Issued } from '../../../shell/tls/issue.js'

const dir = mkdtempSync(join(tmpdir(), 'ironlb-tls-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const now = new Date()
const validity = { now, validForSeconds: 3600 }
const names = { commonName: 'speaker', organization: 'IronLB', dnsNames: ['localhost', 'speaker.metallb-system.svc'], ipAddresses: ['127.0.0.1', '::1'] }

const right = <A>(e: E.Either<string, A>): A => {
  if (E.isLeft(e)) throw new Error(e.left)
  return e.right
}
const file = (name: string, text: string): string => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}
const verify = (caPem: string, certPem: string): { code: number | null; out: string } => {
  const r = spawnSync('openssl', ['verify', '-CAfile', file('ca.pem', caPem), file('cert.pem', certPem)], { encoding: 'utf8' })
  return { code: r.status, out: r.stdout + r.stderr }
}
const text = (pem: string): string => execFileSync('openssl', ['x509', '-text', '-noout', '-in', file('show.pem', pem)], { encoding: 'utf8' })

/** Whether a TLS client trusting `caPem` completes a handshake with a server presenting `served`, to `host`. */
const handshake = (served: Issued, caPem: string, host: string): Promise<string> =>
  new Promise((resolve) => {
    const server = createServer({ key: served.keyPem, cert: served.certPem }, (s) => s.end('hi'))
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port
      const socket = connect({ host: '127.0.0.1', port, ca: caPem, servername: host.includes(':') || /^\d/.test(host) ? '' : host, checkServerIdentity: (_h, cert) => (served.certificate.checkHost(host) ?? served.certificate.checkIP(host)) === undefined ? new Error(`no name ${host} in ${cert.subjectaltname}`) : undefined })
      const done = (what: string): void => {
        socket.destroy()
        server.close()
        resolve(what)
      }
      socket.once('secureConnect', () => done('ok'))
      socket.once('error', (err) => done(err.message))
      socket.setTimeout(5_000, () => done('timeout'))
    })
  })

t.test('a CA and a server certificate it signs: OpenSSL verifies the chain and reads every field', async (t) => {
  const ca = right(createAuthority({ commonName: 'IronLB test CA' }, validity))
  const server = right(issueServer(ca, names, validity))
  const v = verify(ca.certPem, server.certPem)
  t.equal(v.code, 0, `openssl verify: ${v.out.trim()}`)
  const caText = text(ca.certPem)
  t.match(caText, /CA:TRUE, pathlen:0/)
  t.match(caText, /Certificate Sign, CRL Sign/)
  const s = text(server.certPem)
  t.match(s, /Signature Algorithm: ecdsa-with-SHA256/)
  t.match(s, /Issuer: CN\s?=\s?IronLB test CA/)
  t.match(s, /Subject: O\s?=\s?IronLB, CN\s?=\s?speaker/)
  t.match(s, /DNS:localhost, DNS:speaker\.metallb-system\.svc, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/)
  t.match(s, /TLS Web Server Authentication/)
  t.match(s, /CA:FALSE/)
  t.match(s, /Digital Signature, Key Encipherment/)
  t.equal(await handshake(server, ca.certPem, 'localhost'), 'ok', 'TLS to localhost with the CA trusted')
  t.equal(await handshake(server, ca.certPem, '127.0.0.1'), 'ok', 'TLS to 127.0.0.1 with the CA trusted')
})

t.test('a certificate from another CA does not verify (the check can fail)', async (t) => {
  const ca = right(createAuthority({ commonName: 'IronLB test CA' }, validity))
  const other = right(createAuthority({ commonName: 'IronLB test CA' }, validity))
  const server = right(issueServer(other, names, validity))
  t.not(verify(ca.certPem, server.certPem).code, 0, 'openssl verify refuses it')
  t.match(await handshake(server, ca.certPem, 'localhost'), /signature|verify|issuer/i, 'the TLS client refuses it')
})

t.test('a self-signed server certificate verifies against itself and serves TLS', async (t) => {
  const self = right(selfSignedServer(names, validity))
  const v = verify(self.certPem, self.certPem)
  t.equal(v.code, 0, `openssl verify: ${v.out.trim()}`)
  t.equal(self.certificate.issuer, self.certificate.subject)
  t.equal(await handshake(self, self.certPem, 'speaker.metallb-system.svc'), 'ok')
})

t.test('RSA and Ed25519 authorities sign too', async (t) => {
  const keys: ReadonlyArray<[string, KeyObject, RegExp]> = [
    ['rsa', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, /sha256WithRSAEncryption/],
    ['ed25519', generateKeyPairSync('ed25519').privateKey, /ED25519/],
  ]
  const ca = right(createAuthority({ commonName: 'root' }, validity))
  for (const [kind, key, alg] of keys) {
    // An issuer is a name and a private key: a mounted RSA or Ed25519 CA signs the same way.
    const issuer = { name: { commonName: `${kind} CA` }, privateKey: key }
    const server = right(issueServer(issuer, names, validity))
    t.match(text(server.certPem), alg, `${kind}: signature algorithm`)
    t.ok(server.certificate.verify(createPublicKey(key)), `${kind}: the signature verifies under the issuer key`)
    t.not(verify(ca.certPem, server.certPem).code, 0, `${kind}: not under an unrelated CA`)
  }
})

t.test('bad input is an error naming the field, never a throw', async (t) => {
  const bad = selfSignedServer({ ...names, ipAddresses: ['127.0.0.1', '300.1.1.1'] }, validity)
  t.ok(E.isLeft(bad) && bad.left.startsWith('ipAddresses[1]:'), E.isLeft(bad) ? bad.left : 'accepted')
  const badDns = selfSignedServer({ ...names, dnsNames: ['under_score'] }, validity)
  t.ok(E.isLeft(badDns) && badDns.left.startsWith('role.dnsNames[0]:'), E.isLeft(badDns) ? badDns.left : 'accepted')
  const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey
  const unsupported = issueServer({ name: { commonName: 'x' }, privateKey: p384 }, names, validity)
  t.ok(E.isLeft(unsupported) && /cannot sign/.test(unsupported.left), E.isLeft(unsupported) ? unsupported.left : 'accepted')
})

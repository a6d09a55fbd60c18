import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { X509Certificate, generateKeyPairSync, sign, createPublicKey, type KeyObject } from 'node:crypto'
import { toHex } from '../../../core/crypto/hex.js'
import { unsafeIp } from '../../../core/net/address.js'
import {
  certificateIssues,
  signedCertificate,
  tbsCertificate,
  type CertificateSpec,
} from '../../../core/x509/certificate.js'
import { derTime } from '../../../core/x509/time.js'

const ecKey = (): KeyObject => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey
const spki = (k: KeyObject): Uint8Array => createPublicKey(k).export({ type: 'spki', format: 'der' })
const caKey = ecKey()
const leafKey = ecKey()

const NOV_2026 = Date.UTC(2026, 10, 1) / 1000

const mkSpec = (over: Partial<CertificateSpec> = {}): CertificateSpec => ({
  serial: 0x1234n,
  subject: { commonName: 'speaker', organization: 'IronLB' },
  issuer: { commonName: 'IronLB test CA' },
  notBefore: NOV_2026,
  notAfter: NOV_2026 + 86_400,
  subjectPublicKey: spki(leafKey),
  issuerPublicKey: spki(caKey),
  signatureAlgorithm: 'ecdsaWithSha256',
  role: { _tag: 'Server', dnsNames: ['metrics.metallb-system.svc'], ipAddresses: [unsafeIp(4, 0xc0000201n)] },
  ...over,
})

const signWith = (spec: CertificateSpec, key: KeyObject): X509Certificate => {
  const tbs = tbsCertificate(spec)
  if (E.isLeft(tbs)) throw new Error(JSON.stringify(tbs.left))
  return new X509Certificate(signedCertificate(tbs.right, spec.signatureAlgorithm, sign('sha256', tbs.right, key)))
}

t.test('X.509 times: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)', async (t) => {
  const rows = [
    { desc: 'earliest UTCTime', in: -631_152_000, want: '170d3530303130313030303030305a' }, // 500101000000Z
    { desc: 'last UTCTime second', in: 2_524_607_999, want: '170d3439313233313233353935395a' }, // 491231235959Z
    { desc: 'first GeneralizedTime second', in: 2_524_608_000, want: '180f32303530303130313030303030305a' }, // 20500101000000Z
  ]
  for (const r of rows) t.equal(toHex(derTime(r.in)), r.want, r.desc)
})

t.test('every problem of a spec is named by its field', async (t) => {
  const rows: ReadonlyArray<{ desc: string; in: Partial<CertificateSpec>; want: ReadonlyArray<[string, string]> }> = [
    { desc: 'a good spec', in: {}, want: [] },
    { desc: 'serial zero', in: { serial: 0n }, want: [['SerialOutOfRange', 'serial']] },
    { desc: 'serial of 21 octets', in: { serial: 1n << 159n }, want: [['SerialOutOfRange', 'serial']] },
    { desc: 'empty common name', in: { subject: { commonName: '' } }, want: [['BadName', 'subject.commonName']] },
    { desc: 'organization of 65 characters', in: { issuer: { commonName: 'x', organization: 'o'.repeat(65) } }, want: [['BadName', 'issuer.organization']] },
    { desc: 'not after before not before', in: { notAfter: NOV_2026 - 1 }, want: [['BadValidity', 'notAfter']] },
    { desc: 'a fraction of a second', in: { notBefore: NOV_2026 + 0.5 }, want: [['BadTime', 'notBefore']] },
    { desc: 'year 10000', in: { notAfter: 253_402_300_800 }, want: [['BadTime', 'notAfter']] },
    { desc: 'a key that is not SPKI', in: { subjectPublicKey: Uint8Array.of(0x30, 0x01, 0x00) }, want: [['BadPublicKey', 'subjectPublicKey']] },
    { desc: 'SPKI with bytes after it', in: { issuerPublicKey: Uint8Array.from([...spki(caKey), 0]) }, want: [['BadPublicKey', 'issuerPublicKey']] },
    {
      desc: 'a DNS name with a space, the second name',
      in: { role: { _tag: 'Server', dnsNames: ['ok.example', 'bad name'], ipAddresses: [] } },
      want: [['BadDnsName', 'role.dnsNames[1]']],
    },
    { desc: 'a server without names', in: { role: { _tag: 'Server', dnsNames: [], ipAddresses: [] } }, want: [['NoSubjectAltName', 'role']] },
    { desc: 'negative path length', in: { role: { _tag: 'Authority', pathLength: -1 } }, want: [['BadPathLength', 'role.pathLength']] },
    { desc: 'several at once', in: { serial: -1n, subject: { commonName: '' } }, want: [['SerialOutOfRange', 'serial'], ['BadName', 'subject.commonName']] },
  ]
  for (const r of rows) t.same(certificateIssues(mkSpec(r.in)).map((i) => [i._tag, i.field]), r.want, r.desc)
  t.ok(E.isLeft(tbsCertificate(mkSpec({ serial: 0n }))), 'tbsCertificate refuses a spec with issues')
})

t.test('the same spec gives the same bytes', async (t) => {
  fc.assert(
    fc.property(fc.bigInt({ min: 1n, max: (1n << 159n) - 1n }), fc.integer({ min: -631_152_000, max: 253_402_000_000 }), (serial, from) => {
      const spec = mkSpec({ serial, notBefore: from, notAfter: from + 3600 })
      const a = tbsCertificate(spec)
      const b = tbsCertificate(spec)
      return E.isRight(a) && E.isRight(b) && toHex(a.right) === toHex(b.right)
    }),
    { numRuns: 200 },
  )
  t.pass('deterministic')
})

t.test('node:crypto reads back a CA-signed server certificate field for field', async (t) => {
  const cert = signWith(mkSpec(), caKey)
  t.equal(cert.subject, 'O=IronLB\nCN=speaker')
  t.equal(cert.issuer, 'CN=IronLB test CA')
  t.equal(cert.serialNumber, '1234')
  t.equal(cert.validFrom, 'Nov  1 00:00:00 2026 GMT')
  t.equal(cert.validTo, 'Nov  2 00:00:00 2026 GMT')
  t.equal(cert.subjectAltName, 'DNS:metrics.metallb-system.svc, IP Address:192.0.2.1')
  t.equal(cert.ca, false)
  t.same(cert.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'extended key usage: serverAuth')
  t.ok(cert.verify(createPublicKey(caKey)), 'the CA signature verifies')
  t.notOk(cert.verify(createPublicKey(leafKey)), 'and not under another key')
  t.equal(cert.checkHost('metrics.metallb-system.svc'), 'metrics.metallb-system.svc')
  t.equal(cert.checkIP('192.0.2.1'), '192.0.2.1')
  t.equal(cert.checkIP('192.0.2.2'), undefined)
})

t.test('an authority, self-signed, issues what it signs', async (t) => {
  const caSpec = mkSpec({ subject: { commonName: 'IronLB test CA' }, subjectPublicKey: spki(caKey), role: { _tag: 'Authority', pathLength: 0 } })
  const ca = signWith(caSpec, caKey)
  const leaf = signWith(mkSpec(), caKey)
  t.equal(ca.ca, true)
  t.ok(ca.verify(ca.publicKey), 'self-signed')
  t.ok(leaf.checkIssued(ca), 'names and key identifiers chain the leaf to the CA')
})

t.test('random names, serials, times and addresses come back as written', async (t) => {
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/)
  fc.assert(
    fc.property(
      fc.bigInt({ min: 1n, max: (1n << 159n) - 1n }),
      fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9 ]{0,62}[A-Za-z0-9])?$/), // node escapes edge spaces when it prints a name,
      fc.array(fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.')), { minLength: 1, maxLength: 5 }),
      fc.array(fc.oneof(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }).map((v) => unsafeIp(4, v)), fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((v) => unsafeIp(6, v))), { maxLength: 4 }),
      fc.integer({ min: 0, max: 4_000_000_000 }),
      (serial, cn, dnsNames, ipAddresses, from) => {
        const cert = signWith(mkSpec({ serial, subject: { commonName: cn }, notBefore: from, notAfter: from + 1, role: { _tag: 'Server', dnsNames, ipAddresses } }), caKey)
        const names = (cert.subjectAltName ?? '').split(', ').filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4))
        const ipCount = (cert.subjectAltName ?? '').split(', ').filter((n) => n.startsWith('IP Address:')).length
        return (
          BigInt(`0x${cert.serialNumber}`) === serial &&
          cert.subject === `CN=${cn}` &&
          new Date(cert.validFrom).getTime() === from * 1000 &&
          names.join(',') === dnsNames.join(',') &&
          ipCount === ipAddresses.length &&
          cert.verify(createPublicKey(caKey))
        )
      },
    ),
    { numRuns: 100 },
  )
  t.pass('all read back')
})

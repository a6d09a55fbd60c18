// Makes certificates with core/x509: draws the key pair and the serial, reads the clock, signs the
// core's to-be-signed bytes with node:crypto. A certificate authority, a server certificate signed
// by one, or a self-signed server certificate (what a daemon serves when none is mounted, as
// controller-runtime's secure metrics do). Keys are ECDSA P-256; an issuer may hold any key
// node:crypto signs with (EC P-256, RSA, Ed25519).
import { X509Certificate, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import { signedCertificate, tbsCertificate, type CertificateRole, type SignatureAlgorithm } from '../../core/x509/certificate.js'
import type { DistinguishedName } from '../../core/x509/name.js'
import { pem } from '../../core/x509/pem.js'
import { parseIP, type IP } from '../../core/net/address.js'

/** A certificate with its private key, ready to serve or to sign others. */
export interface Issued {
  readonly name: DistinguishedName
  readonly privateKey: KeyObject
  readonly certificate: X509Certificate
  readonly certPem: string
  readonly keyPem: string
}

export interface ServerNames {
  readonly commonName: string
  readonly organization?: string
  readonly dnsNames: readonly string[]
  /** Text addresses, IPv4 or IPv6. */
  readonly ipAddresses: readonly string[]
}

interface Validity {
  readonly now: Date
  readonly validForSeconds: number
}

/** The signature node:crypto makes with this key, as core/x509 names it; undefined for keys it cannot use. */
const signatureAlgorithmOf = (key: KeyObject): SignatureAlgorithm | undefined => {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? 'ecdsaWithSha256' : undefined
    case 'rsa':
      return 'sha256WithRsa'
    case 'ed25519':
      return 'ed25519'
    default:
      return undefined
  }
}

const spkiOf = (key: KeyObject): Uint8Array => createPublicKey(key).export({ type: 'spki', format: 'der' })

// 128 random bits with the top bit clear: positive and unique enough (CA/B Forum asks 64 bits).
const randomSerial = (): bigint => BigInt(`0x${randomBytes(16).toString('hex')}`) >> 1n || 1n

const build = (
  subject: DistinguishedName,
  subjectKey: KeyObject,
  issuer: { readonly name: DistinguishedName; readonly privateKey: KeyObject } | 'self',
  role: CertificateRole,
  validity: Validity,
): E.Either<string, Issued> => {
  const signer = issuer === 'self' ? { name: subject, privateKey: subjectKey } : issuer
  const alg = signatureAlgorithmOf(signer.privateKey)
  if (alg === undefined) return E.left(`the issuer's ${signer.privateKey.asymmetricKeyType ?? 'unknown'} key cannot sign: use EC P-256, RSA or Ed25519`)
  const notBefore = Math.floor(validity.now.getTime() / 1000) - 60 // a minute of slack for clocks behind ours
  const tbs = tbsCertificate({
    serial: randomSerial(),
    subject,
    issuer: signer.name,
    notBefore,
    notAfter: notBefore + 60 + Math.floor(validity.validForSeconds),
    subjectPublicKey: spkiOf(subjectKey),
    issuerPublicKey: spkiOf(signer.privateKey),
    signatureAlgorithm: alg,
    role,
  })
  if (E.isLeft(tbs)) return E.left(tbs.left.map((i) => `${i.field}: ${i.message}`).join('; '))
  const signature = sign(alg === 'ed25519' ? null : 'sha256', tbs.right, signer.privateKey)
  const der = signedCertificate(tbs.right, alg, signature)
  return E.right({
    name: subject,
    privateKey: subjectKey,
    certificate: new X509Certificate(der),
    certPem: pem('CERTIFICATE', der),
    keyPem: subjectKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  })
}

const newKey = (): KeyObject => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey

const parseAddresses = (texts: readonly string[]): E.Either<string, IP[]> => {
  const out: IP[] = []
  for (const [i, text] of texts.entries()) {
    const ip = parseIP(text)
    if (E.isLeft(ip)) return E.left(`ipAddresses[${i}]: ${ip.left}`)
    out.push(ip.right)
  }
  return E.right(out)
}

/** A new certificate authority (no intermediate below it: path length 0). */
export const createAuthority = (name: DistinguishedName, validity: Validity): E.Either<string, Issued> =>
  build(name, newKey(), 'self', { _tag: 'Authority', pathLength: 0 }, validity)

const serverRole = (names: ServerNames): E.Either<string, CertificateRole> =>
  E.map((ipAddresses: IP[]): CertificateRole => ({ _tag: 'Server', dnsNames: names.dnsNames, ipAddresses }))(parseAddresses(names.ipAddresses))

const nameOf = (names: ServerNames): DistinguishedName =>
  names.organization === undefined ? { commonName: names.commonName } : { commonName: names.commonName, organization: names.organization }

/** A server certificate with a new key, signed by `authority`. */
export const issueServer = (authority: Pick<Issued, 'name' | 'privateKey'>, names: ServerNames, validity: Validity): E.Either<string, Issued> =>
  E.chain((role: CertificateRole) => build(nameOf(names), newKey(), authority, role, validity))(serverRole(names))

/** A self-signed server certificate with a new key. */
export const selfSignedServer = (names: ServerNames, validity: Validity): E.Either<string, Issued> =>
  E.chain((role: CertificateRole) => build(nameOf(names), newKey(), 'self', role, validity))(serverRole(names))

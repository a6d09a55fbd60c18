// An X.509 v3 certificate (RFC 5280 §4.1), split where the signature falls: tbsCertificate builds
// the to-be-signed bytes from a spec, deterministically (same spec, same bytes); the shell signs
// them with the issuer's private key; signedCertificate wraps bytes and signature. Two roles: an
// authority that signs others, and a TLS server named by DNS names and IP addresses. A self-signed
// certificate is one whose issuer name and key are its subject's.
import * as E from 'fp-ts/lib/Either.js'
import { absurd } from '../fp/absurd.js'
import { sha256 } from '../crypto/sha256.js'
import type { IP } from '../net/address.js'
import { derBitString, derInteger, derNull, derOid, explicit, readTlv, sequence, type Bytes } from './der.js'
import {
  authorityKeyIdentifier,
  basicConstraints,
  extendedKeyUsage,
  KEY_USAGE,
  keyUsage,
  subjectAltName,
  subjectKeyIdentifier,
} from './extensions.js'
import { derName, nameProblems, type DistinguishedName } from './name.js'
import { OID } from './oid.js'
import { derTime, isCertificateTime } from './time.js'

/** How the issuer signs; the shell picks it from the issuer key's type. */
export type SignatureAlgorithm = 'ecdsaWithSha256' | 'sha256WithRsa' | 'ed25519'

export type CertificateRole =
  | { readonly _tag: 'Authority'; readonly pathLength?: number }
  | { readonly _tag: 'Server'; readonly dnsNames: readonly string[]; readonly ipAddresses: readonly IP[] }

export interface CertificateSpec {
  /** Positive, at most 20 octets (§4.1.2.2); the shell draws it at random. */
  readonly serial: bigint
  readonly subject: DistinguishedName
  readonly issuer: DistinguishedName
  /** Seconds since the epoch. */
  readonly notBefore: number
  readonly notAfter: number
  /** SubjectPublicKeyInfo, DER (what node:crypto exports as 'spki'). */
  readonly subjectPublicKey: Bytes
  /** The signer's SubjectPublicKeyInfo: the subject's own for a self-signed certificate. */
  readonly issuerPublicKey: Bytes
  readonly signatureAlgorithm: SignatureAlgorithm
  readonly role: CertificateRole
}

type CertificateProblem = 'SerialOutOfRange' | 'BadName' | 'BadTime' | 'BadValidity' | 'BadPublicKey' | 'BadDnsName' | 'NoSubjectAltName' | 'BadPathLength'

interface CertificateIssue {
  readonly _tag: CertificateProblem
  /** The spec field at fault, e.g. "role.dnsNames[1]". */
  readonly field: string
  readonly message: string
}

const SERIAL_LIMIT = 1n << 159n // 20 octets with the sign bit clear

// RFC 1123 host names (letters, digits, hyphens; labels of 1..63), an optional leading "*." (RFC 6125 §6.4.3).
const DNS_LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?'
const DNS_NAME = new RegExp(`^(?:\\*\\.)?${DNS_LABEL}(?:\\.${DNS_LABEL})*$`, 'i')

export const isDnsName = (name: string): boolean => name.length <= 253 && DNS_NAME.test(name)

/** SubjectPublicKeyInfo ::= SEQUENCE { AlgorithmIdentifier (SEQUENCE), BIT STRING }, filling the bytes exactly. */
const isSubjectPublicKeyInfo = (spki: Bytes): boolean => {
  const outer = readTlv(spki, 0)
  if (outer === undefined || outer.tag !== 0x30 || outer.end !== spki.length) return false
  const algorithm = readTlv(spki, outer.start)
  if (algorithm === undefined || algorithm.tag !== 0x30) return false
  const key = readTlv(spki, algorithm.end)
  return key !== undefined && key.tag === 0x03 && key.end === outer.end && key.end > key.start
}

/** RFC 7093 §2 method 1 with SHA-256: the leftmost 160 bits of the hash of the key info. */
const keyIdentifier = (spki: Bytes): Bytes => sha256(spki).slice(0, 20)

const issue = (tag: CertificateProblem, field: string, message: string): CertificateIssue => ({ _tag: tag, field, message })

/** Every reason the spec cannot become a certificate; empty when it can. */
export const certificateIssues = (spec: CertificateSpec): readonly CertificateIssue[] => {
  const found: CertificateIssue[] = []
  if (spec.serial <= 0n || spec.serial >= SERIAL_LIMIT) found.push(issue('SerialOutOfRange', 'serial', 'must be positive and fit in 20 octets'))
  for (const which of ['subject', 'issuer'] as const)
    for (const p of nameProblems(spec[which])) found.push(issue('BadName', `${which}.${p.field}`, p.message))
  for (const which of ['notBefore', 'notAfter'] as const)
    if (!isCertificateTime(spec[which])) found.push(issue('BadTime', which, `${spec[which]} is not whole seconds between 1950 and 9999`))
  if (spec.notAfter <= spec.notBefore) found.push(issue('BadValidity', 'notAfter', 'must be later than notBefore'))
  for (const which of ['subjectPublicKey', 'issuerPublicKey'] as const)
    if (!isSubjectPublicKeyInfo(spec[which])) found.push(issue('BadPublicKey', which, 'is not a DER SubjectPublicKeyInfo'))
  const role = spec.role
  switch (role._tag) {
    case 'Authority':
      if (role.pathLength !== undefined && !(Number.isInteger(role.pathLength) && role.pathLength >= 0))
        found.push(issue('BadPathLength', 'role.pathLength', 'must be a non-negative integer'))
      break
    case 'Server':
      role.dnsNames.forEach((n, i) => {
        if (!isDnsName(n)) found.push(issue('BadDnsName', `role.dnsNames[${i}]`, `${JSON.stringify(n)} is not a DNS name`))
      })
      if (role.dnsNames.length + role.ipAddresses.length === 0)
        found.push(issue('NoSubjectAltName', 'role', 'a server certificate needs at least one DNS name or IP address: TLS clients match only those'))
      break
    default:
      absurd(role)
  }
  return found
}

/** AlgorithmIdentifier: no parameters for ECDSA (RFC 5758 §3.2) and Ed25519 (RFC 8410 §3), NULL for RSA (RFC 4055 §5). */
const algorithmIdentifier = (alg: SignatureAlgorithm): Bytes => {
  switch (alg) {
    case 'ecdsaWithSha256':
      return sequence([derOid(OID.ecdsaWithSha256)])
    case 'sha256WithRsa':
      return sequence([derOid(OID.sha256WithRsaEncryption), derNull])
    case 'ed25519':
      return sequence([derOid(OID.ed25519)])
    default:
      return absurd(alg)
  }
}

const roleExtensions = (role: CertificateRole): readonly Bytes[] => {
  switch (role._tag) {
    case 'Authority':
      return [basicConstraints(true, role.pathLength), keyUsage([KEY_USAGE.digitalSignature, KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign])]
    case 'Server':
      // keyEncipherment too: RSA key exchange needs it, and it costs an ECDSA key nothing.
      return [
        basicConstraints(false, undefined),
        keyUsage([KEY_USAGE.digitalSignature, KEY_USAGE.keyEncipherment]),
        extendedKeyUsage([OID.serverAuth]),
        subjectAltName(role.dnsNames, role.ipAddresses),
      ]
    default:
      return absurd(role)
  }
}

/** TBSCertificate (§4.1.2), version 3; the bytes the issuer signs. */
export const tbsCertificate = (spec: CertificateSpec): E.Either<readonly CertificateIssue[], Bytes> => {
  const issues = certificateIssues(spec)
  if (issues.length > 0) return E.left(issues)
  return E.right(
    sequence([
      explicit(0, derInteger(2n)),
      derInteger(spec.serial),
      algorithmIdentifier(spec.signatureAlgorithm),
      derName(spec.issuer),
      sequence([derTime(spec.notBefore), derTime(spec.notAfter)]),
      derName(spec.subject),
      spec.subjectPublicKey,
      explicit(3, sequence([...roleExtensions(spec.role), subjectKeyIdentifier(keyIdentifier(spec.subjectPublicKey)), authorityKeyIdentifier(keyIdentifier(spec.issuerPublicKey))])),
    ]),
  )
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }. */
export const signedCertificate = (tbs: Bytes, alg: SignatureAlgorithm, signature: Bytes): Bytes =>
  sequence([tbs, algorithmIdentifier(alg), derBitString(signature)])

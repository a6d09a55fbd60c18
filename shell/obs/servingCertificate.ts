// The TLS key and certificate /metrics is served with: tls.crt and tls.key from --metrics-cert-dir
// when one is mounted (cert-manager, a Secret), otherwise a self-signed certificate made at start,
// as controller-runtime does. A mounted pair is checked before use (both parse, the key is the
// certificate's), so a wrong mount fails at start naming the file instead of at the first scrape.
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { selfSignedServer, type ServerNames } from '../tls/issue.js'

export interface ServingCertificate {
  readonly source: 'mounted' | 'self-signed'
  readonly certPem: string
  readonly keyPem: string
  readonly notAfter: string
  readonly fingerprint256: string
}

const CERT_FILE = 'tls.crt'
const KEY_FILE = 'tls.key'
const SELF_SIGNED_SECONDS = 365 * 86_400

const readText = (path: string): E.Either<string, string> => {
  try {
    return E.right(readFileSync(path, 'utf8'))
  } catch (err) {
    return E.left(`${path}: ${err instanceof Error ? err.message : String(err)}`)
  }
}

/** Reads and checks DIR/tls.crt and DIR/tls.key. */
export const mountedCertificate = (dir: string): E.Either<string, ServingCertificate> => {
  const certPath = join(dir, CERT_FILE)
  const keyPath = join(dir, KEY_FILE)
  const cert = readText(certPath)
  if (E.isLeft(cert)) return cert
  const key = readText(keyPath)
  if (E.isLeft(key)) return key
  let x509: X509Certificate
  try {
    x509 = new X509Certificate(cert.right)
  } catch (err) {
    return E.left(`${certPath}: not a PEM certificate (${err instanceof Error ? err.message : String(err)})`)
  }
  try {
    if (!x509.checkPrivateKey(createPrivateKey(key.right))) return E.left(`${keyPath}: this key is not the one ${certPath} certifies`)
  } catch (err) {
    return E.left(`${keyPath}: not a PEM private key (${err instanceof Error ? err.message : String(err)})`)
  }
  return E.right({ source: 'mounted', certPem: cert.right, keyPem: key.right, notAfter: x509.validTo, fingerprint256: x509.fingerprint256 })
}

/** When the mounted files last changed (to reload them), or undefined when they cannot be read. */
export const mountedVersion = (dir: string): string | undefined => {
  try {
    return [CERT_FILE, KEY_FILE].map((f) => statSync(join(dir, f)).mtimeMs).join('/')
  } catch {
    return undefined
  }
}

export const selfSignedCertificate = (names: ServerNames, now: Date): E.Either<string, ServingCertificate> =>
  E.map((issued: { certPem: string; keyPem: string; certificate: X509Certificate }): ServingCertificate => ({
    source: 'self-signed',
    certPem: issued.certPem,
    keyPem: issued.keyPem,
    notAfter: issued.certificate.validTo,
    fingerprint256: issued.certificate.fingerprint256,
  }))(selfSignedServer(names, { now, validForSeconds: SELF_SIGNED_SECONDS }))

// The lab cluster's client CA and the certificates it signs (openssl): the API server trusts it
// (--client-ca-file), each kubelet authenticates with a certificate of its own (CN system:node:<name>,
// O system:nodes), and the controller manager signs with it. The API server's serving certificate stays
// the one it makes itself (its CA in pki/ca.crt of the control plane). P-256 keys: quick on a busy machine.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { mustRun } from '../../../../shell/testbed/sys.js'

export interface ClientCa {
  readonly cert: string
  readonly key: string
}

export interface ClientCert {
  readonly cert: string
  readonly key: string
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

export const makeClientCa = async (dir: string): Promise<ClientCa> => {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const ca = { cert: join(dir, 'client-ca.crt'), key: join(dir, 'client-ca.key') }
  await mustRun(['openssl', 'req', '-x509', ...EC, '-keyout', ca.key, '-out', ca.cert, '-days', '2', '-subj', '/CN=ironlb-lab-client-ca'])
  return ca
}

/** A client certificate for `user` in `groups` (the API server reads CN as the user, each O as a group). */
export const signClient = async (ca: ClientCa, dir: string, file: string, user: string, groups: readonly string[]): Promise<ClientCert> => {
  const out = { cert: join(dir, `${file}.crt`), key: join(dir, `${file}.key`) }
  const csr = join(dir, `${file}.csr`)
  const subject = `${groups.map((g) => `/O=${g}`).join('')}/CN=${user}`
  await mustRun(['openssl', 'req', '-new', ...EC, '-keyout', out.key, '-out', csr, '-subj', subject])
  await mustRun(['openssl', 'x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', out.cert, '-days', '2'])
  return out
}

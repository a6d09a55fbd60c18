// A kubeconfig for a client certificate (the kubelets'); the token ones are the control plane's.
import { writeFileSync } from 'node:fs'
import type { ClientCert } from './pki.js'

export const writeCertKubeconfig = (path: string, server: string, caFile: string, user: string, cert: ClientCert): void => {
  const cfg = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'lab', cluster: { server, 'certificate-authority': caFile } }],
    users: [{ name: user, user: { 'client-certificate': cert.cert, 'client-key': cert.key } }],
    contexts: [{ name: 'lab', context: { cluster: 'lab', user } }],
    'current-context': 'lab',
  }
  writeFileSync(path, `${JSON.stringify(cfg, null, 2)}\n`, { mode: 0o600 })
}

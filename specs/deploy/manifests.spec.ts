// What deploy/manifests promise about privilege, read from the files a user applies: both Pods run
// under the runtime's default seccomp profile, and Secrets are out of reach except the ones named
// (and, for the speaker, list and watch in its namespace for BGPPeer passwordSecret; never get).
// (The full "exactly what is used" check against a real audit log is rbac.e2e.ts.)
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { parseAllDocuments } from 'yaml'
import { repoRoot } from '../support/repoRoot.js'
import { describeGrant, grantsOf } from './rbacAudit.js'

const manifest = (file: string): string => readFileSync(join(repoRoot, 'deploy', 'manifests', file), 'utf8')

interface Workload {
  readonly kind: string
  readonly metadata: { readonly name: string }
  readonly spec: { readonly template: { readonly spec: { readonly securityContext?: { readonly seccompProfile?: { readonly type?: string } } } } }
}

t.test('every Pod runs with seccompProfile RuntimeDefault', async (t) => {
  const rows = [
    { desc: 'controller', in: '30-controller.yaml', want: 'RuntimeDefault' },
    { desc: 'speaker', in: '40-speaker.yaml', want: 'RuntimeDefault' },
  ]
  for (const row of rows) {
    const [w] = parseAllDocuments(manifest(row.in)).map((d) => d.toJS() as Workload)
    t.equal(w?.spec.template.spec.securityContext?.seccompProfile?.type, row.want, `${row.desc}: ${w?.kind}/${w?.metadata.name}`)
  }
})

t.test('Secrets: the speaker lists and watches its namespace\'s (passwordSecret), the controller only creates, reads and updates by name', async (t) => {
  const secrets = grantsOf(manifest('20-rbac.yaml'))
    .filter((g) => g.resource === 'secrets')
    .map(describeGrant)
    .sort()
  t.same(secrets, [
    'controller: create core/secrets in metallb-system',
    'controller: get core/secrets memberlist in metallb-system',
    'controller: get core/secrets metallb-webhook-cert in metallb-system',
    'controller: update core/secrets memberlist in metallb-system',
    'controller: update core/secrets metallb-webhook-cert in metallb-system',
    'speaker: list core/secrets in metallb-system',
    'speaker: watch core/secrets in metallb-system',
  ])
})

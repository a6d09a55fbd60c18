// deploy/manifests/20-rbac.yaml grants exactly what IronLB uses, proven on a real API server (root; run
// first on specs/e2e/keyRotation.e2e.ts's lab, as a lab costs 20-55 s to bring up: what it deletes, the
// Service web and the memberlist Secret, the specs after it make again). The lab runs the controller and the speakers as their ServiceAccounts, bound by the manifest's
// RBAC (not as admin), and its API server writes an audit log of every request they send. This spec
// drives each code path that talks to the API (an IP assigned and announced, the Service deleted, the
// memberlist Secret missing at a controller's start), then reads the log:
//  - no request of theirs was refused (a missing grant fails here, and in the flow it broke);
//  - every verb on every resource the Roles grant was used at least once, except the grants listed in
//    LANDING below, each with its reason.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Test } from 'tap'
import { serviceIPs } from '../../shell/lab/demo.js'
import type { Lab } from '../../shell/lab/lab.js'
import { kubePaths } from '../../shell/testbed/controlPlane.js'
import { defaultIronlbEntry, repoRoot } from '../../shell/lab/paths.js'
import { apply, kubectlOk, mkL2Ad, mkPool, mkService, statusOwner, waitUntil } from '../e2e/fixture.js'
import { type Allowed, compare, describeGrant, grantsOf, serviceAccountUser, usesOf } from './rbacAudit.js'

const CONTROLLER = serviceAccountUser('metallb-system', 'controller')
const SPEAKER = serviceAccountUser('metallb-system', 'speaker')

const landing = (user: string, group: string, resource: string, verbs: readonly string[], why: string, name?: string): Allowed[] =>
  verbs.map((verb) => ({ user, group, resource, verb, why, ...(name === undefined ? {} : { name }) }))

// Grants no code path uses yet, because the feature that needs them lands in this session. Remove an
// entry once its feature is in: the spec names entries that the log shows in use, and fails on entries
// that match no grant.
const LANDING: readonly Allowed[] = [
  // Secure metrics (issue 8 §5): /metrics checks the caller's token with TokenReview and SubjectAccessReview.
  ...[CONTROLLER, SPEAKER].flatMap((u) => [
    ...landing(u, 'authentication.k8s.io', 'tokenreviews', ['create'], 'secure metrics'),
    ...landing(u, 'authorization.k8s.io', 'subjectaccessreviews', ['create'], 'secure metrics'),
  ]),
  // The controller's admission webhook (shell/webhook; the lab runs the controller without
  // --webhook-mode=enabled): its serving certificate and its configuration's CA bundle.
  ...landing(CONTROLLER, '', 'secrets', ['get', 'update'], 'admission webhook certificate', 'metallb-webhook-cert'),
  ...landing(CONTROLLER, 'admissionregistration.k8s.io', 'validatingwebhookconfigurations', ['get', 'patch'], 'admission webhook', 'metallb-webhook-configuration'),
  // Adopting a memberlist Secret an older IronLB left without an owner (shell/controller/adopt.ts): this
  // lab's controller creates its Secret afresh (owned), so it has none to adopt; the cluster's helm row
  // (lifecycle.cluster.ts) uses the grant.
  ...landing(CONTROLLER, '', 'secrets', ['update'], 'adopting an older IronLB\'s memberlist Secret', 'memberlist'),
  // BGP: the speaker lists and watches its ServiceBGPStatus objects always (that is in use); it
  // writes them only for a Service advertised by BGP, which this lab (Layer 2 only) has none of.
  ...landing(SPEAKER, 'metallb.io', 'servicebgpstatuses', ['create', 'delete'], 'BGP, not configured in this lab'),
  ...landing(SPEAKER, 'metallb.io', 'servicebgpstatuses/status', ['patch'], 'BGP, not configured in this lab'),
]

/** Drives every code path that talks to the API, then holds the audit log to the Roles' grants. */
export const rbacInUse = async (t: Test, lab: Lab): Promise<void> => {
  await t.test('the controller and the speakers use every grant, and are refused nothing', async (t) => {

    // Assignment and announcement: Services, status, annotations, Events, pool status, ServiceL2Status.
    await apply(lab, [mkPool('lan', ['198.51.100.200-198.51.100.220']), mkL2Ad('lan', { ipAddressPools: ['lan'] }), mkService('web')])
    await waitUntil('web has an IP', 30_000, async () => (await serviceIPs(lab, 'web')).length === 1)
    await waitUntil('web has one ServiceL2Status', 30_000, async () => (await statusOwner(lab, 'web')) !== undefined)
    // Deleted: the announcing speaker deletes its ServiceL2Status.
    await kubectlOk(lab, ['delete', 'service', 'web', '-n', 'default', '--wait=false'])
    await waitUntil('web has no ServiceL2Status', 30_000, async () => (await statusOwner(lab, 'web')) === undefined)

    // The memberlist Secret missing when a controller starts (as deployed: --ml-secret-name): it reads
    // it by name and creates it. A second replica, briefly, beside the lab's (it only follows the Lease).
    await kubectlOk(lab, ['delete', 'secret', 'memberlist', '-n', 'metallb-system'])
    const replica = lab.exec(
      'infra',
      [
        'env', '-u', 'NODE_OPTIONS', // the controller as it ships, not through the test runner's loaders
        'timeout', '-s', 'TERM', '15',
        process.execPath, defaultIronlbEntry(), 'controller',
        `--kubeconfig=${lab.kubeconfig('controller')}`,
        '--namespace=metallb-system', '--pod-name=controller-rbac', '--port=17472', '--host=127.0.0.1', '--health-probe-bind-address=127.0.0.1:17473',
        '--ml-secret-name=memberlist', '--log-level=warn',
      ],
      { timeoutMs: 30_000 },
    )
    await waitUntil('Secret memberlist created by the controller', 15_000, async () => (await lab.kubectl(['get', 'secret', 'memberlist', '-n', 'metallb-system'])).code === 0)
    await replica

    const log = readFileSync(kubePaths(lab.stateDir).auditLog, 'utf8')
    const uses = usesOf(log)
    const grants = grantsOf(readFileSync(join(repoRoot, 'deploy', 'manifests', '20-rbac.yaml'), 'utf8'))
    const found = compare(grants, uses, LANDING)

    // What each ServiceAccount used, for the record (the audit log itself is kept with the lab's logs on failure).
    const counts = new Map<string, number>()
    for (const u of uses) {
      if (u.user !== CONTROLLER && u.user !== SPEAKER) continue
      const k = describeGrant({ user: u.user, group: u.group, resource: u.resource, verb: u.verb })
      counts.set(k, (counts.get(k) ?? 0) + 1)
    }
    t.comment(`requests in the audit log, by ServiceAccount and verb:\n${[...counts].sort().map(([k, n]) => `  ${k}: ${n}`).join('\n')}`)

    t.same(found.refused.map(describeGrant), [], 'no request of the controller or a speaker was refused (a missing grant)')
    t.same(found.unused.map(describeGrant), [], 'every grant was used (or is listed as landing)')
    t.same(found.staleAllowed.map(describeGrant), [], 'every landing entry still matches a grant')
    if (found.usedAllowed.length > 0) t.comment(`landing entries now in use (take them off the list): ${found.usedAllowed.map(describeGrant).join('; ')}`)
    t.ok(uses.some((u) => u.user === SPEAKER) && uses.some((u) => u.user === CONTROLLER), 'the log holds requests of both ServiceAccounts')
  })
}

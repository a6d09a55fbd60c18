// Lets a test run an IronLB component as its own ServiceAccount, bound by deploy/manifests/20-rbac.yaml,
// instead of as the admin: a grant the manifest lacks then fails the test that needed it. The manifest's
// objects for the component are installed in the test's namespace (the Role, RoleBinding and
// ServiceAccount moved there; the ClusterRole as it is, with a ClusterRoleBinding per namespace), and a
// token is minted through the TokenRequest API (`serviceaccounts/token`) with the admin's client.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { KubeConfig } from '@kubernetes/client-node'
import { parseAllDocuments } from 'yaml'
import { type RestClient, ensureOk } from '../../shell/kube/rest.js'
import { testRest } from './kube.js'
import { repoRoot } from './repoRoot.js'

export type Component = 'controller' | 'speaker'

const RBAC_FILE = join(repoRoot, 'deploy', 'manifests', '20-rbac.yaml')
const DEPLOY_NAMESPACE = 'metallb-system'
/** Longer than any test run; the process does not refresh it. */
const TOKEN_SECONDS = 4 * 3600

interface Doc {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> }
  readonly subjects?: readonly { readonly kind: string; readonly name: string; readonly namespace?: string }[]
  readonly [k: string]: unknown
}

const PLURAL: Readonly<Record<string, string>> = {
  ServiceAccount: 'serviceaccounts',
  ClusterRole: 'clusterroles',
  ClusterRoleBinding: 'clusterrolebindings',
  Role: 'roles',
  RoleBinding: 'rolebindings',
}

const pathOf = (d: Doc): string => {
  const plural = PLURAL[d.kind]
  if (plural === undefined) throw new Error(`${RBAC_FILE}: unexpected kind ${d.kind}`)
  const base = d.apiVersion === 'v1' ? '/api/v1' : `/apis/${d.apiVersion}`
  return `${base}${d.metadata.namespace === undefined ? '' : `/namespaces/${d.metadata.namespace}`}/${plural}/${d.metadata.name}`
}

/** The manifest's objects that make `component`'s identity, moved to `namespace`. */
export const rbacObjectsFor = (yamlText: string, component: Component, namespace: string): Doc[] => {
  const docs = parseAllDocuments(yamlText).map((d) => d.toJS() as Doc | null).filter((d): d is Doc => d !== null)
  const mine = (d: Doc): boolean =>
    d.metadata.name === component ||
    d.metadata.name === `ironlb:${component}` ||
    (d.subjects ?? []).some((s) => s.kind === 'ServiceAccount' && s.name === component)
  return docs.filter(mine).map((d) => {
    const moved = (d.subjects ?? []).map((s) => (s.kind === 'ServiceAccount' && s.namespace === DEPLOY_NAMESPACE ? { ...s, namespace } : s))
    const metadata =
      d.metadata.namespace === DEPLOY_NAMESPACE
        ? { ...d.metadata, namespace }
        : // Cluster-scoped bindings are one per namespace; the ClusterRole itself is shared, as deployed.
          d.kind === 'ClusterRoleBinding'
          ? { ...d.metadata, name: `${d.metadata.name}:${namespace}` }
          : d.metadata
    return { ...d, metadata, ...(d.subjects === undefined ? {} : { subjects: moved }) }
  })
}

const applyObject = async (rest: RestClient, d: Doc): Promise<void> => {
  const res = await rest.request('PATCH', pathOf(d), { body: d, contentType: 'application/apply-patch+yaml', query: { fieldManager: 'ironlb-tests', force: true } })
  ensureOk(res, `apply ${d.kind} ${d.metadata.namespace ?? ''}/${d.metadata.name}`)
}

interface RuleDoc {
  readonly rules?: readonly { readonly apiGroups?: readonly string[]; readonly resources?: readonly string[]; readonly verbs?: readonly string[]; readonly resourceNames?: readonly string[] }[]
}

/**
 * Waits (at most 10 s) until the authorizer allows the first rule of each Role and ClusterRole to the
 * ServiceAccount: RBAC reaches the authorizer through a cache, so a request sent right after the apply
 * can still be refused.
 */
const waitForGrants = async (rest: RestClient, objects: readonly Doc[], namespace: string, user: string): Promise<void> => {
  const probes = objects.flatMap((d) => {
    const rule = d.kind === 'Role' || d.kind === 'ClusterRole' ? (d as RuleDoc).rules?.[0] : undefined
    const [resource, subresource] = (rule?.resources?.[0] ?? '').split('/')
    return rule === undefined ? [] : [{ namespace, verb: rule.verbs?.[0], group: rule.apiGroups?.[0], resource, subresource, name: rule.resourceNames?.[0] }]
  })
  const groups = ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated']
  const deadline = Date.now() + 10_000
  for (const attrs of probes)
    for (;;) {
      const res = await rest.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user, groups, resourceAttributes: attrs } },
      })
      if ((res.body as { status?: { allowed?: boolean } } | undefined)?.status?.allowed === true) break
      if (Date.now() > deadline) throw new Error(`${user}: ${JSON.stringify(attrs)} still not allowed 10 s after applying deploy/ RBAC`)
      await new Promise((r) => setTimeout(r, 100))
    }
}

/**
 * Installs `component`'s RBAC from deploy/ in `namespace`, mints its token, and writes a kubeconfig for
 * it to `dir`; resolves to that file. `adminKubeconfig` is only used to do this.
 */
export const serviceAccountKubeconfig = async (adminKubeconfig: string, component: Component, namespace: string, dir: string): Promise<string> => {
  const rest = await testRest(adminKubeconfig)
  try {
    const objects = rbacObjectsFor(readFileSync(RBAC_FILE, 'utf8'), component, namespace)
    for (const d of objects) await applyObject(rest, d)
    await waitForGrants(rest, objects, namespace, `system:serviceaccount:${namespace}:${component}`)
    const minted = ensureOk(
      await rest.request('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${component}/token`, {
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: TOKEN_SECONDS } },
      }),
      `TokenRequest for ${namespace}/${component}`,
    ).body as { status?: { token?: string } }
    const token = minted.status?.token
    if (token === undefined) throw new Error(`TokenRequest for ${namespace}/${component}: no token in the answer`)
    const admin = new KubeConfig()
    admin.loadFromFile(adminKubeconfig)
    const cluster = admin.getCurrentCluster()
    if (cluster === null) throw new Error(`${adminKubeconfig}: no current cluster`)
    const ca = cluster.caData ?? (cluster.caFile === undefined ? undefined : readFileSync(cluster.caFile).toString('base64'))
    const user = `system:serviceaccount:${namespace}:${component}`
    const cfg = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server: cluster.server, ...(ca === undefined ? {} : { 'certificate-authority-data': ca }) } }],
      users: [{ name: user, user: { token } }],
      contexts: [{ name: 'test', context: { cluster: 'test', user } }],
      'current-context': 'test',
      preferences: {},
    }
    const path = join(dir, `${component}.kubeconfig`)
    writeFileSync(path, JSON.stringify(cfg, null, 2), { mode: 0o600 })
    return path
  } finally {
    rest.close()
  }
}

// Three ways to install, one result (issue 11): `kubectl apply -f deploy/manifests/`, `kubectl apply -k
// deploy/` and `helm install` of deploy/chart with its default values send the same objects (kind,
// namespace, name, and every field: RBAC rules, container args and env, security contexts, probes,
// the CRDs), rendered by the real kubectl and helm. The chart's two intended differences are checked
// by name: it leaves the release Namespace to the user, and it adds Helm's three labels to metadata.
// The example overlay is checked against the manifests changed by a small builder here (namespace,
// image, log level), so it changes those and nothing else. Needs `make k8s-bins helm-bins`
// (`make helm-specs`).
import t from 'tap'
import { byKey, helmLint, helmTemplate, HELM_LABELS, keyOf, kustomize, manifestObjects, RELEASE, withoutHelmLabels, type K8sObject } from './renderings.js'

const NAMESPACE = 'metallb-system'

t.test('kubectl kustomize deploy/ renders exactly the manifests', async (t) => {
  const manifests = manifestObjects()
  const kustomized = await kustomize('deploy')
  t.same([...byKey(kustomized).keys()].sort(), [...byKey(manifests).keys()].sort(), 'the same objects')
  const want = byKey(manifests)
  for (const [key, o] of byKey(kustomized)) t.same(o, want.get(key), key)
  t.ok(manifests.length >= 25, `${manifests.length} objects in deploy/manifests`)
})

t.test('helm template with default values renders the manifests, but for the Namespace and Helm\'s labels', async (t) => {
  const manifests = byKey(manifestObjects())
  const chart = await helmTemplate(NAMESPACE)
  const missing = [...manifests.keys()].filter((k) => !byKey(chart).has(k))
  const extra = chart.map(keyOf).filter((k) => !manifests.has(k))
  t.same(missing, [`Namespace//${NAMESPACE}`], 'only the Namespace is left to the user (helm install --namespace; NOTES.txt says how to label it)')
  t.same(extra, [], 'nothing more than the manifests')
  for (const o of chart) {
    // The CRDs come through .Files.Get verbatim; every templated object carries Helm's labels.
    if (o.kind !== 'CustomResourceDefinition')
      t.same(
        HELM_LABELS.map((l) => o.metadata.labels?.[l]),
        [RELEASE, 'Helm', 'ironlb-0.1.0'],
        `${keyOf(o)}: instance, managed-by and chart labels`,
      )
    t.same(withoutHelmLabels(o), manifests.get(keyOf(o)), keyOf(o))
  }
})

t.test('the parts a reviewer looks at first are equal, field by field', async (t) => {
  // The whole objects are compared above; this names the fields issue 11 lists, so that a failure says
  // which one drifted.
  const manifests = byKey(manifestObjects())
  const chart = byKey(await helmTemplate(NAMESPACE))
  const kustomized = byKey(await kustomize('deploy'))
  const pick = (o: K8sObject | undefined, path: readonly (string | number)[]): unknown =>
    path.reduce<unknown>((v, p) => (v === undefined || v === null ? undefined : (v as Record<string | number, unknown>)[p]), o)
  const container = ['spec', 'template', 'spec', 'containers', 0]
  const rows: ReadonlyArray<{ desc: string; key: string; path: readonly (string | number)[] }> = [
    { desc: 'controller ClusterRole rules', key: 'ClusterRole//ironlb:controller', path: ['rules'] },
    { desc: 'speaker ClusterRole rules', key: 'ClusterRole//ironlb:speaker', path: ['rules'] },
    { desc: 'controller Role rules', key: `Role/${NAMESPACE}/controller`, path: ['rules'] },
    { desc: 'speaker Role rules', key: `Role/${NAMESPACE}/speaker`, path: ['rules'] },
    { desc: 'controller binding subjects', key: `RoleBinding/${NAMESPACE}/controller`, path: ['subjects'] },
    { desc: 'controller args', key: `Deployment/${NAMESPACE}/controller`, path: [...container, 'args'] },
    { desc: 'controller env', key: `Deployment/${NAMESPACE}/controller`, path: [...container, 'env'] },
    { desc: 'controller container securityContext', key: `Deployment/${NAMESPACE}/controller`, path: [...container, 'securityContext'] },
    { desc: 'controller Pod securityContext', key: `Deployment/${NAMESPACE}/controller`, path: ['spec', 'template', 'spec', 'securityContext'] },
    { desc: 'speaker args', key: `DaemonSet/${NAMESPACE}/speaker`, path: [...container, 'args'] },
    { desc: 'speaker env', key: `DaemonSet/${NAMESPACE}/speaker`, path: [...container, 'env'] },
    { desc: 'speaker container securityContext', key: `DaemonSet/${NAMESPACE}/speaker`, path: [...container, 'securityContext'] },
    { desc: 'speaker Pod securityContext', key: `DaemonSet/${NAMESPACE}/speaker`, path: ['spec', 'template', 'spec', 'securityContext'] },
    { desc: 'speaker tolerations', key: `DaemonSet/${NAMESPACE}/speaker`, path: ['spec', 'template', 'spec', 'tolerations'] },
    { desc: 'webhooks', key: 'ValidatingWebhookConfiguration//metallb-webhook-configuration', path: ['webhooks'] },
    { desc: 'IPAddressPool CRD', key: 'CustomResourceDefinition//ipaddresspools.metallb.io', path: ['spec'] },
  ]
  for (const r of rows) {
    const want = pick(manifests.get(r.key), r.path)
    t.not(want, undefined, `${r.desc}: present in the manifests`)
    t.same(pick(chart.get(r.key), r.path), want, `${r.desc}: chart`)
    t.same(pick(kustomized.get(r.key), r.path), want, `${r.desc}: kustomize`)
  }
})

// What deploy/overlays/example says it does, applied to the manifests by hand.
const OVERLAY_NAMESPACE = 'ironlb-system'
const OVERLAY_IMAGE = 'registry.example.com/ironlb/ironlb:0.1.0'

const asOverlaid = (o: K8sObject): unknown => {
  const copy = structuredClone(o) as K8sObject & Record<string, unknown>
  const meta = copy.metadata as { name: string; namespace?: string }
  if (copy.kind === 'Namespace') meta.name = OVERLAY_NAMESPACE
  if (meta.namespace !== undefined) meta.namespace = OVERLAY_NAMESPACE
  for (const s of (copy['subjects'] ?? []) as Array<{ namespace?: string }>) if (s.namespace !== undefined) s.namespace = OVERLAY_NAMESPACE
  for (const w of (copy['webhooks'] ?? []) as Array<{ clientConfig: { service: { namespace: string } } }>) w.clientConfig.service.namespace = OVERLAY_NAMESPACE
  const pod = (copy['spec'] as { template?: { spec?: { containers?: Array<{ image: string; args: string[] }> } } } | undefined)?.template?.spec
  for (const c of pod?.containers ?? []) {
    c.image = OVERLAY_IMAGE
    c.args = c.args.map((a) => (a === '--log-level=info' ? '--log-level=debug' : a))
  }
  return copy
}

t.test('deploy/overlays/example changes the namespace, the image and the log level, and nothing else', async (t) => {
  const want = byKey(manifestObjects().map((o) => asOverlaid(o) as K8sObject))
  const overlaid = await kustomize('deploy/overlays/example')
  t.same([...byKey(overlaid).keys()].sort(), [...want.keys()].sort(), 'the same objects, moved to the new namespace')
  for (const o of overlaid) t.same(o, want.get(keyOf(o)), keyOf(o))
  // The builder above must have something to do: a manifest already at debug would make this vacuous.
  const args = overlaid.flatMap((o) => ((o['spec'] as { template?: { spec?: { containers?: Array<{ args: string[] }> } } } | undefined)?.template?.spec?.containers ?? []).flatMap((c) => c.args))
  t.same(args.filter((a) => a.startsWith('--log-level')), ['--log-level=debug', '--log-level=debug'], 'both daemons at debug')
})

t.test('helm lint --strict passes', async (t) => {
  const out = await helmLint()
  t.match(out, /1 chart\(s\) linted, 0 chart\(s\) failed/)
})

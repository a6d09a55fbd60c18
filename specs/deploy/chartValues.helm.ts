// deploy/chart with every value changed from its default: each lands where the daemons read it (the
// flag, the mounted Secret and the Role that may read it, the Pod's scheduling, the containers'
// resources and security contexts), and the metrics objects appear only when asked for. The alert
// rules name only series the daemons register. Rendered by the real helm (`make helm-specs`).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { repoRoot } from '../support/repoRoot.js'
import { CHART_NAMESPACE as NS, VALUES } from './chartValues.js'
import { helmTemplate, helmTemplateText, helmTemplateValues, keyOf, parseObjects, type K8sObject } from './renderings.js'


const withValues = async (values: unknown): Promise<K8sObject[]> => parseObjects(await helmTemplateValues(NS, values))

interface Container {
  readonly image: string
  readonly imagePullPolicy?: string
  readonly args: readonly string[]
  readonly resources: unknown
  readonly securityContext: unknown
  readonly env?: ReadonlyArray<{ readonly name: string; readonly value?: string }>
}
interface PodSpec {
  readonly securityContext: unknown
  readonly nodeSelector: unknown
  readonly tolerations?: unknown
  readonly containers: readonly Container[]
  readonly volumes?: ReadonlyArray<{ readonly name: string; readonly secret?: { readonly secretName: string } }>
}
const podOf = (o: K8sObject | undefined): PodSpec => (o?.['spec'] as { template: { spec: PodSpec } }).template.spec
const find = (objects: readonly K8sObject[], key: string): K8sObject | undefined => objects.find((o) => keyOf(o) === key)

t.test('each non-default value lands where it should', async (t) => {
  const objects = await withValues(VALUES)
  const deployment = find(objects, `Deployment/${NS}/controller`)
  const controller = podOf(deployment)
  const speaker = podOf(find(objects, `DaemonSet/${NS}/speaker`))
  const [cc, sc] = [controller.containers[0], speaker.containers[0]]
  if (cc === undefined || sc === undefined) return t.fail('a container is missing')

  t.equal(cc.image, 'registry.example.com/net/ironlb:9.9.9', 'image: controller')
  t.equal(sc.image, 'registry.example.com/net/ironlb:9.9.9', 'image: speaker')
  t.same([cc.imagePullPolicy, sc.imagePullPolicy], ['IfNotPresent', 'IfNotPresent'], 'image.pullPolicy')
  t.ok(cc.args.includes('--lb-class=example.com/bare-metal') && sc.args.includes('--lb-class=example.com/bare-metal'), 'loadBalancerClass: both daemons')
  t.ok(cc.args.includes('--log-level=debug') && !cc.args.includes('--log-level=info'), 'controller.logLevel')
  t.ok(sc.args.includes('--log-level=warn') && !sc.args.includes('--log-level=info'), 'speaker.logLevel')
  t.equal((deployment?.['spec'] as { replicas: number }).replicas, 3, 'controller.replicas')

  t.ok(cc.args.includes('--ml-secret-name=speaker-key'), 'memberlist.secretName: the controller creates it')
  t.same(speaker.volumes?.find((v) => v.name === 'memberlist')?.secret?.secretName, 'speaker-key', 'memberlist.secretName: the speakers mount it')
  t.ok(sc.args.includes('--memberlist-probe-interval=1s') && sc.args.includes('--memberlist-thread=main'), 'memberlist.probeInterval and memberlist.thread: the speakers\' flags')
  const role = find(objects, `Role/${NS}/controller`) as unknown as { rules: ReadonlyArray<{ resources: string[]; resourceNames?: string[]; verbs: string[] }> }
  const secretGets = role.rules.filter((r) => r.resources.includes('secrets') && r.verbs.includes('get')).flatMap((r) => r.resourceNames ?? ['*'])
  t.same(secretGets.sort(), ['metallb-webhook-cert', 'speaker-key'], 'memberlist.secretName: the controller may read that Secret and no longer memberlist')

  t.same(cc.resources, VALUES.controller.resources, 'controller.resources')
  t.same(cc.env?.filter((e) => e.name === 'NODE_OPTIONS'), [{ name: 'NODE_OPTIONS', value: VALUES.controller.nodeOptions }], 'controller.nodeOptions')
  t.same(sc.resources, VALUES.speaker.resources, 'speaker.resources')
  t.same(sc.env?.filter((e) => e.name === 'NODE_OPTIONS'), [{ name: 'NODE_OPTIONS', value: VALUES.speaker.nodeOptions }], 'speaker.nodeOptions')
  t.same(controller.nodeSelector, { 'kubernetes.io/os': 'linux', ...VALUES.controller.nodeSelector }, 'controller.nodeSelector, beside the os label')
  t.same(speaker.nodeSelector, { 'kubernetes.io/os': 'linux', ...VALUES.speaker.nodeSelector }, 'speaker.nodeSelector, beside the os label')
  t.same(controller.tolerations, VALUES.controller.tolerations, 'controller.tolerations')
  t.same(speaker.tolerations, VALUES.speaker.tolerations, 'speaker.tolerations replace the control-plane ones')
  t.same(controller.securityContext, VALUES.controller.podSecurityContext, 'controller.podSecurityContext')
  t.same(cc.securityContext, VALUES.controller.securityContext, 'controller.securityContext')
  // Helm merges a map given in values into the chart's default (a key goes only when set to null): the
  // speaker's non-root defaults stay beside the one field set here.
  t.same(speaker.securityContext, { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, ...VALUES.speaker.podSecurityContext }, 'speaker.podSecurityContext, merged into the non-root default')
  t.same(sc.securityContext, VALUES.speaker.securityContext, 'speaker.securityContext')

  t.same(objects.filter((o) => o.kind === 'CustomResourceDefinition'), [], 'crds.enabled false: no CRDs')
  const namespaced = objects.filter((o) => o.metadata.namespace !== undefined)
  t.same([...new Set(namespaced.map((o) => o.metadata.namespace))], [NS], 'every namespaced object in the release namespace')
  const subjects = objects.flatMap((o) => (o['subjects'] ?? []) as Array<{ name: string; namespace: string }>)
  t.same(
    subjects.map((s) => `${s.namespace}/${s.name}`).sort(),
    ['lb-system/controller', 'lb-system/controller', 'lb-system/speaker', 'lb-system/speaker', 'monitoring/prometheus-k8s'],
    'bindings name the release namespace\'s ServiceAccounts, and Prometheus\'s',
  )
  const webhook = find(objects, 'ValidatingWebhookConfiguration//metallb-webhook-configuration') as unknown as { webhooks: Array<{ clientConfig: { service: { namespace: string } } }> }
  t.same([...new Set(webhook.webhooks.map((w) => w.clientConfig.service.namespace))], [NS], 'the webhook calls the Service in the release namespace')
})

t.test('metrics: ServiceMonitors, their Services, the PrometheusRule and the reader binding', async (t) => {
  const objects = await withValues(VALUES)
  const binding = find(objects, 'ClusterRoleBinding//ironlb-metrics-reader') as unknown as { roleRef: { name: string }; subjects: unknown[] }
  t.same([binding.roleRef.name, binding.subjects], ['ironlb-metrics-reader', [{ kind: 'ServiceAccount', name: 'prometheus-k8s', namespace: 'monitoring' }]], 'prometheus.serviceAccount/namespace bind the reader role')
  for (const who of ['controller', 'speaker']) {
    const monitor = find(objects, `ServiceMonitor/${NS}/ironlb-${who}`)
    const service = find(objects, `Service/${NS}/${who}-monitor-service`)
    t.equal(monitor?.metadata.labels?.['release'], 'kube-prometheus', `${who}: serviceMonitor.additionalLabels`)
    const spec = monitor?.['spec'] as { selector: { matchLabels: Record<string, string> }; endpoints: Array<Record<string, unknown>> } | undefined
    t.same(spec?.endpoints.map((e) => [e['port'], e['scheme'], e['interval'], e['tlsConfig']]), [['metricshttps', 'https', '15s', VALUES.prometheus.serviceMonitor.tlsConfig]], `${who}: HTTPS on metricshttps, interval and tlsConfig`)
    // The ServiceMonitor selects the Service, which selects the daemon's Pods on 7472.
    t.match(service?.metadata.labels, spec?.selector.matchLabels, `${who}: the ServiceMonitor selects its Service`)
    const svc = service?.['spec'] as { selector: Record<string, string>; ports: Array<{ name: string; targetPort: number }> } | undefined
    t.same([svc?.selector['app.kubernetes.io/component'], svc?.ports.map((p) => [p.name, p.targetPort])], [who, [['metricshttps', 7472]]], `${who}: the Service reaches the daemon's metrics port`)
  }
  const rule = find(objects, `PrometheusRule/${NS}/ironlb`)
  t.equal(rule?.metadata.labels?.['role'], 'alert-rules', 'prometheusRule.additionalLabels')
  const exprs = ((rule?.['spec'] as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> } | undefined)?.groups ?? []).flatMap((g) => g.rules.map((r) => r.expr))
  t.ok(exprs.length >= 4, `${exprs.length} alerts`)
  // Every series an alert reads is one the daemons register (by name, in shell/**/metrics.ts).
  const metricsSources = readdirSync(join(repoRoot, 'shell'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('metrics.ts'))
    .map((f) => readFileSync(join(repoRoot, 'shell', f), 'utf8'))
    .join('\n')
  const series = [...new Set(exprs.flatMap((e) => [...e.matchAll(/\b(?:metallb|ironlb)_[a-z0-9_]+/g)].map((m) => m[0])))]
  t.ok(series.length >= 4, `alerts read ${series.join(', ')}`)
  for (const s of series) t.ok(metricsSources.includes(`'${s}'`), `${s} is registered by a daemon`)
})

t.test('with default values: no ServiceMonitor, PrometheusRule or reader binding', async (t) => {
  const kinds = (await helmTemplate(NS)).map(keyOf)
  t.same(kinds.filter((k) => /^(ServiceMonitor|PrometheusRule)\/|ironlb-metrics-reader$|monitor-service$/.test(k)), ['ClusterRole//ironlb-metrics-reader'])
})

t.test('half a Prometheus identity is refused, naming both values', async (t) => {
  await t.rejects(helmTemplateText(NS, ['--set', 'prometheus.serviceAccount=prometheus']), /prometheus\.serviceAccount and prometheus\.namespace go together/)
})

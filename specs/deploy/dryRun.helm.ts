// The real kube-apiserver accepts every way to install: `kubectl apply --dry-run=server` (admission,
// defaulting, strict field validation, nothing stored) of the manifests, of `-k deploy/`, of the example
// overlay, and of the chart with default and with changed values. And it refuses a rendering with a
// field it does not know, so an accepted one means something. Uses the control plane `make helm-specs`
// starts (IRONLB_TEST_KUBECONFIG), or one of its own when run alone. The namespaces are created for real
// (a dry-run Namespace is not there for the objects after it) and those of this spec removed at the end.
import t from 'tap'
import { CHART_NAMESPACE, VALUES } from './chartValues.js'
import { connect, type Kubectl, type Run } from './kubectl.js'
import { helmTemplateText, helmTemplateValues, parseObjects } from './renderings.js'

// Kinds whose CRDs (prometheus-operator's) this API server does not have.
const MONITORING = new Set(['ServiceMonitor', 'PrometheusRule'])
const OWN_NAMESPACES = ['ironlb-system', CHART_NAMESPACE]

let kubectl: Kubectl
t.before(async () => {
  kubectl = await connect()
  const ns = await kubectl(['apply', '-f', 'deploy/manifests/00-namespace.yaml'])
  if (ns.code !== 0) throw new Error(ns.stderr)
  // Applied, not created: `kubectl apply` of the overlay's Namespace then finds its own annotation.
  for (const name of OWN_NAMESPACES) {
    const r = await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }))
    if (r.code !== 0) throw new Error(r.stderr)
  }
})
t.teardown(async () => {
  await kubectl(['delete', 'namespace', '--wait=false', '--ignore-not-found', ...OWN_NAMESPACES])
  await kubectl.stop()
})

const dryRun = (args: readonly string[], input?: string): Promise<Run> => kubectl(['apply', '--dry-run=server', '--validate=strict', ...args], input)

/** The accepted objects, one `kind/name ... (server dry run)` line each. */
const accepted = (r: Run): number => r.stdout.split('\n').filter((l) => l.endsWith('(server dry run)')).length

const withoutMonitoring = (yaml: string): string =>
  parseObjects(yaml)
    .filter((o) => !MONITORING.has(o.kind))
    .map((o) => JSON.stringify(o))
    .join('\n---\n')

t.test('the API server accepts each rendering, every object of it', async (t) => {
  const chartDefault = await helmTemplateText('metallb-system')
  const chartValues = withoutMonitoring(await helmTemplateValues(CHART_NAMESPACE, VALUES))
  const rows: ReadonlyArray<{ desc: string; args: readonly string[]; input?: string; objects: number }> = [
    { desc: 'kubectl apply -f deploy/manifests/', args: ['-f', 'deploy/manifests/'], objects: 25 },
    { desc: 'kubectl apply -k deploy/', args: ['-k', 'deploy/'], objects: 25 },
    { desc: 'kubectl apply -k deploy/overlays/example', args: ['-k', 'deploy/overlays/example'], objects: 25 },
    { desc: 'helm template (defaults)', args: ['-f', '-'], input: chartDefault, objects: parseObjects(chartDefault).length },
    { desc: 'helm template (every value changed, less the monitoring.coreos.com kinds)', args: ['-f', '-'], input: chartValues, objects: parseObjects(chartValues).length },
  ]
  // One at a time: four side by side, each creating nine CRDs (dry run), outlasted the API server's
  // request timeout at load 20.
  for (const r of rows) {
    const run = await dryRun(r.args, r.input)
    t.equal(run.code, 0, `${r.desc}: accepted${run.code === 0 ? '' : `\n${run.stderr}`}`)
    t.equal(accepted(run), r.objects, `${r.desc}: ${r.objects} objects`)
    t.notMatch(run.stderr, /Warning/, `${r.desc}: no warnings (deprecated fields, PodSecurity)`)
  }
  t.equal(parseObjects(chartDefault).length, 24, 'the chart with defaults: the manifests less the Namespace')
})

t.test('a rendering with an unknown field is refused (the dry run validates)', async (t) => {
  const bad = await helmTemplateText('metallb-system', ['--set', 'speaker.securityContext.runAsUsr=0'])
  const run = await dryRun(['-f', '-'], bad)
  t.not(run.code, 0, 'refused')
  t.match(run.stderr, /unknown field "spec\.template\.spec\.containers\[0\]\.securityContext\.runAsUsr"/)
})

// What deploy/manifests promise about metrics and probes: /metrics is served over HTTPS on 7472 and
// named so; the kubelet's probes go to the plain health port 7473 the daemon is told to open; and the
// reader ClusterRole grants `get` on /metrics and nothing else.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { parseAllDocuments } from 'yaml'
import { repoRoot } from '../support/repoRoot.js'

const docs = (file: string): unknown[] => parseAllDocuments(readFileSync(join(repoRoot, 'deploy', 'manifests', file), 'utf8')).map((d) => d.toJS() as unknown)

interface Container {
  readonly args: readonly string[]
  readonly ports: ReadonlyArray<{ readonly name: string; readonly containerPort: number }>
  readonly livenessProbe: { readonly httpGet: { readonly path: string; readonly port: string } }
  readonly readinessProbe: { readonly httpGet: { readonly path: string; readonly port: string } }
}
interface Workload {
  readonly spec: { readonly template: { readonly metadata: { readonly annotations: Record<string, string> }; readonly spec: { readonly containers: readonly Container[] } } }
}

t.test('metrics over HTTPS on 7472, probes on the plain health port 7473', async (t) => {
  for (const file of ['30-controller.yaml', '40-speaker.yaml']) {
    const w = docs(file)[0] as Workload
    const c = w.spec.template.spec.containers[0]
    if (c === undefined) {
      t.fail(`${file}: no container`)
      continue
    }
    const ports = Object.fromEntries(c.ports.map((p) => [p.name, p.containerPort]))
    t.equal(ports['metricshttps'], 7472, `${file}: port metricshttps is 7472`)
    t.equal(ports['health'], 7473, `${file}: port health is 7473`)
    t.notOk('monitoring' in ports, `${file}: no plain monitoring port`)
    t.ok(c.args.includes('--port=7472'), `${file}: --port=7472`)
    t.ok(c.args.includes('--health-probe-bind-address=:7473'), `${file}: the health server opens 7473`)
    t.same([c.livenessProbe.httpGet, c.readinessProbe.httpGet], [{ path: '/healthz', port: 'health' }, { path: '/readyz', port: 'health' }], `${file}: probes on the health port`)
    t.equal(w.spec.template.metadata.annotations['prometheus.io/scheme'], 'https', `${file}: scrape annotations say https`)
  }
})

t.test('the metrics reader may get /metrics, nothing else', async (t) => {
  const [role] = docs('25-metrics-reader.yaml') as Array<{ kind: string; rules: unknown }>
  t.equal(role?.kind, 'ClusterRole')
  t.same(role?.rules, [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }])
})

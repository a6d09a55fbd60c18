// The three ways to install IronLB, each rendered to the objects it would send: the files of
// deploy/manifests as `kubectl apply -f` reads them, `kubectl kustomize` of a folder (deploy/ or an
// overlay), and `helm template` of deploy/chart. Real kubectl (specs/support/k8s) and real helm
// (specs/support/helm), no API server. Not a spec: installMethods.helm.ts holds the three equal and
// chartValues.helm.ts checks where each chart value lands.
import { execFile, execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { k8sBinDir } from '../support/controlPlane.js'
import { repoRoot } from '../support/repoRoot.js'

export interface K8sObject {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> }
  readonly [field: string]: unknown
}

const MANIFESTS = join(repoRoot, 'deploy', 'manifests')
export const CHART = join(repoRoot, 'deploy', 'chart')
/** The release name the specs render the chart with. */
export const RELEASE = 'ironlb'

/** The labels Helm's conventions add to metadata.labels; the chart adds them and nothing else. */
export const HELM_LABELS = ['app.kubernetes.io/instance', 'app.kubernetes.io/managed-by', 'helm.sh/chart'] as const

const helmBinDir = (): string =>
  process.env['IRONLB_HELM_BIN_DIR'] ?? execFileSync(join(repoRoot, 'specs', 'support', 'helm', 'bin-dir.sh'), ['--check'], { encoding: 'utf8' }).trim()

export const parseObjects = (yaml: string): K8sObject[] =>
  parseAllDocuments(yaml)
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`YAML: ${d.errors.map((e) => e.message).join('; ')}`)
      return d.toJS() as K8sObject | null
    })
    .filter((o): o is K8sObject => o !== null)

/** Runs a built binary, `input` on its stdin; rejects with its stderr on a non-zero exit. */
const output = (bin: string, args: readonly string[], input = '', env: NodeJS.ProcessEnv = process.env): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = execFile(bin, [...args], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', env }, (err, stdout, stderr) =>
      err === null ? resolve(stdout) : reject(new Error(`${bin} ${args.join(' ')}: ${err.message}\n${stderr}`)),
    )
    child.stdin?.end(input)
  })

/** kubectl with a kubeconfig, `input` on its stdin; rejects on a non-zero exit. */
export const kubectlOutput = (kubeconfig: string, args: readonly string[], input = ''): Promise<string> =>
  output(join(k8sBinDir(), 'kubectl'), ['--kubeconfig', kubeconfig, ...args], input)

/** helm against a real API server, its cache, config and data under `home` (not the machine's ~/.cache). */
export const helmOutput = (kubeconfig: string, home: string, args: readonly string[]): Promise<string> =>
  output(join(helmBinDir(), 'helm'), ['--kubeconfig', kubeconfig, ...args], '', {
    ...process.env,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  })

/** What `kubectl apply -f deploy/manifests/` sends: every .yaml file, in name order. */
export const manifestObjects = (): K8sObject[] =>
  readdirSync(MANIFESTS)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseObjects(readFileSync(join(MANIFESTS, f), 'utf8')))

/** `kubectl kustomize <dir>` (dir relative to the repository). */
export const kustomize = async (dir: string): Promise<K8sObject[]> => parseObjects(await output(join(k8sBinDir(), 'kubectl'), ['kustomize', dir]))

/** `helm template` of deploy/chart into `namespace`, with extra arguments (values files, --set). */
export const helmTemplateText = (namespace: string, args: readonly string[] = []): Promise<string> =>
  output(join(helmBinDir(), 'helm'), ['template', RELEASE, CHART, '--namespace', namespace, ...args])

/** `helm template` with `values` as a values file (written to a temporary folder, removed after). */
export const helmTemplateValues = async (namespace: string, values: unknown, args: readonly string[] = []): Promise<string> => {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-chart-'))
  try {
    writeFileSync(join(dir, 'values.json'), JSON.stringify(values))
    return await helmTemplateText(namespace, ['--values', join(dir, 'values.json'), ...args])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export const helmTemplate = async (namespace: string, args: readonly string[] = []): Promise<K8sObject[]> => parseObjects(await helmTemplateText(namespace, args))

/** `helm lint` of deploy/chart: its output, or a rejection naming what failed. */
export const helmLint = (): Promise<string> => output(join(helmBinDir(), 'helm'), ['lint', '--strict', CHART])

/** kind/namespace/name: what identifies an object to the API server (with the API group via kind here). */
export const keyOf = (o: K8sObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`

export const byKey = (objects: readonly K8sObject[]): Map<string, K8sObject> => {
  const map = new Map<string, K8sObject>()
  for (const o of objects) {
    if (map.has(keyOf(o))) throw new Error(`${keyOf(o)} rendered twice`)
    map.set(keyOf(o), o)
  }
  return map
}

/** The object without the labels Helm's conventions add (the chart's only intended difference per object). */
export const withoutHelmLabels = (o: K8sObject): K8sObject => {
  if (o.metadata.labels === undefined) return o
  const labels = Object.fromEntries(Object.entries(o.metadata.labels).filter(([k]) => !(HELM_LABELS as readonly string[]).includes(k)))
  return { ...o, metadata: { ...o.metadata, labels } }
}

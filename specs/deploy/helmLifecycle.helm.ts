// helm install, upgrade to another image tag, and uninstall of deploy/chart on a real kube-apiserver
// (no kubelets: the objects, not the Pods): the install creates every object `helm template` renders,
// the upgrade changes the two images and keeps every other object as it was, and the uninstall leaves
// nothing but what the user made (the namespace). A control plane of its own, always: the chart's
// webhook (failurePolicy Fail, no controller behind it) would refuse every metallb.io write of the
// specs beside it on a shared one, and its CRDs would belong to this release.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { startControlPlane, type ControlPlane } from '../support/controlPlane.js'
import { CHART, helmOutput, helmTemplateText, kubectlOutput, parseObjects, RELEASE, type K8sObject } from './renderings.js'

const NS = 'metallb-system'
const ns = `deploy/manifests/00-namespace.yaml`

let cp: ControlPlane
let home: string
t.before(async () => {
  cp = await startControlPlane()
  home = mkdtempSync(join(tmpdir(), 'ironlb-helm-'))
})
t.teardown(async () => {
  await cp?.stop()
  if (home !== undefined) rmSync(home, { recursive: true, force: true })
})

const kubectl = (args: readonly string[], input?: string): Promise<string> => kubectlOutput(cp.kubeconfigPath, args, input)
const helm = (args: readonly string[]): Promise<string> => helmOutput(cp.kubeconfigPath, home, args)

/** Which of `rendered` exist on the server, as the server has them. */
const existing = async (rendered: string): Promise<K8sObject[]> => {
  // With --ignore-not-found, kubectl prints nothing at all when none exists.
  const out = await kubectl(['get', '--ignore-not-found', '-o', 'json', '-f', '-'], rendered)
  return out.trim() === '' ? [] : ((JSON.parse(out) as { items?: K8sObject[] }).items ?? [])
}

const imagesOf = (objects: readonly K8sObject[]): string[] =>
  objects
    .flatMap((o) => ((o['spec'] as { template?: { spec?: { containers?: Array<{ image: string }> } } } | undefined)?.template?.spec?.containers ?? []).map((c) => `${o.kind}: ${c.image}`))
    .sort()

/** A workload's object without what the server and the upgrade change (status, metadata, the image). */
const stable = (o: K8sObject): unknown => {
  const { status: _status, metadata, ...rest } = o as K8sObject & { status?: unknown }
  const spec = JSON.stringify(rest).replaceAll(/"ghcr\.io\/ironlb\/ironlb:[^"]*"/g, '"IMAGE"')
  return { kind: o.kind, name: metadata.name, spec: JSON.parse(spec) as unknown }
}

t.test('install, upgrade to another tag, uninstall: nothing left but the namespace', async (t) => {
  // The user's part (README of the chart): the namespace, labelled for Pod Security.
  await kubectl(['apply', '-f', ns])
  const rendered = await helmTemplateText(NS)
  const count = parseObjects(rendered).length

  await helm(['install', RELEASE, CHART, '--namespace', NS])
  const installed = await existing(rendered)
  t.equal(installed.length, count, `install: all ${count} objects created`)
  t.same(imagesOf(installed), ['DaemonSet: ghcr.io/ironlb/ironlb:0.1.0', 'Deployment: ghcr.io/ironlb/ironlb:0.1.0'], 'install: the appVersion image')

  await helm(['upgrade', RELEASE, CHART, '--namespace', NS, '--set', 'image.tag=0.1.1'])
  const upgraded = await existing(rendered)
  t.same(imagesOf(upgraded), ['DaemonSet: ghcr.io/ironlb/ironlb:0.1.1', 'Deployment: ghcr.io/ironlb/ironlb:0.1.1'], 'upgrade: both images moved')
  t.same(upgraded.map(stable), installed.map(stable), 'upgrade: every object otherwise as installed')
  t.match(await helm(['history', RELEASE, '--namespace', NS, '-o', 'json']), /"revision":2/, 'upgrade: revision 2')

  await helm(['uninstall', RELEASE, '--namespace', NS])
  // CRDs go once the API server has removed their (no) instances: poll, at most 60 s.
  let left = await existing(rendered)
  for (let i = 0; i < 60 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 1000))
    left = await existing(rendered)
  }
  t.same(left.map((o) => `${o.kind}/${o.metadata.name}`), [], 'uninstall: none of the chart\'s objects left')
  t.equal((await kubectl(['get', 'secrets', '--namespace', NS, '-l', 'owner=helm', '-o', 'name'])).trim(), '', 'uninstall: no release record left')
  t.equal((await kubectl(['get', 'namespace', NS, '-o', 'name'])).trim(), `namespace/${NS}`, 'the user\'s namespace stays')
})

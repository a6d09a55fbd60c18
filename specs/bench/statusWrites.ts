// The pace of a speaker's ServiceBGPStatus writes on a real API server: N creates (POST, status PATCH,
// nodeAssigned Event each) then N updates, made by shell/speaker/bgpStatus.ts's writer as the speaker
// calls it, then a count of what the API server holds (one object per Service, none lost, none twice).
// Before/after a change: give another build's bgpStatus.js as the module.
//   node dist/specs/bench/statusWrites.js [count=1000] [module=dist/shell/speaker/bgpStatus.js]
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { BgpStatusWrite } from '../../core/speaker/bgpStatusWrites.js'
import { eventQueue } from '../../shell/kube/eventQueue.js'
import { eventRecorder } from '../../shell/kube/events.js'
import type { KubeObject } from '../../shell/kube/reflector.js'
import { jsonLogger, silentLogger } from '../../shell/obs/log.js'
import type { writeBgpStatus } from '../../shell/speaker/bgpStatus.js'
import { startControlPlane } from '../support/controlPlane.js'
import { ensureCrds } from '../support/crds.js'
import { create, testRest } from '../support/kube.js'
import { repoRoot } from '../support/repoRoot.js'

const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')

const main = async (): Promise<void> => {
  const count = Number(process.argv[2] ?? 1_000)
  const modulePath = process.argv[3] ?? join(repoRoot, 'dist', 'shell', 'speaker', 'bgpStatus.js')
  const { writeBgpStatus: write } = (await import(pathToFileURL(modulePath).href)) as { writeBgpStatus: typeof writeBgpStatus }
  const cp = await startControlPlane()
  try {
    await ensureCrds(cp.kubeconfigPath)
    const rest = await testRest(cp.kubeconfigPath)
    for (const name of ['metallb-system', 'apps']) await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } })
    const recorder = eventRecorder(rest, 'metallb-speaker', 'node1', silentLogger)
    // Both shapes: the build before awaits record(), this one enqueues.
    const events = { ...eventQueue(recorder, { capacity: 1_024, posters: 2, onDrop: () => undefined }), record: recorder.record }
    // The writer's warnings, counted by event (a write the API server refused or did not answer).
    const warnings = new Map<string, number>()
    const firsts: string[] = []
    const log = jsonLogger('warn', (line: string) => {
      const event = String((JSON.parse(line) as { event?: string }).event)
      warnings.set(event, (warnings.get(event) ?? 0) + 1)
      if (firsts.length < 3) firsts.push(line.slice(0, 300))
    })
    const deps = { rest, log, events, namespace: 'metallb-system', node: 'node1' }
    const svc = (i: number) => ({ serviceNamespace: 'apps', serviceName: `s${i}` })
    const t0 = Date.now()
    const made: readonly KubeObject[] = await write(deps as never, Array.from({ length: count }, (_, i): BgpStatusWrite => ({ _tag: 'Create', ...svc(i), peers: ['tor-a'] })))
    const created = (Date.now() - t0) / 1000
    console.log(`status writes: ${count} ServiceBGPStatus created in ${created.toFixed(1)} s: ${(count / created).toFixed(1)} a second (load ${load()})`)
    // The objects come back in the order their writes ended: each names its Service in its labels.
    const serviceOf = (o: KubeObject): string => (o.metadata as { labels?: Record<string, string> } | undefined)?.labels?.['metallb.io/service-name'] ?? '?'
    const names = made.map((o) => o.metadata?.name ?? '?')
    const t1 = Date.now()
    await write(deps as never, made.map((o): BgpStatusWrite => ({ _tag: 'Update', name: o.metadata?.name ?? '?', serviceNamespace: 'apps', serviceName: serviceOf(o), peers: ['tor-a', 'tor-b'] })))
    const updated = (Date.now() - t1) / 1000
    console.log(`status writes: ${names.length} updated in ${updated.toFixed(1)} s: ${(names.length / updated).toFixed(1)} a second (load ${load()})`)
    const items = ((await rest.request('GET', '/apis/metallb.io/v1beta1/namespaces/metallb-system/servicebgpstatuses')).body as { items: { metadata: { labels?: Record<string, string> }; status?: { peers?: string[] } }[] }).items
    const services = new Set(items.map((o) => o.metadata.labels?.['metallb.io/service-name']))
    const latest = items.filter((o) => o.status?.peers?.length === 2).length
    console.log(`status writes: warnings ${JSON.stringify([...warnings])}; first: ${firsts.join(' | ')}`)
    console.log(`status writes: the API server holds ${items.length} objects for ${services.size} Services, ${latest} with the update's two peers`)
    await events.drain(30_000)
    rest.close()
  } finally {
    await cp.stop()
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})

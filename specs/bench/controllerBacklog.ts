// The controller's write pace on a real API server: N LoadBalancer Services made while no controller
// runs, then one controller started; the time until a watch sees every one with its IP is the pace of
// its Service writes alone (the creates are over before it starts), then how long their IPAllocated
// Events took to appear. Before/after a change: give another build's CLI as the entry.
//   node dist/specs/bench/controllerBacklog.js [count=2000] [entry=dist/shell/cli/ironlb.js]
import { readFileSync } from 'node:fs'
import { list, apply, create, testRest } from '../support/kube.js'
import { startControlPlane } from '../support/controlPlane.js'
import { ensureCrds } from '../support/crds.js'
import { startControllerProcess } from '../support/controllerProcess.js'
import { observeServices } from '../support/serviceObserver.js'
import { BENCH_NAMESPACE, BENCH_POOL, createWave, waitAssigned } from './serviceWave.js'

/** The machine's load average, printed beside each figure. */
const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')

const main = async (): Promise<void> => {
  const count = Number(process.argv[2] ?? 2_000)
  const entry = process.argv[3]
  const cp = await startControlPlane()
  try {
    await ensureCrds(cp.kubeconfigPath)
    const rest = await testRest(cp.kubeconfigPath)
    await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'metallb-system' } })
    await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: BENCH_NAMESPACE } })
    await apply(rest, BENCH_POOL as never)
    const c0 = Date.now()
    await createWave(rest, 0, count)
    console.log(`backlog: ${count} Services created in ${((Date.now() - c0) / 1000).toFixed(1)} s, no controller yet (load ${load()})`)
    const observer = await observeServices(rest, BENCH_NAMESPACE)
    const t0 = Date.now()
    const controller = await startControllerProcess({ kubeconfig: cp.kubeconfigPath, namespace: 'metallb-system', identity: 'backlog', ...(entry === undefined ? {} : { entry }) })
    const done = await waitAssigned(observer, 0, count, 1_200_000, 100)
    const s = (done - t0) / 1000
    console.log(`backlog: all ${count} had IPs ${s.toFixed(1)} s after the controller started: ${(count / s).toFixed(1)} Services a second (load ${load()})`)
    // Then the Events: every Service gets one IPAllocated.
    let events = 0
    for (let i = 0; i < 600 && events < count; i++) {
      events = (await list<{ reason: string }>(rest, 'v1', 'Event', BENCH_NAMESPACE)).filter((e) => e.reason === 'IPAllocated').length
      if (events < count) await new Promise((r) => setTimeout(r, 500))
    }
    const dropped = /ironlb_controller_events_dropped_total\{reason="IPAllocated"\} (\d+)/.exec(await fetch(`http://127.0.0.1:${controller.port}/metrics`).then((r) => r.text()).catch(() => ''))
    console.log(`backlog: ${events} IPAllocated Events ${((Date.now() - done) / 1000).toFixed(1)} s after the last IP; dropped by the queue: ${dropped?.[1] ?? 'none counted'}; controller peak RSS ${(controller.peakRssBytes() / 1048576).toFixed(0)} MiB`)
    observer.stop()
    await controller.kill('SIGTERM')
    rest.close()
  } finally {
    await cp.stop()
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})

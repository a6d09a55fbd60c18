// Child of controllerMemory.bench.ts: IronLB's controller wired as shell/controller/main.ts wires it (caches,
// loop, metrics, events; always the leader, no webhook or probes), with process.memoryUsage() printed as one
// JSON line at each phase: start, the kubeconfig loader imported, the controller's modules imported, kubeconfig loaded,
// caches synced, first pass done, idle (every Service written), and after a full GC (--expose-gc).
//
//   node --expose-gc dist/specs/bench/controllerMemoryChild.js KUBECONFIG NAMESPACE
import { getHeapSpaceStatistics } from 'node:v8'

const mib = (b: number): number => Math.round((b / 1048576) * 10) / 10
// Peak RSS between phases too: a pass's garbage comes and goes between two looks.
let peakRss = 0
setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss())
}, 50).unref()
const phase = (name: string, extra: Record<string, unknown> = {}): void => {
  const m = process.memoryUsage()
  peakRss = Math.max(peakRss, m.rss)
  console.log(JSON.stringify({ phase: name, rss: mib(m.rss), peakRss: mib(peakRss), heapTotal: mib(m.heapTotal), heapUsed: mib(m.heapUsed), external: mib(m.external), arrayBuffers: mib(m.arrayBuffers), ms: Math.round(performance.now()), ...extra }))
}

const until = async (what: string, ok: () => boolean, boundMs: number): Promise<void> => {
  const deadline = Date.now() + boundMs
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${boundMs} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

const main = async (): Promise<void> => {
  const [kubeconfig, namespace] = process.argv.slice(2)
  if (kubeconfig === undefined || namespace === undefined) throw new Error('usage: controllerMemoryChild KUBECONFIG NAMESPACE')
  phase('start')
  // What main.ts imports for its kubeconfig (shell/kube/kubeConfig.ts: client-node's parser, not its index).
  const { loadKubeConfig } = await import('../../shell/kube/kubeConfig.js')
  phase('kubeconfig loader imported')
  const [{ restClient }, { jsonLogger }, { eventRecorder }, { controllerMetrics }, { startController }] = await Promise.all([
    import('../../shell/kube/rest.js'),
    import('../../shell/obs/log.js'),
    import('../../shell/kube/events.js'),
    import('../../shell/controller/metrics.js'),
    import('../../shell/controller/controller.js'),
  ])
  phase('controller modules imported')
  const rest = await restClient(loadKubeConfig(kubeconfig))
  phase('kubeconfig loaded, REST client made')
  let passes = 0
  const log = jsonLogger('debug', (line) => {
    if (line.includes('"event":"reconciled"')) passes++
  })
  const metrics = controllerMetrics()
  const controller = startController({ rest, log, metrics, events: eventRecorder(rest, 'metallb-controller', 'memory', log), namespace, loadBalancerClass: undefined, isLeader: () => true })
  await until('caches synced', controller.ready, 600_000)
  phase('caches synced')
  await until('first pass', () => passes > 0, 600_000)
  phase('first pass done')
  await controller.idle()
  phase('idle', { passes })
  ;(globalThis as { gc?: () => void }).gc?.()
  phase('after a full GC', { spaces: Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, mib(s.space_used_size)])) })
  await controller.stop()
  rest.close()
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})

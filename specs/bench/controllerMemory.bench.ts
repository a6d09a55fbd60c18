// Where IronLB's controller memory goes (issue 12, part 4): a fresh API server with IronLB's CRDs and `size`
// LoadBalancer Services already there (cold start, as after an upgrade), then controllerMemoryChild.ts run
// against it, which prints process.memoryUsage() at each phase of its start. Extra node flags for the child
// (e.g. --max-semi-space-size=1) come after the size, to measure what they change.
//
//   node dist/specs/bench/controllerMemory.bench.js [SIZE] [NODE_FLAG ...]      default 5000
import { spawnSync } from 'node:child_process'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { startControlPlane } from '../support/controlPlane.js'
import { ensureCrds } from '../support/crds.js'
import { apply, create, testRest } from '../support/kube.js'
import { repoRoot } from '../support/repoRoot.js'
import { BENCH_NAMESPACE, BENCH_POOL, createWave } from './serviceWave.js'

const main = async (): Promise<void> => {
  const size = Number(process.argv[2] ?? 5000)
  const flags = process.argv.slice(3)
  const cp = await startControlPlane()
  try {
    await ensureCrds(cp.kubeconfigPath)
    const rest = await testRest(cp.kubeconfigPath)
    await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'metallb-system' } })
    await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: BENCH_NAMESPACE } })
    await apply(rest, BENCH_POOL as never)
    await createWave(rest, 0, size)
    rest.close()
    console.log(`${size} Services created; controller child with ${flags.join(' ') || 'no extra flags'}, load ${loadavg()[0]?.toFixed(1)}`)
    const child = join(repoRoot, 'dist', 'specs', 'bench', 'controllerMemoryChild.js')
    const { NODE_OPTIONS: _runnerHooks, ...env } = process.env
    const r = spawnSync(process.execPath, ['--expose-gc', ...flags, child, cp.kubeconfigPath, 'metallb-system'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 900_000 })
    process.stdout.write(r.stdout)
    console.log(`child exit ${r.status ?? r.signal}, load ${loadavg()[0]?.toFixed(1)}`)
  } finally {
    await cp.stop()
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})

// `ironlb simulate` on large multi-document files: 5,000, 20,000 and 191,000 Service documents in one
// file (191,000 of these is ~50 MB, the size that used to be killed after 300 s at 3.1 GB), each run in
// a fresh process (simulateChild.ts): wall time of the whole command (read, parse, decode, plan,
// render), its CPU time, and that process's peak RSS. Targets on the 2-core machine (issue 8): 50 MB in under 30 s
// and 1.5 GB. Prints figures; asserts nothing.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const child = fileURLToPath(new URL('./simulateChild.js', import.meta.url))

const POOL = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: bench
  namespace: metallb-system
spec:
  addresses:
  - 10.0.0.0/8
`

/** ~260 bytes, as a Service exported from a cluster and trimmed would be. */
const service = (i: number): string => `---
apiVersion: v1
kind: Service
metadata:
  name: svc-${String(i).padStart(6, '0')}
  namespace: team-${i % 8}
  labels: {app: svc-${i}, tier: web}
  creationTimestamp: "2026-01-01T00:00:00Z"
spec:
  type: LoadBalancer
  selector: {app: svc-${i}}
  ports:
  - {name: http, port: 80, protocol: TCP}
`

interface ChildResult {
  readonly ms: number
  readonly cpuMs: number
  readonly maxRssKiB: number
  readonly code: number
  readonly outBytes: number
  readonly err: string
}

export async function benchSimulate(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-bench-sim-'))
  try {
    for (const n of [5_000, 20_000, 191_000]) {
      const file = join(dir, `services-${n}.yaml`)
      const parts = [POOL]
      for (let i = 0; i < n; i++) parts.push(service(i))
      writeFileSync(file, parts.join(''))
      const size = statSync(file).size
      // Bounded: a run that would miss the 30 s target thirtyfold is stopped and reported as such.
      const run = spawnSync(process.execPath, [child, file], { encoding: 'utf8', timeout: 900_000, maxBuffer: 1 << 20 })
      if (run.status !== 0 || run.stdout.trim() === '') {
        console.log(`${n} documents (${(size / 1e6).toFixed(1)} MB): FAILED (status ${run.status}, signal ${run.signal}) ${run.stderr.slice(0, 500)}`)
        continue
      }
      const r = JSON.parse(run.stdout) as ChildResult
      console.log(
        `${String(n).padStart(7)} Service documents (${(size / 1e6).toFixed(1)} MB): ${(r.ms / 1000).toFixed(1)} s (CPU ${(r.cpuMs / 1000).toFixed(1)} s), peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB, exit ${r.code}${r.err === '' ? '' : `, stderr: ${r.err}`}`,
      )
      rmSync(file)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// Creates many Services fast for specs/bench/bgp.bench.ts, run inside the lab's infra namespace (where the
// API server is reachable): POSTs straight to the API server, a fixed number in flight, not kubectl (one
// kubectl create of 10,000 objects POSTs them one at a time: ~6 a second at load 15). A create that
// fails is retried (bounded); one already there (409) counts as created. JSON lines on stdout.
//
//   node createServicesMain.js KUBECONFIG SERVICES.json IN_FLIGHT DEADLINE_S
// It starts no create after DEADLINE_S, and says how long the POSTs took and what the server answered.
import { readFileSync } from 'node:fs'
import { request } from 'node:https'
import { loadTarget, type KubeTarget } from '../../shell/lab/kubeHttp.js'

const TRIES = 5
const TIMEOUT_MS = 30_000

const emit = (event: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(event)}\n`)

const post = (t: KubeTarget, path: string, body: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const req = request(
      `${t.server}${path}`,
      { method: 'POST', ca: t.ca, headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json', accept: 'application/json' }, timeout: TIMEOUT_MS },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end(body)
  })

type Svc = { metadata: { name: string; namespace: string } }

const latencies: number[] = []
const answers = new Map<number, number>()

const createOne = async (t: KubeTarget, s: Svc): Promise<boolean> => {
  for (let i = 0; i < TRIES; i++) {
    const sent = Date.now()
    const status = await post(t, `/api/v1/namespaces/${s.metadata.namespace}/services`, JSON.stringify(s)).catch(() => 0)
    latencies.push(Date.now() - sent)
    answers.set(status, (answers.get(status) ?? 0) + 1)
    if (status === 201 || status === 409) return true
    await new Promise((r) => setTimeout(r, 200 * (i + 1)))
  }
  return false
}

const main = async (): Promise<void> => {
  const [kubeconfig, file, inFlight, deadlineS] = process.argv.slice(2)
  if (kubeconfig === undefined || file === undefined || inFlight === undefined || deadlineS === undefined) throw new Error('usage: createServicesMain KUBECONFIG SERVICES.json IN_FLIGHT DEADLINE_S')
  const t = loadTarget(kubeconfig)
  const services = JSON.parse(readFileSync(file, 'utf8')) as Svc[]
  const t0 = Date.now()
  let next = 0
  let created = 0
  let failed = 0
  const worker = async (): Promise<void> => {
    while (next < services.length && Date.now() - t0 < Number(deadlineS) * 1000) {
      const s = services[next++]
      if (s === undefined) return
      if (await createOne(t, s)) created++
      else failed++
      if ((created + failed) % 1_000 === 0) emit({ event: 'progress', created, failed, ms: Date.now() - t0 })
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Number(inFlight)) }, worker))
  const sorted = [...latencies].sort((a, b) => a - b)
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
  emit({ event: 'done', created, failed, ms: Date.now() - t0, postMs: { median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] }, answers: Object.fromEntries(answers) })
}

main().catch((e: unknown) => {
  emit({ event: 'error', error: e instanceof Error ? e.message : String(e) })
  process.exit(1)
})

// Where the lab's kube-apiserver spends a window, from its own /metrics read twice: the requests it
// answered by verb and resource (who writes how much per Service created), their mean latency, the
// time they queued in API Priority and Fairness by priority level, and etcd's mean latency by
// operation. For the BGP bench's 10,000-Service part (specs/bench/bgp.bench.ts).
import type { Lab } from './lab.js'

/** Sum or count per series, keyed "metric{label=value,...}" with only the labels kept below. */
type Scrape = ReadonlyMap<string, number>

const KEPT: Readonly<Record<string, readonly string[]>> = {
  apiserver_request_total: ['verb', 'resource', 'subresource'],
  apiserver_request_duration_seconds_sum: ['verb', 'resource', 'subresource'],
  apiserver_request_duration_seconds_count: ['verb', 'resource', 'subresource'],
  apiserver_flowcontrol_request_wait_duration_seconds_sum: ['priority_level'],
  apiserver_flowcontrol_request_wait_duration_seconds_count: ['priority_level'],
  etcd_request_duration_seconds_sum: ['operation', 'type'],
  etcd_request_duration_seconds_count: ['operation', 'type'],
}

const LINE = /^([a-z_:]+)(?:\{(.*)\})? ([0-9.eE+-]+|NaN|\+Inf)$/
const LABEL = /([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g

/** The series of the metrics above, their labels narrowed (series that differ only in others are added up). */
export const parseApiMetrics = (text: string): Map<string, number> => {
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    const m = LINE.exec(line)
    const keep = m === null ? undefined : KEPT[m[1] ?? '']
    if (m === null || keep === undefined) continue
    const labels = new Map([...(m[2] ?? '').matchAll(LABEL)].map((l) => [l[1] ?? '', l[2] ?? ''] as const))
    const key = `${m[1]}{${keep.map((k) => `${k}=${labels.get(k) ?? ''}`).join(',')}}`
    out.set(key, (out.get(key) ?? 0) + Number(m[3]))
  }
  return out
}

export const scrapeApiServer = async (lab: Lab): Promise<Scrape> => {
  const r = await lab.kubectl(['get', '--raw', '/metrics'], { timeoutMs: 30_000 })
  if (r.code !== 0) throw new Error(`kubectl get --raw /metrics: ${r.stderr.trim().slice(0, 300)}`)
  return parseApiMetrics(r.stdout)
}

const delta = (a: Scrape, b: Scrape, prefix: string): Map<string, number> =>
  new Map([...b].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v - (a.get(k) ?? 0)] as const))

const labelsOf = (key: string): string => key.replace(/^\{|\}$/g, '').split(',').filter((l) => !l.endsWith('=')).map((l) => l.split('=')[1]).join(' ')

/** Lines saying what the server did between the scrapes: requests per `per` (e.g. Services created), latencies, queueing. */
export const describeApiWindow = (a: Scrape, b: Scrape, per: number, seconds: number): string[] => {
  const counts = [...delta(a, b, 'apiserver_request_total')].filter(([, n]) => n > 0).sort((x, y) => y[1] - x[1])
  const sums = delta(a, b, 'apiserver_request_duration_seconds_sum')
  const mean = (sum: number | undefined, n: number): string => `${Math.round((1000 * (sum ?? NaN)) / n)} ms`
  const requests = counts.reduce((s, [, n]) => s + n, 0)
  const lines = [`API server: ${requests} requests in ${seconds.toFixed(0)} s (${(requests / seconds).toFixed(1)}/s), ${(requests / Math.max(1, per)).toFixed(1)} per Service created; by verb and resource (count, per Service, mean latency):`]
  for (const [k, n] of counts.slice(0, 14)) lines.push(`  ${labelsOf(k)}: ${n}, ${(n / Math.max(1, per)).toFixed(2)}, ${mean(sums.get(k), n)}`)
  const waits = delta(a, b, 'apiserver_flowcontrol_request_wait_duration_seconds_sum')
  const waited = [...delta(a, b, 'apiserver_flowcontrol_request_wait_duration_seconds_count')].filter(([, n]) => n > 0)
  lines.push(`  queued in priority and fairness (level: requests, mean wait): ${waited.map(([k, n]) => `${labelsOf(k)} ${n}, ${mean(waits.get(k), n)}`).join('; ')}`)
  const etcdSums = delta(a, b, 'etcd_request_duration_seconds_sum')
  const etcd = [...delta(a, b, 'etcd_request_duration_seconds_count')].filter(([, n]) => n > 0).sort((x, y) => y[1] - x[1])
  lines.push(`  etcd (operation type: requests, mean latency): ${etcd.slice(0, 8).map(([k, n]) => `${labelsOf(k)} ${n}, ${mean(etcdSums.get(k), n)}`).join('; ')}`)
  return lines
}

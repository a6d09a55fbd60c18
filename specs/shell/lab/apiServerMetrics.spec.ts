// The lab API server's /metrics as the BGP bench reads them: only the kept metrics, their labels
// narrowed (series differing in other labels added up), and the window between two scrapes.
import t from 'tap'
import { describeApiWindow, parseApiMetrics } from '../../../shell/lab/apiServerMetrics.js'

const scrape = (posts: number, patches: number, postSeconds: number): string =>
  [
    '# HELP apiserver_request_total Counter of apiserver requests',
    '# TYPE apiserver_request_total counter',
    `apiserver_request_total{code="201",component="apiserver",dry_run="",group="",resource="services",scope="resource",subresource="",verb="POST",version="v1"} ${posts}`,
    `apiserver_request_total{code="409",component="apiserver",dry_run="",group="",resource="services",scope="resource",subresource="",verb="POST",version="v1"} 1`,
    `apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="services",scope="resource",subresource="status",verb="PATCH",version="v1"} ${patches}`,
    `apiserver_request_duration_seconds_sum{component="apiserver",dry_run="",group="",resource="services",scope="resource",subresource="",verb="POST",version="v1"} ${postSeconds}`,
    `apiserver_request_duration_seconds_count{component="apiserver",dry_run="",group="",resource="services",scope="resource",subresource="",verb="POST",version="v1"} ${posts + 1}`,
    `apiserver_request_duration_seconds_bucket{component="apiserver",le="0.005",resource="services",verb="POST"} 3`,
    'etcd_request_duration_seconds_count{operation="create",type="/registry/services/specs"} 7',
    'process_cpu_seconds_total 12.5',
  ].join('\n')

t.test('kept series only, labels narrowed and added up', async (t) => {
  const m = parseApiMetrics(scrape(10, 4, 2))
  t.equal(m.get('apiserver_request_total{verb=POST,resource=services,subresource=}'), 11, '201 and 409 added up')
  t.equal(m.get('apiserver_request_total{verb=PATCH,resource=services,subresource=status}'), 4)
  t.equal(m.get('etcd_request_duration_seconds_count{operation=create,type=/registry/services/specs}'), 7)
  t.notOk([...m.keys()].some((k) => k.includes('bucket') || k.startsWith('process_')), 'buckets and other metrics left out')
})

t.test('the window: requests per Service and mean latency from the differences', async (t) => {
  const lines = describeApiWindow(parseApiMetrics(scrape(10, 4, 2)), parseApiMetrics(scrape(30, 24, 12)), 20, 10)
  t.match(lines[0], /40 requests in 10 s \(4\.0\/s\), 2\.0 per Service created/)
  t.ok(lines.includes('  POST services: 20, 1.00, 500 ms'), '10 s over 20 POSTs')
  t.ok(lines.includes('  PATCH services status: 20, 1.00, NaN ms'), 'no duration series for it: said so')
})

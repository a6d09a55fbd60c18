// The pass's Service writes: an interim release, which only lets go of the IPs another Service takes,
// keeps what others set beside the IPs that stay (ipMode, ports), as the full write does.
import t from 'tap'
import { planServiceWrites } from '../../../core/controller/servicePlan.js'
import { POOL_ANNOTATION, type Verdict } from '../../../core/controller/serviceStatus.js'
import type { ServiceShown } from '../../../core/model/serviceShown.js'

const NOW = '2026-12-03T06:00:00Z'

const mkShown = (name: string, over: Partial<ServiceShown> = {}): ServiceShown => ({
  key: `apps/${name}`,
  namespace: 'apps',
  name,
  uid: `uid-${name}`,
  resourceVersion: '1',
  ingressIPs: [],
  annotations: {},
  conditions: [],
  ...over,
})

t.test('an interim release keeps the ipMode and ports of the entry that stays', async (t) => {
  const ports = [{ port: 443, protocol: 'TCP' }]
  // a moves its IPv4 address to b and keeps its IPv6 one; its new IPv4 address comes after b's write.
  const a = mkShown('a', {
    ingressIPs: ['203.0.113.1', '2001:db8::1'],
    ingressExtras: { '203.0.113.1': { ipMode: 'Proxy' }, '2001:db8::1': { ipMode: 'Proxy', ports } },
    annotations: { [POOL_ANNOTATION]: 'p' },
  })
  const b = mkShown('b')
  const verdicts = new Map<string, Verdict>([
    ['apps/a', { _tag: 'Assigned', ips: ['203.0.113.2', '2001:db8::1'], pool: 'p' }],
    ['apps/b', { _tag: 'Assigned', ips: ['203.0.113.1'], pool: 'p' }],
  ])
  const plan = planServiceWrites([a, b], verdicts, NOW)
  t.same(
    plan.releases.map((r) => [r.target.key, r.interim, r.write.status?.loadBalancer.ingress]),
    [['apps/a', true, [{ ip: '2001:db8::1', ipMode: 'Proxy', ports }]]],
    'a lets go of 203.0.113.1 first; its IPv6 entry keeps what it had',
  )
  t.same(plan.acquisitions.map((q) => q.planned.key).sort(), ['apps/a', 'apps/b'])
})

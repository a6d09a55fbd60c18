import t from 'tap'
import { oneLineJson, renderJson, sortReport } from '../../../core/simulate/report.js'

t.test('the JSON form reads like the contract', async (t) => {
  const report = sortReport({
    services: [
      { namespace: 'default', name: 'web', status: 'assigned', ips: ['192.168.10.0'], pool: 'first-pool', reason: null, message: null },
      { namespace: 'default', name: 'db', status: 'pending', ips: [], pool: null, reason: 'NoAvailableIPs', message: 'no available IPs in pool first-pool' },
    ],
    pools: [{ name: 'first-pool', assignedIPv4: 1, assignedIPv6: 0, availableIPv4: 255, availableIPv6: 0 }],
    errors: [],
  })
  const want = [
    '{',
    '  "services": [',
    '    {"namespace": "default", "name": "db", "status": "pending", "ips": [], "pool": null, "reason": "NoAvailableIPs", "message": "no available IPs in pool first-pool"},',
    '    {"namespace": "default", "name": "web", "status": "assigned", "ips": ["192.168.10.0"], "pool": "first-pool", "reason": null, "message": null}',
    '  ],',
    '  "pools": [',
    '    {"name": "first-pool", "assignedIPv4": 1, "assignedIPv6": 0, "availableIPv4": 255, "availableIPv6": 0}',
    '  ],',
    '  "errors": []',
    '}',
    '',
  ].join('\n')
  t.equal(renderJson(report), want)
  t.same(JSON.parse(renderJson(report)), report, 'it is JSON that parses back to the report')
})

t.test('one-line JSON escapes like JSON', async (t) => {
  t.equal(oneLineJson({ a: 'x"y', b: [1, null] }), '{"a": "x\\"y", "b": [1, null]}')
})

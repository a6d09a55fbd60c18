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
    announcements: [
      { service: 'default/web', ip: 'fc00::1', protocol: 'layer2', node: 'node2', interfaces: ['*'] },
      { service: 'default/web', ip: '192.168.10.10', protocol: 'layer2', node: 'node2', interfaces: ['*'] },
      { service: 'default/db', ip: '192.168.10.9', protocol: 'layer2', node: 'node1', interfaces: ['eth0', 'eth1'] },
    ],
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
    '  "errors": [],',
    '  "announcements": [',
    '    {"service": "default/db", "ip": "192.168.10.9", "protocol": "layer2", "node": "node1", "interfaces": ["eth0", "eth1"]},',
    '    {"service": "default/web", "ip": "192.168.10.10", "protocol": "layer2", "node": "node2", "interfaces": ["*"]},',
    '    {"service": "default/web", "ip": "fc00::1", "protocol": "layer2", "node": "node2", "interfaces": ["*"]}',
    '  ]',
    '}',
    '',
  ].join('\n')
  t.equal(renderJson(report), want, 'announcements by service, then address (IPv4 first, 192.168.10.9 before .10)')
  t.same(JSON.parse(renderJson(report)), report, 'it is JSON that parses back to the report')
})

t.test('one-line JSON escapes like JSON', async (t) => {
  t.equal(oneLineJson({ a: 'x"y', b: [1, null] }), '{"a": "x\\"y", "b": [1, null]}')
})

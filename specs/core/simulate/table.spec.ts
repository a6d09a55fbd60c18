import t from 'tap'
import { renderTable } from '../../../core/simulate/table.js'
import type { SimulationReport } from '../../../core/simulate/report.js'

const report = (name: string, pool: string): SimulationReport => ({
  services: [{ namespace: 'default', name, status: 'assigned', ips: ['192.0.2.1'], pool, reason: null, message: null }],
  pools: [{ name: pool, assignedIPv4: 1, assignedIPv6: 0, availableIPv4: 3, availableIPv6: 0 }],
  errors: [],
  announcements: [],
})

t.test('a name cannot forge a row or reach the terminal raw', async (t) => {
  const out = renderTable(report('web\ndefault     db   assigned', 'p\u001b[2Jool'))
  t.same(
    out.split('\n').filter((l) => l.startsWith('default')),
    ['default     web\\ndefault     db   assigned   assigned   192.0.2.1   p\\x1b[2Jool   -'],
    'one row for the one Service, its name escaped',
  )
  t.notMatch(out, /\u001b/, 'no escape character')
  t.match(out, /^p\\x1b\[2Jool {3}1/m, 'the pool table escapes too')
})

t.test('columns align on the escaped text', async (t) => {
  const out = renderTable(report('a\tb', 'pool'))
  const [header, row] = out.split('\n')
  t.equal(header?.indexOf('STATUS'), row?.indexOf('assigned'), 'STATUS lines up with the status')
})

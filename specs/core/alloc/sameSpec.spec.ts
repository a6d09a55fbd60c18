// Telling a status write from a real change.
import t from 'tap'
import { sameExceptIngress, sameService } from '../../../core/alloc/sameSpec.js'
import { ip, mkService } from './mk.js'

t.test('sameExceptIngress and sameService', async (t) => {
  const base = mkService('web', { holds: ['192.0.2.1'], labels: { app: 'web' }, want: ['192.0.2.1'] })
  const cases = [
    { desc: 'a copy', in: { ...base, labels: { app: 'web' } }, want: [true, true] },
    { desc: 'only the status differs', in: { ...base, ingressIPs: [ip('192.0.2.9')] }, want: [true, false] },
    { desc: 'a label differs', in: { ...base, labels: { app: 'api' } }, want: [false, false] },
    { desc: 'the requested IP differs', in: { ...base, request: { _tag: 'Specific' as const, ips: [ip('192.0.2.2')] } }, want: [false, false] },
    { desc: 'a port differs', in: { ...base, ports: [{ protocol: 'UDP' as const, port: 80 }] }, want: [false, false] },
    { desc: 'a field only one side has', in: { ...base, extra: 'x' }, want: [false, false] },
  ]
  for (const c of cases) t.same([sameExceptIngress(base, c.in), sameService(base, c.in)], c.want, c.desc)
})

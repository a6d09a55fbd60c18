// This node's ServiceL2Status objects as the caches hold them: the Service from the status or, before
// the first status write, from the labels; a malformed field costs only itself; nothing throws.
import t from 'tap'
import fc from 'fast-check'
import { decodeL2Status, decodeL2Statuses } from '../../../core/speaker/l2StatusCodec.js'
import { rawStatus } from './mk.js'

t.test('examples', async (t) => {
  const labelsOnly = { metadata: { name: 'l2-b', labels: { 'metallb.io/service-name': 'db', 'metallb.io/service-namespace': 'shop' } } }
  const rows = [
    { desc: 'a written status', in: rawStatus('l2-a', 'web', ['eth1', 'eth0']), want: { name: 'l2-a', serviceName: 'web', serviceNamespace: 'default', interfaces: ['eth1', 'eth0'] } },
    { desc: 'created, status not patched yet: the labels name the Service', in: labelsOnly, want: { name: 'l2-b', serviceName: 'db', serviceNamespace: 'shop', interfaces: [] } },
    { desc: 'interfaces not a list: read as none, so the diff rewrites them', in: { ...labelsOnly, status: { serviceName: 'db', serviceNamespace: 'shop', interfaces: 'eth0' } }, want: { name: 'l2-b', serviceName: 'db', serviceNamespace: 'shop', interfaces: [] } },
    { desc: 'an unnamed interface is dropped', in: { ...labelsOnly, status: { interfaces: [{ name: 'eth0' }, {}, { name: 7 }] } }, want: { name: 'l2-b', serviceName: 'db', serviceNamespace: 'shop', interfaces: ['eth0'] } },
    { desc: 'a status field of the wrong type falls back to the label', in: { ...labelsOnly, status: { serviceName: 3 } }, want: { name: 'l2-b', serviceName: 'db', serviceNamespace: 'shop', interfaces: [] } },
    { desc: 'no Service named anywhere: skipped', in: { metadata: { name: 'l2-c' } }, want: undefined },
    { desc: 'no name: skipped', in: { metadata: { labels: labelsOnly.metadata.labels } }, want: undefined },
    { desc: 'not an object', in: 'l2-d', want: undefined },
  ]
  for (const r of rows) t.same(decodeL2Status(r.in), r.want, r.desc)
  t.same(decodeL2Statuses(rows.map((r) => r.in)).map((s) => s.name), ['l2-a', 'l2-b', 'l2-b', 'l2-b', 'l2-b'])
})

t.test('any JSON decodes without throwing', async (t) => {
  fc.assert(fc.property(fc.array(fc.jsonValue()), (xs) => Array.isArray(decodeL2Statuses(xs))))
  fc.assert(fc.property(fc.record({ metadata: fc.record({ name: fc.string(), labels: fc.dictionary(fc.string(), fc.jsonValue()) }), status: fc.jsonValue() }), (o) => decodeL2Statuses([o]).length <= 1))
  t.pass('no throw')
})

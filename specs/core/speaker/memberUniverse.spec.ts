import t from 'tap'
import fc from 'fast-check'
import { memberUniverse } from '../../../core/speaker/memberUniverse.js'

const node = (name: string, addresses: { type: string; address: string }[]) => ({ metadata: { name }, status: { addresses } })

t.test('members from Nodes', async (t) => {
  const nodes = [
    node('b', [{ type: 'InternalIP', address: '2001:db8::2' }, { type: 'InternalIP', address: '198.51.100.12' }]),
    node('a', [{ type: 'Hostname', address: 'a' }, { type: 'InternalIP', address: '198.51.100.11' }]),
    node('c', [{ type: 'ExternalIP', address: '203.0.113.9' }]),
    { metadata: {} },
  ]
  t.same(memberUniverse(nodes), [
    { name: 'a', host: '198.51.100.11' },
    { name: 'b', host: '198.51.100.12' },
  ])
  t.same(memberUniverse(nodes, 6)[1], { name: 'b', host: '2001:db8::2' }, 'IPv6 when preferred')
  t.same(memberUniverse([node('v6only', [{ type: 'InternalIP', address: '2001:db8::7' }])]), [{ name: 'v6only', host: '2001:db8::7' }], 'falls back to the other family')
  fc.assert(fc.property(fc.array(fc.jsonValue()), (xs) => Array.isArray(memberUniverse(xs))))
})

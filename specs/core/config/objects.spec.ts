import t from 'tap'
import { classifyObject, dropNulls } from '../../../core/config/objects.js'
import { NS, build, configOf, lines, mkL2, mkPool } from './mk.js'

const tagOf = (u: unknown): string => classifyObject(u, 0, NS)._tag

const rows: ReadonlyArray<{ desc: string; in: unknown; want: string }> = [
  { desc: 'not an object', in: 'IPAddressPool', want: 'Ignored' },
  { desc: 'null', in: null, want: 'Ignored' },
  { desc: 'no kind', in: { apiVersion: 'metallb.io/v1beta1' }, want: 'Ignored' },
  { desc: 'a Service', in: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } }, want: 'Ignored' },
  { desc: 'another group with a MetalLB kind name', in: { apiVersion: 'example.com/v1', kind: 'IPAddressPool', metadata: { name: 'p' } }, want: 'Ignored' },
  { desc: 'a MetalLB status kind', in: { apiVersion: 'metallb.io/v1beta1', kind: 'ServiceL2Status', metadata: { name: 's' } }, want: 'Ignored' },
  { desc: 'another namespace, even if broken', in: { ...mkPool('p', ['x']), metadata: { name: 'p', namespace: 'other' } }, want: 'Ignored' },
  { desc: 'a pool', in: mkPool('p', ['10.0.0.0/24']), want: 'Decoded' },
  { desc: 'no namespace means this one', in: { ...mkPool('p', ['10.0.0.0/24']), metadata: { name: 'p' } }, want: 'Decoded' },
  { desc: 'an unserved version', in: { ...mkPool('p', ['10.0.0.0/24']), apiVersion: 'metallb.io/v1alpha1' }, want: 'Broken' },
  { desc: 'the removed AddressPool kind', in: { apiVersion: 'metallb.io/v1beta1', kind: 'AddressPool', metadata: { name: 'old' } }, want: 'Broken' },
  { desc: 'BGPPeer v1beta1', in: { apiVersion: 'metallb.io/v1beta1', kind: 'BGPPeer', metadata: { name: 'p' }, spec: { myASN: 1, peerASN: 2, peerAddress: '192.0.2.1' } }, want: 'Decoded' },
  { desc: 'BGPPeer v1beta3', in: { apiVersion: 'metallb.io/v1beta3', kind: 'BGPPeer', metadata: { name: 'p' }, spec: {} }, want: 'Broken' },
  { desc: 'a pool without spec', in: { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'p' } }, want: 'Broken' },
  { desc: 'an L2Advertisement without spec', in: mkL2('l2'), want: 'Decoded' },
  { desc: 'an empty name', in: { ...mkPool('p', ['10.0.0.0/24']), metadata: { name: '' } }, want: 'Broken' },
]

t.test('which objects are configuration', async (t) => {
  for (const row of rows) t.equal(tagOf(row.in), row.want, row.desc)
})

t.test('messages for objects that are configuration but cannot be read', async (t) => {
  t.same(lines(build([{ ...mkPool('p', ['10.0.0.0/24']), apiVersion: 'metallb.io/v1alpha1' }])), [
    'IPAddressPool/p apiVersion: metallb.io/v1alpha1 is not a served version of IPAddressPool: use metallb.io/v1beta1',
  ])
  t.same(lines(build([{ apiVersion: 'metallb.io/v1beta1', kind: 'AddressPool', metadata: { name: 'old' } }])), [
    'AddressPool/old kind: AddressPool is no longer supported by MetalLB: use an IPAddressPool with an L2Advertisement or BGPAdvertisement',
  ])
  t.same(lines(build([{ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: {}, spec: { addresses: ['10.0.0.0/24'] } }])), [
    'IPAddressPool/(unnamed object #1) metadata.name: is missing (expected a string)',
  ])
  t.same(lines(build([{ ...mkPool('p', ['10.0.0.0/24']), metadata: { name: '' } }])), [
    'IPAddressPool/(unnamed object #1) metadata.name: a name is required',
  ])
})

t.test('null fields count as unset, as after API server pruning', async (t) => {
  t.same(dropNulls({ a: null, b: { c: null, d: 1 }, e: [null, { f: null }] }), { b: { d: 1 }, e: [null, {}] })
  const config = configOf(build([mkPool('p', ['10.0.0.0/24'], { autoAssign: null }), mkL2('l2', { ipAddressPools: null, interfaces: null })]))
  t.equal(config?.pools.get('p' as never)?.autoAssign, true)
  t.same(config?.l2Advertisements[0]?.pools, ['p'])
})

t.test('unknown fields are ignored', async (t) => {
  const r = build([mkPool('p', ['10.0.0.0/24'], { futureField: { x: 1 } }), { ...mkL2('l2', {}), status: { anything: true } }])
  t.equal(r._tag, 'Valid')
})

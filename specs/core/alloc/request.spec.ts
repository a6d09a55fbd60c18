// Requested IPs and pinned pools (MetalLB's allocateIPs, Assign, AllocateFromPool): they ignore
// autoAssign but not serviceAllocation; a requested IP must be in a pool, in the pinned pool when both
// are given, free or shareable; unreadable requests stay pending with the reason.
import t from 'tap'
import { mkAllocation, mkPool, mkService } from './mk.js'
import { type Row, runTable } from './table.js'

const cheap = mkPool('cheap', ['192.0.2.0/30'])
const expensive = mkPool('expensive', ['198.51.100.0/30'], { autoAssign: false })
const dual = mkPool('dual', ['203.0.113.0/30', '2001:db8::/126'])
const teamOnly = mkPool('team-only', ['203.0.113.8/30'], { serviceAllocation: mkAllocation({ namespaces: ['team'] }) })

const rows: Row[] = [
  {
    desc: 'a requested IP is honoured, even from an autoAssign false pool',
    in: { pools: [cheap, expensive], services: [mkService('s', { want: ['198.51.100.2'] })] },
    want: { s: '198.51.100.2@expensive' },
  },
  {
    desc: 'a requested IP outside every pool',
    in: { pools: [cheap], services: [mkService('s', { want: ['10.9.9.9'] })] },
    want: { s: 'Pending:RequestedIPNotInAnyPool' },
    says: { s: '10.9.9.9' },
  },
  {
    desc: 'a requested IP in use by a Service that does not share',
    in: { pools: [cheap], services: [mkService('old', { holds: ['192.0.2.1'] }), mkService('new', { want: ['192.0.2.1'] })] },
    want: { old: '192.0.2.1@cheap', new: 'Pending:RequestedIPInUse' },
    says: { new: 'default/old' },
  },
  {
    desc: 'the unreadable request (decoder message passed through)',
    in: { pools: [cheap], services: [mkService('s', { invalid: 'service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP' })] },
    want: { s: 'Pending:InvalidIPRequest' },
    says: { s: 'can not have both' },
  },
  {
    desc: 'two IPs of one family',
    in: { pools: [cheap], services: [mkService('s', { want: ['192.0.2.1', '192.0.2.2'], ipFamilies: [4, 6], ipFamilyPolicy: 'RequireDualStack' })] },
    want: { s: 'Pending:InvalidIPRequest' },
  },
  {
    desc: 'a request of another family than the Service',
    in: { pools: [dual], services: [mkService('s', { want: ['2001:db8::1'] })] },
    want: { s: 'Pending:RequestedIPFamilyMismatch' },
  },
  {
    desc: 'a dual-stack request from one pool',
    in: { pools: [dual], services: [mkService('s', { want: ['2001:db8::2', '203.0.113.1'], ipFamilies: [6, 4], ipFamilyPolicy: 'RequireDualStack' })] },
    want: { s: '203.0.113.1,2001:db8::2@dual' },
  },
  {
    desc: 'a dual-stack request across two pools',
    in: {
      pools: [cheap, mkPool('six', ['2001:db8:9::/126'])],
      services: [mkService('s', { want: ['192.0.2.1', '2001:db8:9::1'], ipFamilies: [4, 6], ipFamilyPolicy: 'PreferDualStack' })],
    },
    want: { s: 'Pending:RequestedIPsInDifferentPools' },
  },
  {
    desc: 'a requested IP and the pinned pool agree',
    in: { pools: [cheap, expensive], services: [mkService('s', { want: ['198.51.100.1'], pool: 'expensive' })] },
    want: { s: '198.51.100.1@expensive' },
  },
  {
    desc: 'a requested IP outside the pinned pool',
    in: { pools: [cheap, expensive], services: [mkService('s', { want: ['192.0.2.1'], pool: 'expensive' })] },
    want: { s: 'Pending:RequestedIPNotInPinnedPool' },
    says: { s: 'expensive' },
  },
  {
    desc: 'a requested IP in a pool whose serviceAllocation refuses the Service',
    in: { pools: [teamOnly], services: [mkService('s', { ns: 'other', want: ['203.0.113.9'] }), mkService('t', { ns: 'team', want: ['203.0.113.9'] })] },
    want: { 'other/s': 'Pending:PoolSelectorMismatch', 'team/t': '203.0.113.9@team-only' },
    says: { 'other/s': 'team-only' },
  },
  {
    desc: 'a pinned pool ignores autoAssign and takes its lowest free address',
    in: { pools: [cheap, expensive], services: [mkService('s', { pool: 'expensive' })] },
    want: { s: '198.51.100.0@expensive' },
  },
  {
    desc: 'a pinned pool that does not exist',
    in: { pools: [cheap], services: [mkService('s', { pool: 'gold' })] },
    want: { s: 'Pending:PoolNotFound' },
    says: { s: 'gold' },
  },
  {
    desc: 'a pinned pool whose serviceAllocation refuses the Service',
    in: { pools: [teamOnly], services: [mkService('s', { ns: 'other', pool: 'team-only' })] },
    want: { 'other/s': 'Pending:PoolSelectorMismatch' },
  },
  {
    desc: 'a pinned pool without the family',
    in: { pools: [cheap], services: [mkService('s', { pool: 'cheap', ipFamilies: [6] })] },
    want: { s: 'Pending:NoPoolForFamily' },
    says: { s: 'cheap' },
  },
  {
    desc: 'a full pinned pool',
    in: { pools: [mkPool('tiny', ['192.0.2.0/32'])], services: [mkService('a', { holds: ['192.0.2.0'] }), mkService('b', { pool: 'tiny' })] },
    want: { b: 'Pending:NoAvailableIPs' },
    says: { b: 'tiny' },
  },
  {
    desc: 'a held IP survives only while it is what the Service asks for',
    in: {
      pools: [cheap, expensive],
      services: [mkService('repinned', { holds: ['192.0.2.3'], pool: 'expensive' }), mkService('rerequested', { holds: ['192.0.2.2'], want: ['192.0.2.1'] })],
    },
    want: { repinned: '198.51.100.0@expensive', rerequested: '192.0.2.1@cheap' },
  },
  {
    desc: 'a held IP from an autoAssign false pool is kept',
    in: { pools: [cheap, expensive], services: [mkService('s', { holds: ['198.51.100.3'] })] },
    want: { s: '198.51.100.3@expensive' },
  },
]

t.test('requested IPs and pinned pools', async (t) => runTable(t, rows))

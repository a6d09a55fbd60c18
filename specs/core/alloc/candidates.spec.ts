// serviceAllocation and automatic pool choice (MetalLB's isPoolCompatibleWithService,
// pinnedPoolsForService, sortPools, Allocate): selected pools first by priority, then general pools;
// autoAssign is needed for both; ties by name.
import t from 'tap'
import { mkAllocation, mkNamespace, mkPool, mkSelector, mkService } from './mk.js'
import { type Row, runTable } from './table.js'

const general = (name: string, cidr: string) => mkPool(name, [cidr])
const scoped = (name: string, cidr: string, over: Parameters<typeof mkAllocation>[0], autoAssign = true) =>
  mkPool(name, [cidr], { serviceAllocation: mkAllocation(over), autoAssign })

const rows: Row[] = [
  {
    desc: 'general pools in name order',
    in: { pools: [general('zeta', '198.51.100.0/30'), general('alpha', '192.0.2.0/30')], services: [mkService('s')] },
    want: { s: '192.0.2.0@alpha' },
  },
  {
    desc: 'a full pool passes to the next',
    in: { pools: [general('alpha', '192.0.2.0/31'), general('beta', '198.51.100.0/30')], services: ['s1', 's2', 's3'].map((n) => mkService(n)) },
    want: { s1: '192.0.2.0@alpha', s2: '192.0.2.1@alpha', s3: '198.51.100.0@beta' },
  },
  {
    desc: 'autoAssign false is never picked automatically',
    in: { pools: [mkPool('expensive', ['192.0.2.0/30'], { autoAssign: false })], services: [mkService('s')] },
    want: { s: 'Pending:NoMatchingPool' },
    says: { s: 'autoAssign' },
  },
  {
    desc: 'no pools at all',
    in: { pools: [], services: [mkService('s')] },
    want: { s: 'Pending:NoMatchingPool' },
    says: { s: 'no address pools' },
  },
  {
    desc: 'a namespace-scoped pool goes before general pools and serves only its namespace',
    in: {
      pools: [general('a-general', '192.0.2.0/30'), scoped('z-team', '198.51.100.0/30', { namespaces: ['team'] })],
      services: [mkService('in', { ns: 'team' }), mkService('out', { ns: 'other' })],
    },
    want: { 'team/in': '198.51.100.0@z-team', 'other/out': '192.0.2.0@a-general' },
  },
  {
    desc: 'namespaceSelectors match the Namespace labels',
    in: {
      pools: [general('a-general', '192.0.2.0/30'), scoped('z-prod', '198.51.100.0/30', { namespaceSelectors: [mkSelector({ env: 'prod' })] })],
      namespaces: [mkNamespace('shop', { env: 'prod' }), mkNamespace('lab', { env: 'dev' })],
      services: [mkService('web', { ns: 'shop' }), mkService('web', { ns: 'lab' })],
    },
    want: { 'shop/web': '198.51.100.0@z-prod', 'lab/web': '192.0.2.0@a-general' },
  },
  {
    desc: 'serviceSelectors match the Service labels; any selector may match',
    in: {
      pools: [general('a-general', '192.0.2.0/30'), scoped('z-edge', '198.51.100.0/30', { serviceSelectors: [mkSelector({ tier: 'edge' }), mkSelector({ tier: 'dmz' })] })],
      services: [mkService('edge', { labels: { tier: 'dmz' } }), mkService('core', { labels: { tier: 'core' } })],
    },
    want: { edge: '198.51.100.0@z-edge', core: '192.0.2.0@a-general' },
  },
  {
    desc: 'namespace and service constraints must both hold',
    in: {
      pools: [general('a-general', '192.0.2.0/30'), scoped('z-both', '198.51.100.0/30', { namespaces: ['team'], serviceSelectors: [mkSelector({ tier: 'edge' })] })],
      services: [mkService('ok', { ns: 'team', labels: { tier: 'edge' } }), mkService('ns-only', { ns: 'team' }), mkService('label-only', { labels: { tier: 'edge' } })],
    },
    want: { 'team/ok': '198.51.100.0@z-both', 'label-only': '192.0.2.0@a-general', 'team/ns-only': '192.0.2.1@a-general' },
  },
  {
    desc: 'lower positive priority first, unset priority last, ties by name',
    in: {
      pools: [
        scoped('p-none', '203.0.113.0/30', { namespaces: ['team'] }),
        scoped('p-ten', '198.51.100.0/30', { namespaces: ['team'], priority: 10 }),
        scoped('p-one-b', '192.0.2.4/30', { namespaces: ['team'], priority: 1 }),
        scoped('p-one-a', '192.0.2.0/30', { namespaces: ['team'], priority: 1 }),
      ],
      services: [mkService('s', { ns: 'team' })],
    },
    want: { 'team/s': '192.0.2.0@p-one-a' },
  },
  {
    desc: 'selected pools full: fall back to the general pools',
    in: {
      pools: [scoped('team', '198.51.100.0/32', { namespaces: ['team'] }), general('shared', '192.0.2.0/30')],
      services: [mkService('a', { ns: 'team', creationTimestamp: '2024-01-01T00:00:00Z' }), mkService('b', { ns: 'team', creationTimestamp: '2024-01-02T00:00:00Z' })],
    },
    want: { 'team/a': '198.51.100.0@team', 'team/b': '192.0.2.0@shared' },
  },
  {
    desc: 'a serviceAllocation pool needs autoAssign to be picked automatically (MetalLB checks both)',
    in: { pools: [scoped('team', '198.51.100.0/30', { namespaces: ['team'] }, false), general('shared', '192.0.2.0/30')], services: [mkService('s', { ns: 'team' })] },
    want: { 'team/s': '192.0.2.0@shared' },
  },
  {
    desc: 'a serviceAllocation pool is never a general fallback',
    in: { pools: [scoped('team', '198.51.100.0/30', { namespaces: ['team'] })], services: [mkService('s', { ns: 'other' })] },
    want: { 'other/s': 'Pending:NoMatchingPool' },
  },
  {
    desc: 'a present but empty serviceAllocation selects every Service, automatically too (MetalLB never picks it)',
    in: { pools: [scoped('open', '198.51.100.0/30', {})], services: [mkService('auto'), mkService('pinned', { pool: 'open' })] },
    want: { auto: '198.51.100.0@open', pinned: '198.51.100.1@open' },
  },
  {
    desc: 'an empty serviceAllocation pool still comes before general pools, by priority',
    in: { pools: [general('a-general', '192.0.2.0/30'), scoped('z-open', '198.51.100.0/30', { priority: 5 })], services: [mkService('s')] },
    want: { s: '198.51.100.0@z-open' },
  },
  {
    desc: 'namespaceSelectors matching no namespace admit nobody (deliberately stricter than MetalLB)',
    in: {
      pools: [scoped('z', '198.51.100.0/30', { namespaceSelectors: [mkSelector({ env: 'prod' })], serviceSelectors: [mkSelector({ app: 'x' })] })],
      services: [mkService('s', { labels: { app: 'x' } })],
    },
    want: { s: 'Pending:NoMatchingPool' },
  },
  {
    desc: 'pools without the family do not count as candidates',
    in: { pools: [general('v4', '192.0.2.0/30')], services: [mkService('six', { ipFamilies: [6] })] },
    want: { six: 'Pending:NoPoolForFamily' },
    says: { six: 'IPv6' },
  },
  {
    desc: 'out of addresses names the pools',
    in: { pools: [general('first-pool', '192.0.2.0/32')], services: [mkService('a', { holds: ['192.0.2.0'] }), mkService('b')] },
    want: { a: '192.0.2.0@first-pool', b: 'Pending:NoAvailableIPs' },
    says: { b: 'no available IPs in pool first-pool' },
  },
]

t.test('automatic pool choice examples', async (t) => runTable(t, rows))

// Which Services are ours: MetalLB's controller clears and skips non-LoadBalancer Services, and
// filters by loadBalancerClass (filterByLoadBalancerClass).
import t from 'tap'
import { mkPool, mkService } from './mk.js'
import { type Row, runTable } from './table.js'

const pools = [mkPool('first-pool', ['192.0.2.0/30'])]

const rows: Row[] = [
  {
    desc: 'only type LoadBalancer is handled',
    in: { pools, services: [mkService('cip', { type: 'ClusterIP' }), mkService('np', { type: 'NodePort' }), mkService('lb')] },
    want: { cip: 'Ignored:NotLoadBalancer', np: 'Ignored:NotLoadBalancer', lb: '192.0.2.0@first-pool' },
    says: { cip: 'ClusterIP' },
  },
  {
    desc: 'a Service that stopped being a LoadBalancer gives its IP back',
    in: { pools, services: [mkService('was', { type: 'ClusterIP', holds: ['192.0.2.0'] }), mkService('next')] },
    want: { was: 'Ignored:NotLoadBalancer', next: '192.0.2.0@first-pool' },
  },
  {
    desc: 'no class configured: only Services without a class',
    in: { pools, services: [mkService('plain'), mkService('classy', { loadBalancerClass: 'other.io/lb' })] },
    want: { plain: '192.0.2.0@first-pool', classy: 'Ignored:OtherLoadBalancerClass' },
    says: { classy: 'other.io/lb' },
  },
  {
    desc: 'a class configured: only Services of exactly that class',
    in: {
      pools,
      loadBalancerClass: 'ironlb.io/lb',
      services: [
        mkService('mine', { loadBalancerClass: 'ironlb.io/lb' }),
        mkService('plain'),
        mkService('theirs', { loadBalancerClass: 'other.io/lb' }),
      ],
    },
    want: { mine: '192.0.2.0@first-pool', plain: 'Ignored:OtherLoadBalancerClass', theirs: 'Ignored:OtherLoadBalancerClass' },
    says: { plain: 'ironlb.io/lb', theirs: 'other.io/lb' },
  },
]

t.test('eligibility examples', async (t) => runTable(t, rows))

import t from 'tap'
import { decodeClusterObjects } from '../../../core/cluster/decodeCluster.js'

t.test('nodes', async (t) => {
  const r = decodeClusterObjects([
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2', labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } } },
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1', labels: { rack: '1' } },
      status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'NetworkUnavailable', status: 'True' }] },
    },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n3' }, status: { conditions: [{ type: 'NetworkUnavailable', status: 'False' }] } },
  ])
  t.same(r.nodes, [
    { name: 'n1', labels: { rack: '1' }, networkUnavailable: true, excludedFromLoadBalancers: false },
    { name: 'n2', labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' }, networkUnavailable: false, excludedFromLoadBalancers: true },
    { name: 'n3', labels: {}, networkUnavailable: false, excludedFromLoadBalancers: false },
  ])
})

t.test('namespaces', async (t) => {
  const r = decodeClusterObjects([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', labels: { team: 'x' } } }])
  t.same(r.namespaces, [{ name: 'apps', labels: { team: 'x' } }])
})

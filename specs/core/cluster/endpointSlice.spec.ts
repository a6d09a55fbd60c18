import t from 'tap'
import { decodeClusterObjects } from '../../../core/cluster/decodeCluster.js'

const mkSlice = (name: string, endpoints: unknown[], labels: Record<string, string> = { 'kubernetes.io/service-name': 'web' }) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name, namespace: 'apps', labels },
  addressType: 'IPv4',
  endpoints,
})

t.test('endpoint slices', async (t) => {
  const r = decodeClusterObjects([
    mkSlice('web-abc', [
      { addresses: ['10.0.0.1'], nodeName: 'n1' },
      { addresses: ['10.0.0.2'], nodeName: 'n2', conditions: { ready: false } },
      { addresses: ['10.0.0.3'], nodeName: 'n3', conditions: { ready: false, serving: true, terminating: true } },
      { addresses: ['10.0.0.4'] },
    ]),
    mkSlice('custom', [{ addresses: ['10.0.0.9'] }], {}),
  ])
  t.same(r.problems, [])
  t.equal(r.endpointSlices.length, 1, 'a slice without the service-name label is left out')
  const slice = r.endpointSlices[0]
  t.equal(slice?.service, 'apps/web')
  t.same(slice?.endpoints, [
    { addresses: ['10.0.0.1'], nodeName: 'n1', ready: true, serving: true, terminating: false },
    { addresses: ['10.0.0.2'], nodeName: 'n2', ready: false, serving: false, terminating: false },
    { addresses: ['10.0.0.3'], nodeName: 'n3', ready: false, serving: true, terminating: true },
    { addresses: ['10.0.0.4'], nodeName: undefined, ready: true, serving: true, terminating: false },
  ])
})


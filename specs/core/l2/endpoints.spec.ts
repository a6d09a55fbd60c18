// Which endpoints count, from the wire conditions (through core/cluster's decoder, which fills in
// Kubernetes' defaults) to MetalLB's EndpointCanServe: MetalLB's own test table, plus terminating.
import t from 'tap'
import { endpointSliceFrom } from '../../../core/cluster/endpointSlice.js'
import { canServe, indexEndpoints } from '../../../core/l2/endpoints.js'
import { serviceKey } from '../../../core/model/names.js'
import { mkEndpoint, mkSlice } from './mk.js'

type Conditions = { ready?: boolean; serving?: boolean; terminating?: boolean }

const fromWire = (conditions: Conditions): boolean => {
  const slice = endpointSliceFrom({
    metadata: { name: 's', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    endpoints: [{ addresses: ['10.244.0.1'], nodeName: 'n1', conditions }],
  })
  const e = slice?.endpoints[0]
  if (e === undefined) throw new Error('the slice did not decode')
  return canServe(e)
}

const rows: ReadonlyArray<{ desc: string; in: Conditions; want: boolean }> = [
  { desc: 'ready', in: { ready: true }, want: true },
  { desc: 'serving, ready unset', in: { serving: true }, want: true },
  { desc: 'ready but not serving', in: { ready: true, serving: false }, want: true },
  { desc: 'nothing set', in: {}, want: true },
  { desc: 'ready unset, not serving', in: { serving: false }, want: true },
  { desc: 'not ready', in: { ready: false }, want: false },
  { desc: 'not ready, not serving', in: { ready: false, serving: false }, want: false },
  { desc: 'not ready but serving (a terminating pod draining)', in: { ready: false, serving: true, terminating: true }, want: true },
  { desc: 'terminating and no longer serving', in: { ready: false, serving: false, terminating: true }, want: false },
  { desc: 'terminating is not consulted on its own', in: { terminating: true }, want: true },
]

t.test('EndpointCanServe, MetalLB\'s table', async (t) => {
  for (const row of rows) t.equal(fromWire(row.in), row.want, row.desc)
})

t.test('the index: any serving endpoint, and the nodes running one', async (t) => {
  const index = indexEndpoints([
    mkSlice('web', [mkEndpoint({ node: 'n1' }), mkEndpoint({ node: 'n2', ready: false })], 'web-a'),
    mkSlice('web', [mkEndpoint({ node: 'n3', ready: false, serving: true })], 'web-b'),
    mkSlice('db', [mkEndpoint({ ready: true })]),
    mkSlice('down', [mkEndpoint({ node: 'n1', ready: false })]),
  ])
  const web = index.get(serviceKey('default', 'web'))
  t.same([web?.anyServing, [...(web?.nodes ?? [])].sort()], [true, ['n1', 'n3']], 'slices of one Service add up; not-ready n2 is out')
  const db = index.get(serviceKey('default', 'db'))
  t.same([db?.anyServing, db?.nodes.size], [true, 0], 'an endpoint without a node counts, but places no node')
  t.same(index.get(serviceKey('default', 'down'))?.anyServing, false)
  t.equal(index.get(serviceKey('default', 'none')), undefined)
})

// Advertisements seen from the nodes: node selection, preference scores scoped to each
// advertisement's own nodes and summed across the ones a Service matches (MetalLB's design doc and
// config tests), service selectors, and the interfaces the winner answers on.
import t from 'tap'
import { advertisersByPool, advertisersOfService, interfacesFor, scoresOf } from '../../../core/l2/advertisers.js'
import { asPoolName } from '../../../core/model/names.js'
import type { Node } from '../../../core/model/node.js'
import { mkAd, mkNode, mkSelector, nn, prefer, showInterfaces } from './mk.js'

const edgeNodes: Node[] = [
  mkNode('edge-a', { labels: { role: 'edge', zone: 'primary' } }),
  mkNode('edge-b', { labels: { role: 'edge', zone: 'secondary' } }),
  mkNode('worker-a', { labels: { role: 'worker', zone: 'primary' } }),
  mkNode('worker-b', { labels: { role: 'worker' } }),
]

const scoresOfAds = (ads: ReturnType<typeof mkAd>[], nodes: readonly Node[] = edgeNodes): Record<string, number> =>
  Object.fromEntries([...scoresOf(advertisersByPool(ads, nodes).get(asPoolName('p')) ?? [])].sort())

t.test('preference scores (MetalLB TestPreferredNodeScores)', async (t) => {
  t.same(scoresOfAds([mkAd('a')]), {}, 'no preferences: nobody scores')
  t.same(scoresOfAds([mkAd('a', { preferred: [prefer(100, { role: 'edge' })] })]), { 'edge-a': 100, 'edge-b': 100 })
  t.same(
    scoresOfAds([mkAd('a', { preferred: [prefer(60, { zone: 'primary' }), prefer(50, { role: 'edge' })] })]),
    { 'edge-a': 110, 'edge-b': 50, 'worker-a': 60 },
    'weights within one advertisement add up',
  )
  t.same(
    scoresOfAds([mkAd('a', { nodeSelectors: [mkSelector({ role: 'edge' })], preferred: [prefer(100, { zone: 'primary' })] })]),
    { 'edge-a': 100 },
    'a preference never scores a node its advertisement does not select (worker-a is primary too)',
  )
  t.same(scoresOfAds([mkAd('a', { preferred: [{ weight: 10, preference: { matchLabels: {}, matchExpressions: [] } }] })]), {
    'edge-a': 10,
    'edge-b': 10,
    'worker-a': 10,
    'worker-b': 10,
  }, 'an empty preference matches every selected node')
  t.same(scoresOfAds([mkAd('a', { preferred: [prefer(50, { role: 'gpu' })] })]), {}, 'no match, no score')
})

t.test('several advertisements of one pool (MetalLB design doc)', async (t) => {
  const nodes = [
    mkNode('A', { labels: { role: 'lb' } }),
    mkNode('C', { labels: { role: 'edge', zone: 'primary' } }),
    mkNode('E', { labels: { role: 'gpu', zone: 'primary' } }),
  ]
  t.same(
    scoresOfAds(
      [
        mkAd('ad1', { nodeSelectors: [mkSelector({ role: 'lb' })] }),
        mkAd('ad2', { nodeSelectors: [mkSelector({ role: 'edge' })] }),
        mkAd('ad3', { nodeSelectors: [mkSelector({ role: 'gpu' })], preferred: [prefer(100, { zone: 'primary' })] }),
      ],
      nodes,
    ),
    { E: 100 },
    'C matches zone=primary but only ad3 prefers it, and ad3 does not select C',
  )
  const both = [mkNode('X', { labels: { role: 'lb', zone: 'primary', gpu: 'true' } }), mkNode('Y', { labels: { role: 'lb', zone: 'primary' } }), mkNode('Z', { labels: { role: 'lb' } })]
  t.same(
    scoresOfAds(
      [
        mkAd('ad1', { nodeSelectors: [mkSelector({ role: 'lb' })], preferred: [prefer(70, { zone: 'primary' })] }),
        mkAd('ad2', { nodeSelectors: [mkSelector({ role: 'lb' })], preferred: [prefer(30, { gpu: 'true' })] }),
      ],
      both,
    ),
    { X: 100, Y: 70 },
    'scores add up across the advertisements',
  )
})

t.test('advertisements per pool, and which apply to a Service', async (t) => {
  const byPool = advertisersByPool(
    [
      mkAd('all', { pools: ['p', 'q'] }),
      mkAd('web-only', { pools: ['p'], serviceSelectors: [mkSelector({ app: 'web' })] }),
      mkAd('no-pool', { pools: [] }),
    ],
    edgeNodes,
  )
  t.same([...byPool.keys()].sort(), ['p', 'q'])
  const p = byPool.get(asPoolName('p')) ?? []
  t.same(advertisersOfService(p, { app: 'web' }).map((v) => v.ad.name), ['all', 'web-only'])
  t.same(advertisersOfService(p, { app: 'db' }).map((v) => v.ad.name), ['all'])
  t.same([...(p[0]?.nodes ?? [])].sort(), ['edge-a', 'edge-b', 'worker-a', 'worker-b'], 'no nodeSelectors: every node')
})

t.test('interfaces: the union over the advertisements selecting the node, or all of them', async (t) => {
  const views = (ads: ReturnType<typeof mkAd>[]) => advertisersByPool(ads, edgeNodes).get(asPoolName('p')) ?? []
  const rows: ReadonlyArray<{ desc: string; ads: ReturnType<typeof mkAd>[]; node: string; want: string }> = [
    { desc: 'none listed', ads: [mkAd('a')], node: 'edge-a', want: '*' },
    { desc: 'one list, sorted', ads: [mkAd('a', { interfaces: ['eth1', 'eth0', 'eth1'] })], node: 'edge-a', want: 'eth0+eth1' },
    { desc: 'two lists', ads: [mkAd('a', { interfaces: ['eth0'] }), mkAd('b', { interfaces: ['bond0'] })], node: 'edge-a', want: 'bond0+eth0' },
    { desc: 'one of them lists none', ads: [mkAd('a', { interfaces: ['eth0'] }), mkAd('b')], node: 'edge-a', want: '*' },
    {
      desc: 'only those selecting the node count',
      ads: [mkAd('a', { interfaces: ['eth0'] }), mkAd('b', { nodeSelectors: [mkSelector({ role: 'worker' })] })],
      node: 'edge-a',
      want: 'eth0',
    },
  ]
  for (const row of rows) t.equal(showInterfaces(interfacesFor(views(row.ads), nn(row.node))), row.want, row.desc)
})

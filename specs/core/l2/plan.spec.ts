// Example tables for every rule, in both views. Three nodes n1..n3; the election orders them
// n2, n3, n1 for 10.0.0.1 and fd00::1, n1, n3, n2 for 10.0.0.2 (sha256 of "<node>#<ip>", computed
// with another SHA-256 implementation when the rows were written), so each row shows which rule
// moved the IP off n2.
import t from 'tap'
import { planL2, whatShouldNodeAnnounce } from '../../../core/l2/plan.js'
import type { Node } from '../../../core/model/node.js'
import {
  type ClusterOpts,
  mkAd,
  mkEndpoint,
  mkL2Input,
  mkNode,
  mkPool,
  mkSelector,
  mkService,
  mkSlice,
  nn,
  prefer,
  servedOn,
  showNode,
  showPlan,
} from './mk.js'

const n1 = mkNode('n1', { labels: { role: 'worker' } })
const n2 = mkNode('n2', { labels: { role: 'edge' } })
const n3 = mkNode('n3', { labels: { role: 'edge', zone: 'a' } })
const nodes: Node[] = [n1, n2, n3]
const web = mkService('web', { holds: ['10.0.0.1'] })
const everywhere = servedOn('web', 'n1', 'n2', 'n3')
const base: ClusterOpts = { nodes, ads: [mkAd('l2')], services: [web], slices: [everywhere] }

interface Row {
  readonly desc: string
  readonly in: ClusterOpts
  readonly want: readonly string[]
  /** Node views, as showNode lines. */
  readonly nodes?: Readonly<Record<string, readonly string[]>>
}

const rows: readonly Row[] = [
  { desc: 'the hash picks n2', in: base, want: ['default/web 10.0.0.1 -> n2'], nodes: { n1: ['default/web 10.0.0.1: NotOwner'], n2: ['default/web 10.0.0.1: Announce[*]'] } },
  {
    desc: 'a dead speaker hands over to the next in order',
    in: { ...base, live: ['n1', 'n3'] },
    want: ['default/web 10.0.0.1 -> n3'],
    nodes: { n2: ['default/web 10.0.0.1: SpeakerDown'], n3: ['default/web 10.0.0.1: Announce[*]'], n1: ['default/web 10.0.0.1: NotOwner'] },
  },
  {
    desc: 'NetworkUnavailable',
    in: { ...base, nodes: [n1, mkNode('n2', { labels: { role: 'edge' }, networkUnavailable: true }), n3] },
    want: ['default/web 10.0.0.1 -> n3'],
    nodes: { n2: ['default/web 10.0.0.1: NetworkUnavailable'] },
  },
  {
    desc: 'exclude-from-external-load-balancers',
    in: { ...base, nodes: [n1, mkNode('n2', { excluded: true }), n3] },
    want: ['default/web 10.0.0.1 -> n3'],
    nodes: { n2: ['default/web 10.0.0.1: ExcludedNode'] },
  },
  {
    desc: 'the exclusion label ignored, as with MetalLB\'s --ignore-exclude-lb',
    in: { ...base, nodes: [n1, mkNode('n2', { excluded: true }), n3], ignoreExcludeLB: true },
    want: ['default/web 10.0.0.1 -> n2'],
  },
  {
    desc: 'nodeSelectors leave n2 and n3 out',
    in: { ...base, ads: [mkAd('l2', { nodeSelectors: [mkSelector({ role: 'worker' })] })] },
    want: ['default/web 10.0.0.1 -> n1'],
    nodes: { n2: ['default/web 10.0.0.1: NodeNotSelected'], n1: ['default/web 10.0.0.1: Announce[*]'] },
  },
  {
    desc: 'a node selected by any of the Service\'s advertisements is a candidate',
    in: { ...base, ads: [mkAd('w', { nodeSelectors: [mkSelector({ role: 'worker' })] }), mkAd('z', { nodeSelectors: [mkSelector({ zone: 'a' })] })] },
    want: ['default/web 10.0.0.1 -> n3'],
  },
  {
    desc: 'an advertisement whose serviceSelectors miss the Service does not count, nor do its nodes',
    in: {
      ...base,
      ads: [mkAd('w', { nodeSelectors: [mkSelector({ role: 'worker' })] }), mkAd('e', { nodeSelectors: [mkSelector({ role: 'edge' })], serviceSelectors: [mkSelector({ app: 'db' })] })],
    },
    want: ['default/web 10.0.0.1 -> n1'],
    nodes: { n2: ['default/web 10.0.0.1: NodeNotSelected'] },
  },
  {
    desc: 'no advertisement matches the Service',
    in: { ...base, ads: [mkAd('l2', { serviceSelectors: [mkSelector({ app: 'db' })] })] },
    want: ['default/web 10.0.0.1: NoMatchingAdvertisement'],
    nodes: { n2: ['default/web 10.0.0.1: NoMatchingAdvertisement'] },
  },
  { desc: 'no advertisement selects the pool', in: { ...base, ads: [mkAd('l2', { pools: ['other'] })] }, want: ['default/web 10.0.0.1: NoMatchingAdvertisement'] },
  { desc: 'no advertisement at all', in: { ...base, ads: [] }, want: ['default/web 10.0.0.1: NoMatchingAdvertisement'] },
  {
    desc: 'externalTrafficPolicy Local: only nodes with a serving endpoint',
    in: { ...base, services: [mkService('web', { holds: ['10.0.0.1'], externalTrafficPolicy: 'Local' })], slices: [servedOn('web', 'n1', 'n3')] },
    want: ['default/web 10.0.0.1 -> n3'],
    nodes: { n2: ['default/web 10.0.0.1: NoLocalEndpoints'], n3: ['default/web 10.0.0.1: Announce[*]'] },
  },
  {
    desc: 'Local: a serving but not ready (terminating) endpoint counts; a not-ready one does not',
    in: {
      ...base,
      services: [mkService('web', { holds: ['10.0.0.1'], externalTrafficPolicy: 'Local' })],
      slices: [mkSlice('web', [mkEndpoint({ node: 'n3', ready: false }), mkEndpoint({ node: 'n1', ready: false, serving: true, terminating: true })])],
    },
    want: ['default/web 10.0.0.1 -> n1'],
    nodes: { n3: ['default/web 10.0.0.1: NoLocalEndpoints'] },
  },
  {
    desc: 'Local: the only endpoint is on a node whose speaker is down',
    in: { ...base, live: ['n1', 'n2'], services: [mkService('web', { holds: ['10.0.0.1'], externalTrafficPolicy: 'Local' })], slices: [servedOn('web', 'n3')] },
    want: ['default/web 10.0.0.1: NoEligibleNode'],
    nodes: { n3: ['default/web 10.0.0.1: SpeakerDown'], n2: ['default/web 10.0.0.1: NoLocalEndpoints'] },
  },
  {
    desc: 'Cluster policy ignores where endpoints run',
    in: { ...base, slices: [servedOn('web', 'n1')] },
    want: ['default/web 10.0.0.1 -> n2'],
  },
  {
    desc: 'an endpoint on no node is enough for Cluster policy',
    in: { ...base, slices: [mkSlice('web', [mkEndpoint()])] },
    want: ['default/web 10.0.0.1 -> n2'],
  },
  { desc: 'no endpoints: not announced, Cluster policy too', in: { ...base, slices: [] }, want: ['default/web 10.0.0.1: NoEndpoints'], nodes: { n2: ['default/web 10.0.0.1: NoEndpoints'] } },
  { desc: 'only not-ready endpoints', in: { ...base, slices: [mkSlice('web', [mkEndpoint({ node: 'n2', ready: false })])] }, want: ['default/web 10.0.0.1: NoEndpoints'] },
  { desc: 'another Service\'s endpoints do not count', in: { ...base, slices: [servedOn('db', 'n1')] }, want: ['default/web 10.0.0.1: NoEndpoints'] },
  { desc: 'every speaker down', in: { ...base, live: [] }, want: ['default/web 10.0.0.1: NoEligibleNode'], nodes: { n1: ['default/web 10.0.0.1: SpeakerDown'] } },
  {
    desc: 'not a LoadBalancer (even with a stale ingress IP)',
    in: { ...base, services: [mkService('web', { type: 'ClusterIP' }), mkService('old', { type: 'NodePort', holds: ['10.0.0.1'] })] },
    want: ['default/old 10.0.0.1: NotLoadBalancer', 'default/web -: NotLoadBalancer'],
  },
  {
    desc: 'another load balancer class, or ours only',
    in: { ...base, services: [mkService('web', { holds: ['10.0.0.1'], loadBalancerClass: 'example.com/other' })] },
    want: ['default/web 10.0.0.1: OtherLoadBalancerClass'],
  },
  {
    desc: 'the speakers\' class',
    in: { ...base, loadBalancerClass: 'ironlb', services: [web, mkService('mine', { holds: ['10.0.0.2'], loadBalancerClass: 'ironlb' })], slices: [everywhere, servedOn('mine', 'n1')] },
    want: ['default/mine 10.0.0.2 -> n1', 'default/web 10.0.0.1: OtherLoadBalancerClass'],
  },
  { desc: 'no IP yet', in: { ...base, services: [mkService('web')] }, want: ['default/web -: NoIP'], nodes: { n2: ['default/web -: NoIP'] } },
  { desc: 'an IP no pool holds', in: { ...base, services: [mkService('web', { holds: ['192.0.2.1'] })] }, want: ['default/web 192.0.2.1: IPNotInPool'] },
  {
    desc: 'IPs in two different pools',
    in: { ...base, pools: [mkPool('p', ['10.0.0.0/24']), mkPool('q', ['fd00::/120'])], ads: [mkAd('l2', { pools: ['p', 'q'] })], services: [mkService('web', { holds: ['10.0.0.1', 'fd00::1'] })] },
    want: ['default/web 10.0.0.1: IPNotInPool', 'default/web fd00::1: IPNotInPool'],
  },
  {
    desc: 'dual-stack: both IPs from the node the first IP elects (10.0.0.2 elects n1; fd00::1 alone would elect n2)',
    in: { ...base, services: [mkService('web', { holds: ['10.0.0.2', 'fd00::1'] })] },
    want: ['default/web 10.0.0.2 -> n1', 'default/web fd00::1 -> n1'],
    nodes: { n1: ['default/web 10.0.0.2: Announce[*]', 'default/web fd00::1: Announce[*]'], n2: ['default/web 10.0.0.2: NotOwner', 'default/web fd00::1: NotOwner'] },
  },
  {
    desc: 'dual-stack listed IPv6 first: fd00::1 elects, output still sorted',
    in: { ...base, services: [mkService('web', { holds: ['fd00::1', '10.0.0.2'] })] },
    want: ['default/web 10.0.0.2 -> n2', 'default/web fd00::1 -> n2'],
  },
  {
    desc: 'two Services sharing an IP elect the same node',
    in: { ...base, services: [web, mkService('web2', { holds: ['10.0.0.1'] })], slices: [everywhere, servedOn('web2', 'n1')] },
    want: ['default/web 10.0.0.1 -> n2', 'default/web2 10.0.0.1 -> n2'],
  },
  {
    desc: 'a preferred node wins over the hash',
    in: { ...base, ads: [mkAd('l2', { preferred: [prefer(10, { role: 'worker' })] })] },
    want: ['default/web 10.0.0.1 -> n1'],
    nodes: { n2: ['default/web 10.0.0.1: NotOwner'], n1: ['default/web 10.0.0.1: Announce[*]'] },
  },
  {
    desc: 'a preferred node that is down: the hash decides among the rest',
    in: { ...base, ads: [mkAd('l2', { preferred: [prefer(10, { role: 'worker' })] })], live: ['n2', 'n3'] },
    want: ['default/web 10.0.0.1 -> n2'],
  },
  {
    desc: 'preferences of an advertisement that does not match the Service do not count',
    in: { ...base, ads: [mkAd('l2'), mkAd('db', { serviceSelectors: [mkSelector({ app: 'db' })], preferred: [prefer(100, { role: 'worker' })] })] },
    want: ['default/web 10.0.0.1 -> n2'],
  },
  {
    desc: 'heavier preferences win; ties fall to the hash',
    in: { ...base, ads: [mkAd('l2', { preferred: [prefer(10, { role: 'worker' }), prefer(20, { role: 'edge' })] })] },
    want: ['default/web 10.0.0.1 -> n2'],
  },
  {
    desc: 'interfaces: the union of the winner\'s advertisements',
    in: { ...base, ads: [mkAd('a', { interfaces: ['eth0'] }), mkAd('b', { interfaces: ['eth1'], nodeSelectors: [mkSelector({ role: 'edge' })] }), mkAd('c', { interfaces: ['eth9'], nodeSelectors: [mkSelector({ role: 'worker' })] })] },
    want: ['default/web 10.0.0.1 -> n2 [eth0+eth1]'],
    nodes: { n2: ['default/web 10.0.0.1: Announce[eth0+eth1]'] },
  },
  {
    desc: 'a node with no Node object',
    in: base,
    want: ['default/web 10.0.0.1 -> n2'],
    nodes: { ghost: ['default/web 10.0.0.1: UnknownNode'] },
  },
  {
    desc: 'a live speaker without a Node object never announces (no advertisement can select it)',
    in: { ...base, nodes: [n1, n3], live: ['n1', 'n2', 'n3'] },
    want: ['default/web 10.0.0.1 -> n3'],
  },
]

t.test('Layer 2 examples', async (t) => {
  for (const row of rows) {
    const input = mkL2Input(row.in)
    t.same(showPlan(planL2(input)), row.want, row.desc)
    for (const [node, want] of Object.entries(row.nodes ?? {})) t.same(showNode(whatShouldNodeAnnounce(nn(node), input)), want, `${row.desc}: ${node}`)
  }
})

t.test('output order: by Service key, then IP', async (t) => {
  const input = mkL2Input({
    ...base,
    services: [mkService('b', { holds: ['fd00::2', '10.0.0.3'] }), mkService('a', { ns: 'z', holds: ['10.0.0.1'] }), mkService('a', { holds: ['10.0.0.2'] })],
    slices: [servedOn('b', 'n1'), servedOn('z/a', 'n1'), servedOn('a', 'n1')],
  })
  t.same(
    planL2(input).announcements.map((a) => `${a.service} ${a.ip.value}`),
    ['default/a 167772162', 'default/b 167772163', `default/b ${0xfd00n << 112n | 2n}`, 'z/a 167772161'],
  )
})

// fast-check generators for small Layer 2 clusters: a few nodes with labels and flags, two pools,
// advertisements using every field the planner reads, Services holding IPs of the pools (or not),
// EndpointSlices with every combination of conditions, and a live set that may miss nodes or name
// one with no Node object.
import fc from 'fast-check'
import type { L2Advertisement } from '../../../core/model/advertisement.js'
import type { EndpointSlice } from '../../../core/model/endpoints.js'
import type { Node } from '../../../core/model/node.js'
import type { Service } from '../../../core/model/service.js'
import type { L2Input } from '../../../core/l2/plan.js'
import { mkAd, mkEndpoint, mkL2Input, mkNode, mkPool, mkSelector, mkService, mkSlice, prefer } from './mk.js'

export const NODE_NAMES = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5'] as const
export const POOLS = [mkPool('p', ['10.0.0.0/28', 'fd00::/124']), mkPool('q', ['10.0.1.0/28'])]
const IN_P = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.9', 'fd00::1', 'fd00::7']
const ADDRESSES = [...IN_P, ...IN_P, '10.0.1.1', '10.0.1.2', '192.0.2.1']

const nodeArb = (name: string) =>
  fc
    .record({
      role: fc.constantFrom('edge', 'worker'),
      zone: fc.constantFrom('a', 'b', undefined),
      networkUnavailable: fc.integer({ min: 0, max: 6 }).map((x) => x === 0),
      excluded: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
    })
    .map((o) =>
      mkNode(name, {
        labels: { role: o.role, ...(o.zone === undefined ? {} : { zone: o.zone }) },
        networkUnavailable: o.networkUnavailable,
        excluded: o.excluded,
      }),
    )

const nodesArb: fc.Arbitrary<Node[]> = fc
  .subarray([...NODE_NAMES], { minLength: 1 })
  .chain((names) => fc.tuple(...names.map(nodeArb)))

const adArb = (name: string): fc.Arbitrary<L2Advertisement> =>
  fc
    .record({
      pools: fc.constantFrom(['p'], ['p'], ['p', 'q'], ['q']),
      nodeSelectors: fc.constantFrom([], [], [mkSelector({ role: 'edge' })], [mkSelector({ zone: 'a' }), mkSelector({ role: 'worker' })]),
      serviceSelectors: fc.constantFrom([], [], [], [mkSelector({ app: 'web' })]),
      interfaces: fc.constantFrom([], [], ['eth0'], ['eth1', 'eth0']),
      preferred: fc.constantFrom([], [], [prefer(50, { zone: 'a' })], [prefer(60, { role: 'worker' }), prefer(50, { zone: 'b' })], [prefer(1, {})]),
    })
    .map((o) => mkAd(name, o))

const adsArb: fc.Arbitrary<L2Advertisement[]> = fc.constantFrom(0, 1, 1, 2, 2, 3, 3).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => adArb(`ad${i}`))))

const serviceArb = (name: string): fc.Arbitrary<Service> =>
  fc
    .record({
      app: fc.constantFrom('web', 'db'),
      type: fc.oneof({ weight: 12, arbitrary: fc.constant('LoadBalancer' as const) }, { weight: 1, arbitrary: fc.constant('ClusterIP' as const) }),
      other: fc.integer({ min: 0, max: 14 }).map((x) => x === 0),
      local: fc.constantFrom(false, false, true),
      holds: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...ADDRESSES).map((a) => [a]) },
        { weight: 2, arbitrary: fc.uniqueArray(fc.constantFrom(...IN_P), { minLength: 2, maxLength: 2 }) },
        { weight: 1, arbitrary: fc.constant([]) },
      ),
    })
    .map((o) =>
      mkService(name, {
        labels: { app: o.app },
        type: o.type,
        externalTrafficPolicy: o.local ? 'Local' : 'Cluster',
        holds: o.holds,
        ...(o.other ? { loadBalancerClass: 'example.com/other' } : {}),
      }),
    )

const servicesArb: fc.Arbitrary<Service[]> = fc.integer({ min: 1, max: 5 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => serviceArb(`s${i}`))))

const endpointArb = fc
  .record({
    node: fc.constantFrom(...NODE_NAMES, undefined),
    ready: fc.constantFrom(true, true, false, undefined),
    serving: fc.constantFrom(true, false, undefined),
  })
  .map((o) => mkEndpoint({ ...(o.node === undefined ? {} : { node: o.node }), ...(o.ready === undefined ? {} : { ready: o.ready }), ...(o.serving === undefined ? {} : { serving: o.serving }) }))

const slicesArb = (services: readonly Service[]): fc.Arbitrary<EndpointSlice[]> =>
  fc
    .tuple(
      ...services.map((s) =>
        fc.array(fc.array(endpointArb, { maxLength: 3 }), { minLength: 1, maxLength: 2 }).map((slices) => slices.map((eps, i) => mkSlice(s.name, eps, `${s.name}-${i}`))),
      ),
    )
    .map((per) => per.flat())

export const clusterArb: fc.Arbitrary<L2Input> = fc
  .record({ nodes: nodesArb, ads: adsArb, services: servicesArb, ignoreExcludeLB: fc.integer({ min: 0, max: 9 }).map((x) => x === 0) })
  .chain((c) =>
    fc.record({
      slices: slicesArb(c.services),
      // Mostly alive: up to two speakers down, and now and then one with no Node object.
      dead: fc.subarray(c.nodes.map((n) => n.name as string), { maxLength: Math.min(2, c.nodes.length) }),
      ghost: fc.constantFrom(false, false, true),
    }).map((x) =>
      mkL2Input({
        nodes: c.nodes,
        ads: c.ads,
        services: c.services,
        slices: x.slices,
        live: [...c.nodes.map((n) => n.name as string).filter((n) => !x.dead.includes(n)), ...(x.ghost ? ['ghost'] : [])],
        pools: POOLS,
        ignoreExcludeLB: c.ignoreExcludeLB,
      }),
    ),
  )

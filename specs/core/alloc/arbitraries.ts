// fast-check generators for small clusters: pools carved from disjoint blocks of a tiny address
// space (so the reference model can enumerate them, and collisions, sharing and exhaustion happen
// often), and Services using every feature the planner reads.
import fc from 'fast-check'
import { asPoolName } from '../../../core/model/names.js'
import type { Pool } from '../../../core/model/pool.js'
import type { Namespace, Service } from '../../../core/model/service.js'
import { type IP, unsafeIp } from '../../../core/net/address.js'
import { mkRange } from '../../../core/net/range.js'
import * as E from 'fp-ts/lib/Either.js'
import { mkAllocation, mkNamespace, mkSelector, mkService } from './mk.js'

/** 16 IPv4 blocks of 16 from 10.0.0.8; the last one crosses 10.0.0.255/10.0.1.0 (for avoidBuggyIPs). */
export const V4_BASE = 0x0a000008n
/** 8 IPv6 blocks of 16 from 2001:db8::. */
export const V6_BASE = 0x20010db8000000000000000000000000n
export const V4_BLOCKS = 16
export const V6_BLOCKS = 8
const BLOCK = 16

export const POOL_NAMES = ['a', 'b', 'c', 'd', 'e', 'f'] as const
export const NAMESPACES: readonly Namespace[] = [mkNamespace('ns1', { env: 'prod' }), mkNamespace('ns2'), mkNamespace('ns3', { env: 'dev' })]

export interface Block {
  readonly family: 4 | 6
  readonly index: number
}

export const blockFirst = (b: Block): bigint => (b.family === 4 ? V4_BASE : V6_BASE) + BigInt(b.index * BLOCK)

/** Which block a generated range lies in, as text ("4:3"): ranges never leave their block. */
export const blockOf = (r: { readonly family: 4 | 6; readonly first: bigint }): string =>
  `${r.family}:${(r.first - (r.family === 4 ? V4_BASE : V6_BASE)) / BigInt(BLOCK)}`

/** Every address any generated pool can contain. */
export const universe: readonly IP[] = [
  ...Array.from({ length: V4_BLOCKS * BLOCK }, (_, i) => unsafeIp(4, V4_BASE + BigInt(i))),
  ...Array.from({ length: V6_BLOCKS * BLOCK }, (_, i) => unsafeIp(6, V6_BASE + BigInt(i))),
]

/** One range inside a block: now and then the whole block, mostly a few addresses (so pools fill up). */
const rangeIn = (b: Block) =>
  fc.tuple(fc.integer({ min: 0, max: BLOCK - 1 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 9 })).map(([start, len, whole]) => {
    const base = blockFirst(b)
    const lo = whole === 0 ? 0 : start
    const hi = whole === 0 ? BLOCK - 1 : Math.min(BLOCK - 1, start + len - 1)
    const r = mkRange(unsafeIp(b.family, base + BigInt(lo)), unsafeIp(b.family, base + BigInt(hi)))
    if (E.isLeft(r)) throw new Error(r.left)
    return r.right
  })

// One pool in three has a serviceAllocation.
const serviceAllocationArb = fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: 
  fc.record({
    priority: fc.constantFrom(0, 0, 1, 2, 3),
    namespaces: fc.subarray(['ns1', 'ns2']),
    namespaceSelectors: fc.constantFrom([], [], [mkSelector({ env: 'prod' })]),
    serviceSelectors: fc.constantFrom([], [], [mkSelector({ tier: 'edge' })]),
  }).map((sa) => mkAllocation(sa)) })

/** A pool over some of the given blocks (each block used by one pool at most). */
export const poolArb = (name: string, blocks: readonly Block[]): fc.Arbitrary<Pool> =>
  fc
    .record({
      // The order ranges are written in matters (allocation walks it), so shuffle them.
      ranges: fc.tuple(...blocks.map(rangeIn)).chain((rs) => fc.shuffledSubarray(rs, { minLength: rs.length })),
      // autoAssign is false one time in six.
      autoOff: fc.integer({ min: 0, max: 5 }),
      avoidBuggyIPs: fc.boolean(),
      serviceAllocation: serviceAllocationArb,
    })
    .map((p) => ({
      name: asPoolName(name),
      labels: {},
      ranges: p.ranges,
      autoAssign: p.autoOff !== 0,
      avoidBuggyIPs: p.avoidBuggyIPs,
      serviceAllocation: p.serviceAllocation ?? undefined,
    }))

const allBlocks: readonly Block[] = [
  ...Array.from({ length: V4_BLOCKS }, (_, index): Block => ({ family: 4, index })),
  ...Array.from({ length: V6_BLOCKS }, (_, index): Block => ({ family: 6, index })),
]

/** Up to six pools over disjoint blocks; some blocks stay unused (requests there hit no pool). */
export const poolsArb: fc.Arbitrary<Pool[]> = fc
  .tuple(...allBlocks.map(() => fc.integer({ min: -12, max: POOL_NAMES.length - 1 })))
  .chain((owners) => {
    const byPool = POOL_NAMES.map((_, i) => allBlocks.filter((_, b) => owners[b] === i))
    return fc.tuple(...byPool.map((blocks, i) => (blocks.length === 0 ? fc.constant(undefined) : poolArb(POOL_NAMES[i] ?? 'x', blocks))))
  })
  .map((ps) => ps.filter((p): p is Pool => p !== undefined))

const stamps = ['2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z', '2024-01-03T00:00:00Z', '2024-01-04T00:00:00Z']

/** Addresses for requests and held IPs: mostly inside the pools, sometimes anywhere. */
const addressArb = (pools: readonly Pool[]): fc.Arbitrary<IP> => {
  const inside = universe.filter((ip) => pools.some((p) => p.ranges.some((r) => r.family === ip.family && r.first <= ip.value && ip.value <= r.last)))
  return inside.length === 0 ? fc.constantFrom(...universe) : fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...inside) }, { weight: 1, arbitrary: fc.constantFrom(...universe) })
}

const requestArb = (ip: fc.Arbitrary<IP>): fc.Arbitrary<Service['request']> =>
  fc.oneof(
    { weight: 16, arbitrary: fc.constant({ _tag: 'Any' as const }) },
    { weight: 3, arbitrary: fc.array(ip, { minLength: 1, maxLength: 2 }).map((ips) => ({ _tag: 'Specific' as const, ips })) },
    { weight: 1, arbitrary: fc.constant({ _tag: 'Invalid' as const, message: 'unreadable request' }) },
  )

const familiesArb = fc.constantFrom<Service['ipFamilies'][]>([4], [4], [4], [4], [6], [6], [4, 6], [4, 6], [6, 4], [])
const PORTS = [{ protocol: 'TCP' as const, port: 80 }, { protocol: 'TCP' as const, port: 443 }, { protocol: 'UDP' as const, port: 53 }]

export const serviceArb = (name: string, pools: readonly Pool[] = []): fc.Arbitrary<Service> => {
  const ip = addressArb(pools)
  return fc
    .record({
      ns: fc.constantFrom('ns1', 'ns2', 'ns3'),
      type: fc.constantFrom<Service['type'][]>(...Array<Service['type']>(9).fill('LoadBalancer'), 'ClusterIP'),
      loadBalancerClass: fc.constantFrom(...Array<string | undefined>(15).fill(undefined), 'other.io/lb'),
      ipFamilies: familiesArb,
      // Usually what the API server defaults ipFamilies from; sometimes all that is known.
      clusterIPFamilies: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: familiesArb }),
      ipFamilyPolicy: fc.constantFrom<Service['ipFamilyPolicy'][]>('SingleStack', 'SingleStack', 'PreferDualStack', 'RequireDualStack'),
      // Mostly one port, so sharers often fit together and sometimes clash.
      ports: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...PORTS.map((p) => [p])) }, { weight: 1, arbitrary: fc.subarray(PORTS, { minLength: 1 }) }),
      externalTrafficPolicy: fc.constantFrom<Service['externalTrafficPolicy'][]>('Cluster', 'Cluster', 'Local'),
      app: fc.constantFrom('web', 'api'),
      tier: fc.constantFrom(undefined, 'edge'),
      request: requestArb(ip),
      // fc.option's freq is the odds of *no* value: 1 in freq.
      pinnedPool: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...POOL_NAMES, 'zz') }),
      sharingKey: fc.option(fc.constantFrom('k1', 'k1', 'k2'), { freq: 3 }),
      ingressIPs: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: fc.array(ip, { minLength: 1, maxLength: 2 }) }),
      creationTimestamp: fc.option(fc.constantFrom(...stamps), { freq: 4 }),
    })
    .map((r) => ({
      ...mkService(name, { ns: r.ns }),
      labels: r.tier === undefined ? {} : { tier: r.tier },
      type: r.type,
      loadBalancerClass: r.loadBalancerClass,
      ipFamilies: r.ipFamilies,
      clusterIPFamilies: r.clusterIPFamilies ?? r.ipFamilies,
      ipFamilyPolicy: r.ipFamilyPolicy,
      ports: r.ports,
      externalTrafficPolicy: r.externalTrafficPolicy,
      selector: { app: r.app },
      request: r.request,
      pinnedPool: r.pinnedPool === null ? undefined : asPoolName(r.pinnedPool),
      sharingKey: r.sharingKey ?? undefined,
      ingressIPs: r.ingressIPs,
      creationTimestamp: r.creationTimestamp ?? undefined,
    }))
}

/** Services with distinct names, asking for and holding addresses mostly inside the given pools. */
export const servicesArb = (max = 14, pools: readonly Pool[] = []): fc.Arbitrary<Service[]> =>
  fc.integer({ min: 0, max }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => serviceArb(`s${i}`, pools))))

export const clusterArb = poolsArb.chain((pools) => fc.record({ pools: fc.constant(pools), services: servicesArb(14, pools) }))

// Who advertises what over BGP, for one node: for every Service IP and every BGPPeer, either the
// routes this node sends that peer for it, or the reason it sends none. Unlike Layer 2 there is no
// election: every eligible node advertises (the routers spread flows with ECMP), so a node decides
// from its own facts only, and the failure detector plays no part (a dead node's sessions drop).
//
// Checks run in MetalLB's order (the speaker's ShouldAnnounce for BGP, then the session's peer
// filter): the Service's own state, its pool and advertisements, endpoints anywhere; then this
// node: a session to the peer here, an advertisement selecting the node, conflicting attributes,
// NetworkUnavailable, the exclusion label, Local endpoints; then the peer: `spec.peers`, family.
import type { BGPAdvertisement } from '../model/advertisement.js'
import type { BGPPeer } from '../model/bgpPeer.js'
import type { Config } from '../model/config.js'
import type { EndpointSlice } from '../model/endpoints.js'
import type { NodeName, ServiceKey } from '../model/names.js'
import type { Node } from '../model/node.js'
import type { Pool } from '../model/pool.js'
import { anySelectorMatches } from '../model/selector.js'
import type { Service } from '../model/service.js'
import { type IP, compareIP } from '../net/address.js'
import { type Assigned, poolHolding } from '../l2/assigned.js'
import { NO_ENDPOINTS, type ServiceEndpoints, indexEndpoints } from '../l2/endpoints.js'
import type { BgpSkipReason } from './advertiseReason.js'
import { mergeRoutes, routesFor } from './advertiseRoute.js'
import { carriesFamily, peerRunsOn } from './peerFacts.js'
import type { Route } from './route.js'

interface BgpInput {
  readonly config: Pick<Config, 'pools' | 'bgpAdvertisements' | 'bgpPeers'>
  readonly services: readonly Service[]
  /** The IPs each Service holds (core/l2/assigned.ts). */
  readonly assigned: Assigned
  readonly nodes: readonly Node[]
  readonly endpointSlices: readonly EndpointSlice[]
  /** The speakers' `--lb-class`; undefined handles only Services without a class. */
  readonly loadBalancerClass: string | undefined
  /** MetalLB's `--ignore-exclude-lb`. */
  readonly ignoreExcludeLB?: boolean
}

/** One route this node sends one peer for one Service IP. */
interface BgpAdvertised {
  readonly service: ServiceKey
  readonly ip: IP
  readonly peer: string
  readonly route: Route
}

/** One (Service IP, peer) this node sends nothing for; `ip` is undefined for a Service with no IP. */
export interface BgpNotAdvertised {
  readonly service: ServiceKey
  readonly ip: IP | undefined
  readonly peer: string
  readonly reason: BgpSkipReason
}

export interface BgpNodePlan {
  /** Sorted by Service key, IP, peer name, then route. */
  readonly advertised: readonly BgpAdvertised[]
  /** Sorted by Service key, IP, then peer name. */
  readonly skipped: readonly BgpNotAdvertised[]
  /** Every peer with a session on this node, with its routes merged by prefix (none: an empty list). */
  readonly peers: ReadonlyMap<string, readonly Route[]>
}

type Verdict = { readonly _tag: 'Skip'; readonly reason: BgpSkipReason } | { readonly _tag: 'Send'; readonly ads: readonly BGPAdvertisement[] }

const skip = (reason: BgpSkipReason): Verdict => ({ _tag: 'Skip', reason })

const selects = (ad: BGPAdvertisement, node: Node): boolean => ad.nodeSelectors.length === 0 || anySelectorMatches(ad.nodeSelectors, node.labels)

const appliesTo = (ad: BGPAdvertisement, svc: Service): boolean =>
  ad.serviceSelectors.length === 0 || anySelectorMatches(ad.serviceSelectors, svc.labels)

const sharePeers = (a: BGPAdvertisement, b: BGPAdvertisement): boolean =>
  a.peers.length === 0 || b.peers.length === 0 || a.peers.some((p) => b.peers.includes(p))

// MetalLB's checkBGPAdvConflicts over the advertisements selecting this node: two of them clash
// when their localPref or asPathPrepend differ and they can give the same update (the same length
// for every family the pool holds, a peer in common).
const conflicting = (ads: readonly BGPAdvertisement[], pool: Pool): boolean => {
  const families = new Set(pool.ranges.map((r) => r.family))
  // MetalLB's isAggrLengthDifferent: with both families in the pool, both lengths must differ.
  const differentUpdates = (a: BGPAdvertisement, b: BGPAdvertisement): boolean => {
    const v4 = a.aggregationLength !== b.aggregationLength
    const v6 = a.aggregationLengthV6 !== b.aggregationLengthV6
    return (!families.has(4) || v4) && (!families.has(6) || v6)
  }
  return ads.some((a, i) =>
    ads.slice(i + 1).some((b) => (a.localPref !== b.localPref || a.asPathPrepend !== b.asPathPrepend) && !differentUpdates(a, b) && sharePeers(a, b)),
  )
}

interface Context {
  readonly input: BgpInput
  readonly self: Node | undefined
  readonly endpoints: ReadonlyMap<ServiceKey, ServiceEndpoints>
}

/** The Service's verdict for this node, before the peers: the applicable advertisements, or why none. */
const judge = (ctx: Context, svc: Service, ips: readonly IP[]): Verdict => {
  const { input, self } = ctx
  if (svc.type !== 'LoadBalancer') return skip('NotLoadBalancer')
  if (svc.loadBalancerClass !== input.loadBalancerClass) return skip('OtherLoadBalancerClass')
  if (ips.length === 0) return skip('NoIP')
  const poolName = poolHolding(ips, input.config.pools)
  const pool = poolName === undefined ? undefined : input.config.pools.get(poolName)
  if (pool === undefined) return skip('IPNotInPool')
  const ads = input.config.bgpAdvertisements.filter((ad) => ad.pools.includes(pool.name) && appliesTo(ad, svc))
  if (ads.length === 0) return skip('NoMatchingAdvertisement')
  const endpoints = ctx.endpoints.get(svc.key) ?? NO_ENDPOINTS
  if (!endpoints.anyServing) return skip('NoEndpoints')
  if (self === undefined) return skip('UnknownNode')
  const here = ads.filter((ad) => selects(ad, self))
  if (here.length === 0) return skip('NodeNotSelected')
  if (conflicting(here, pool)) return skip('ConflictingAdvertisements')
  if (self.networkUnavailable) return skip('NetworkUnavailable')
  if (self.excludedFromLoadBalancers && !(input.ignoreExcludeLB ?? false)) return skip('ExcludedNode')
  if (svc.externalTrafficPolicy === 'Local' && !endpoints.nodes.has(self.name)) return skip('NoLocalEndpoints')
  return { _tag: 'Send', ads: here }
}

// A peer with no session here outranks every node reason: there is nothing to send on.
const nodeReasons: ReadonlySet<BgpSkipReason> = new Set<BgpSkipReason>([
  'NodeNotSelected',
  'ConflictingAdvertisements',
  'NetworkUnavailable',
  'ExcludedNode',
  'NoLocalEndpoints',
])

/** The advertisements of `verdict` that reach `peer`, or why none does. */
const forPeer = (verdict: Verdict, peer: BGPPeer, self: Node | undefined, ip: IP | undefined): BgpSkipReason | readonly BGPAdvertisement[] => {
  if (verdict._tag === 'Skip') {
    if (self !== undefined && nodeReasons.has(verdict.reason) && !peerRunsOn(peer, self)) return 'PeerNotOnNode'
    return verdict.reason
  }
  if (self === undefined || !peerRunsOn(peer, self)) return 'PeerNotOnNode'
  const ads = verdict.ads.filter((ad) => ad.peers.length === 0 || ad.peers.includes(peer.name))
  if (ads.length === 0) return 'PeerNotSelected'
  if (ip !== undefined && !carriesFamily(peer, ip.family)) return 'FamilyNotCarried'
  return ads
}

const byKey = (a: Service, b: Service): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
const byName = (a: BGPPeer, b: BGPPeer): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

/** For every Service IP and BGPPeer, what `node` sends that peer, or why nothing. */
export const whatShouldNodeAdvertise = (node: NodeName, input: BgpInput): BgpNodePlan => {
  const self = input.nodes.find((n) => n.name === node)
  const ctx: Context = { input, self, endpoints: indexEndpoints(input.endpointSlices) }
  const peers = [...input.config.bgpPeers].sort(byName)
  const advertised: BgpAdvertised[] = []
  const skipped: BgpNotAdvertised[] = []
  const perPeer = new Map<string, Route[]>()
  for (const p of peers) if (self !== undefined && peerRunsOn(p, self)) perPeer.set(p.name, [])
  for (const svc of [...input.services].sort(byKey)) {
    const held = input.assigned.get(svc.key) ?? []
    const verdict = judge(ctx, svc, held)
    const ips: readonly (IP | undefined)[] = held.length === 0 ? [undefined] : [...held].sort(compareIP)
    for (const ip of ips)
      for (const peer of peers) {
        const r = forPeer(verdict, peer, self, ip)
        if (typeof r === 'string' || ip === undefined) {
          skipped.push({ service: svc.key, ip, peer: peer.name, reason: typeof r === 'string' ? r : 'NoIP' })
          continue
        }
        for (const route of routesFor(ip, r, peer)) {
          advertised.push({ service: svc.key, ip, peer: peer.name, route })
          perPeer.get(peer.name)?.push(route)
        }
      }
  }
  const merged = new Map(peers.flatMap((p) => (perPeer.has(p.name) ? [[p.name, mergeRoutes(perPeer.get(p.name) ?? [], p)] as const] : [])))
  return { advertised, skipped, peers: merged }
}

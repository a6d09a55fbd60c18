// One Service's Layer 2 verdict, the part every node agrees on: either nobody announces it (with
// the reason) or the contest its IPs are decided by. The checks run in MetalLB's order (the
// speaker's SetBalancer, then ShouldAnnounce), except that a missing advertisement is named before
// missing endpoints: an IP no L2Advertisement covers is not a Layer 2 IP at all, and saying so is
// more useful than pointing at its endpoints. Either way nobody announces it.
//
// MetalLB decides per Service, not per IP: the election hashes the Service's first IP and the
// winner announces all of them, so a dual-stack Service is announced from one node, and Services
// sharing an IP elect the same node as long as their candidates agree.
import type { Config } from '../model/config.js'
import type { EndpointSlice } from '../model/endpoints.js'
import type { NodeName, PoolName, ServiceKey } from '../model/names.js'
import type { Node } from '../model/node.js'
import type { Service } from '../model/service.js'
import type { IP } from '../net/address.js'
import { type AdView, advertisersByPool, advertisersOfService } from './advertisers.js'
import { poolHolding } from './assigned.js'
import type { ServiceSkipReason } from './decision.js'
import type { Contest } from './election.js'
import { type NodeFacts, contestOf, localContest, usableNodes } from './eligibility.js'
import { NO_ENDPOINTS, type ServiceEndpoints, indexEndpoints } from './endpoints.js'

export interface ClusterSnapshot {
  readonly config: Pick<Config, 'pools' | 'l2Advertisements'>
  /** Names are unique (core/cluster keeps the first of two Nodes with one name). */
  readonly nodes: readonly Node[]
  readonly endpointSlices: readonly EndpointSlice[]
  /** Nodes whose speaker the failure detector counts as alive. */
  readonly live: ReadonlySet<NodeName>
  /** The speakers' `--lb-class`; undefined handles only Services without a class. */
  readonly loadBalancerClass: string | undefined
  /** MetalLB's `--ignore-exclude-lb`: let excluded nodes announce all the same. */
  readonly ignoreExcludeLB?: boolean
}

/** What every verdict of one call shares, worked out once. */
export interface L2Context {
  readonly snapshot: ClusterSnapshot
  readonly facts: NodeFacts
  readonly advertisers: ReadonlyMap<PoolName, readonly AdView[]>
  readonly usable: readonly NodeName[]
  readonly endpoints: ReadonlyMap<ServiceKey, ServiceEndpoints>
  /** Contests by the advertisements they come from: most Services share a handful of them. */
  readonly contests: Map<string, Contest>
}

export const mkContext = (snapshot: ClusterSnapshot): L2Context => {
  const facts: NodeFacts = {
    nodes: new Map(snapshot.nodes.map((n) => [n.name, n])),
    live: snapshot.live,
    ignoreExcludeLB: snapshot.ignoreExcludeLB ?? false,
  }
  return {
    snapshot,
    facts,
    advertisers: advertisersByPool(snapshot.config.l2Advertisements, snapshot.nodes),
    usable: usableNodes(facts),
    endpoints: indexEndpoints(snapshot.endpointSlices),
    contests: new Map(),
  }
}

export type ServiceVerdict =
  | { readonly _tag: 'Skip'; readonly reason: ServiceSkipReason }
  | {
      readonly _tag: 'Contest'
      /** The IP whose text is hashed: the Service's first. */
      readonly key: IP
      readonly ads: readonly AdView[]
      readonly endpoints: ServiceEndpoints
      /** May have no candidate: then every node has its own reason, and the cluster says NoEligibleNode. */
      readonly contest: Contest
    }

const skip = (reason: ServiceSkipReason): ServiceVerdict => ({ _tag: 'Skip', reason })

export const judgeService = (ctx: L2Context, svc: Service, ips: readonly IP[]): ServiceVerdict => {
  const { snapshot } = ctx
  if (svc.type !== 'LoadBalancer') return skip('NotLoadBalancer')
  if (svc.loadBalancerClass !== snapshot.loadBalancerClass) return skip('OtherLoadBalancerClass')
  const key = ips[0]
  if (key === undefined) return skip('NoIP')
  const pool = poolHolding(ips, snapshot.config.pools)
  if (pool === undefined) return skip('IPNotInPool')
  const ads = advertisersOfService(ctx.advertisers.get(pool) ?? [], svc.labels)
  if (ads.length === 0) return skip('NoMatchingAdvertisement')
  const endpoints = ctx.endpoints.get(svc.key) ?? NO_ENDPOINTS
  if (!endpoints.anyServing) return skip('NoEndpoints')
  const cacheKey = ads.map((v) => v.index).join(',')
  let contest = ctx.contests.get(cacheKey)
  if (contest === undefined) {
    contest = contestOf(ctx.usable, ads)
    ctx.contests.set(cacheKey, contest)
  }
  if (svc.externalTrafficPolicy === 'Local') contest = localContest(contest, endpoints)
  return { _tag: 'Contest', key, ads, endpoints, contest }
}

// The speaker's BGP decision for one pass, apart from Layer 2's gates: it needs only synced caches
// and a valid config (MetalLB's BGP mode needs no memberlist, and a node that cannot answer ARP can
// still peer). Routes per peer come from core/bgp/advertise.ts; the sessions this node runs from
// sessionPlan.ts, diffed against the last pass's (sessionDiff.ts).
import { whatShouldNodeAdvertise } from '../bgp/advertise.js'
import type { ClusterObjects } from '../cluster/decodeCluster.js'
import type { Assigned } from '../l2/assigned.js'
import type { Config } from '../model/config.js'
import { asNodeName } from '../model/names.js'
import { type BgpPlan, type NotAdvertisedMap, bgpPart } from './bgpAdvertise.js'
import { decodeBgpStatuses } from './bgpStatusCodec.js'
import { type BgpStatusObject, type BgpStatusWrite, bgpStatusWrites } from './bgpStatusWrites.js'
import { nodeAddressesOf } from './nodeAddresses.js'
import { type SessionDiff, diffSessions } from './sessionDiff.js'
import { type NoSession, type NoSessionReason, type SessionSpec, wantedSessions } from './sessionPlan.js'

interface BgpSessionsPlan {
  /** What to start, stop and restart so the running sessions are `wanted`. */
  readonly diff: SessionDiff
  readonly wanted: ReadonlyMap<string, SessionSpec>
  /** Peers selected for this node whose session cannot run, new or with a new reason since the last pass. */
  readonly refusedChanged: readonly NoSession[]
}

export type BgpPassPlan = BgpPlan & {
  readonly sessions: BgpSessionsPlan
  /** ServiceBGPStatus writes (MetalLB's: one per Service and node, the peers it goes to); undefined when not watched. */
  readonly statuses: readonly BgpStatusWrite[] | undefined
}

/** What the BGP part remembers between passes. */
export interface BgpMemory {
  /** The reasons of the last pass that decided BGP, per (Service IP, peer). */
  readonly bgpReasons: NotAdvertisedMap
  /** The sessions wanted by that pass, by peer name. */
  readonly bgpSessions: ReadonlyMap<string, SessionSpec>
  readonly bgpRefused: ReadonlyMap<string, NoSessionReason>
}

interface BgpPassInput {
  readonly node: string
  readonly namespace: string
  readonly loadBalancerClass: string | undefined
  readonly config: Config
  readonly cluster: ClusterObjects
  readonly assigned: Assigned
  readonly rawNodes: readonly unknown[]
  /** Undefined: not listed yet; only peers with a passwordSecret wait for them. */
  readonly secrets: readonly unknown[] | undefined
  readonly bgpStatuses: readonly unknown[] | undefined
  /** decodeBgpStatus kept per object by the caches; unset: decoded afresh. */
  readonly decodeBgpStatus?: ((raw: unknown) => BgpStatusObject | undefined) | undefined
}

export const decideBgp = (i: BgpPassInput, prior: BgpMemory): { readonly plan: BgpPassPlan; readonly memory: BgpMemory } => {
  const node = asNodeName(i.node)
  const routes = bgpPart(
    whatShouldNodeAdvertise(node, {
      config: i.config,
      services: i.cluster.services,
      assigned: i.assigned,
      nodes: i.cluster.nodes,
      endpointSlices: i.cluster.endpointSlices,
      loadBalancerClass: i.loadBalancerClass,
    }),
    prior.bgpReasons,
  )
  const wanted = wantedSessions(i.config, {
    node: i.cluster.nodes.find((n) => n.name === node),
    addresses: nodeAddressesOf(i.rawNodes, i.node),
    secrets: i.secrets,
    namespace: i.namespace,
  })
  const refused = new Map(wanted.refused.map((r) => [r.peer, r.reason]))
  return {
    plan: {
      ...routes.bgp,
      sessions: {
        diff: diffSessions(prior.bgpSessions, wanted.sessions),
        wanted: wanted.sessions,
        refusedChanged: wanted.refused.filter((r) => prior.bgpRefused.get(r.peer) !== r.reason),
      },
      statuses: i.bgpStatuses === undefined ? undefined : bgpStatusWrites(routes.bgp.advertised, decodeBgpStatuses(i.bgpStatuses, i.decodeBgpStatus)),
    },
    memory: { bgpReasons: routes.reasons, bgpSessions: wanted.sessions, bgpRefused: refused },
  }
}

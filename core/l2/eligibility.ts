// Which nodes may announce a Service's IPs: the candidate set of MetalLB's ShouldAnnounce. A node
// qualifies when its speaker is alive (the speakers' own failure detector decides, not the
// kubelet), its NetworkUnavailable condition is not True, it is not labelled
// exclude-from-external-load-balancers (unless the speaker runs with MetalLB's ignore-exclude-lb),
// an advertisement that applies to the Service selects it, and, for externalTrafficPolicy Local,
// an endpoint that can serve runs on it. The first reason that rules a node out is named, in
// MetalLB's order of checks (speakersForPool: live speakers, network, exclusion, advertisement).
import type { NodeName } from '../model/names.js'
import type { Node } from '../model/node.js'
import { type AdView, scoresOf, selectsNode } from './advertisers.js'
import type { Contest } from './election.js'
import type { ServiceEndpoints } from './endpoints.js'

/** What keeps a node out of every election, whatever the Service. */
type NodeBlock = 'SpeakerDown' | 'NetworkUnavailable' | 'ExcludedNode'

export interface NodeFacts {
  readonly nodes: ReadonlyMap<NodeName, Node>
  readonly live: ReadonlySet<NodeName>
  readonly ignoreExcludeLB: boolean
}

export const nodeBlock = (facts: NodeFacts, node: Node): NodeBlock | undefined => {
  if (!facts.live.has(node.name)) return 'SpeakerDown'
  if (node.networkUnavailable) return 'NetworkUnavailable'
  if (node.excludedFromLoadBalancers && !facts.ignoreExcludeLB) return 'ExcludedNode'
  return undefined
}

/** The nodes no block keeps out, in the order given. */
export const usableNodes = (facts: NodeFacts): readonly NodeName[] => {
  const out: NodeName[] = []
  for (const node of facts.nodes.values()) if (nodeBlock(facts, node) === undefined) out.push(node.name)
  return out
}

/** The contest for a Service whose applicable advertisements are `ads`, before the Local filter. */
export const contestOf = (usable: readonly NodeName[], ads: readonly AdView[]): Contest => ({
  candidates: usable.filter((n) => selectsNode(ads, n)),
  scores: scoresOf(ads),
})

/** externalTrafficPolicy Local: only nodes running a serving endpoint stay in (nodesWithEndpoint). */
export const localContest = (contest: Contest, endpoints: ServiceEndpoints): Contest => ({
  candidates: contest.candidates.filter((n) => endpoints.nodes.has(n)),
  scores: contest.scores,
})

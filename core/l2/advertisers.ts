// The L2Advertisements seen from the nodes: which nodes each one selects and what its
// preferredNodeSelectors add to each of them, worked out once per call. As in MetalLB, an
// advertisement selects nodes by its `nodeSelectors` (none: every node), Services by its
// `serviceSelectors` (none: every Service of its pools), and its preferences are scoped to its own
// nodes: a node outside them gains nothing from it, however its labels match (MetalLB's
// design-doc "Preferred Node Selection for L2 Mode", PreferredNodes keys are a subset of Nodes).
import type { L2Advertisement } from '../model/advertisement.js'
import type { NodeName, PoolName } from '../model/names.js'
import type { Node } from '../model/node.js'
import { type Labels, anySelectorMatches, selectorMatches } from '../model/selector.js'
import { ALL_INTERFACES, type InterfaceChoice } from './decision.js'

export interface AdView {
  readonly ad: L2Advertisement
  /** Position in the config's list (sorted by name): a stable identity for caching. */
  readonly index: number
  readonly nodes: ReadonlySet<NodeName>
  /** Summed weight of the preferences each selected node matches; nodes scoring 0 are left out. */
  readonly preferred: ReadonlyMap<NodeName, number>
}

const viewOf = (ad: L2Advertisement, index: number, nodes: readonly Node[]): AdView => {
  const selected = new Set<NodeName>()
  const preferred = new Map<NodeName, number>()
  for (const node of nodes) {
    if (ad.nodeSelectors.length > 0 && !anySelectorMatches(ad.nodeSelectors, node.labels)) continue
    selected.add(node.name)
    let score = 0
    for (const p of ad.preferredNodeSelectors) if (selectorMatches(p.preference, node.labels)) score += p.weight
    if (score > 0) preferred.set(node.name, score)
  }
  return { ad, index, nodes: selected, preferred }
}

/** For each pool, the advertisements that select it, in config order. Pools with none are absent. */
export const advertisersByPool = (
  ads: readonly L2Advertisement[],
  nodes: readonly Node[],
): ReadonlyMap<PoolName, readonly AdView[]> => {
  const out = new Map<PoolName, AdView[]>()
  ads.forEach((ad, index) => {
    if (ad.pools.length === 0) return
    const view = viewOf(ad, index, nodes)
    for (const pool of ad.pools) {
      const list = out.get(pool) ?? []
      list.push(view)
      out.set(pool, list)
    }
  })
  return out
}

/** The advertisements of a pool that apply to a Service with these labels (MetalLB's l2AdsForService). */
export const advertisersOfService = (poolAds: readonly AdView[], labels: Labels): readonly AdView[] =>
  poolAds.filter((v) => v.ad.serviceSelectors.length === 0 || anySelectorMatches(v.ad.serviceSelectors, labels))

/** Whether any of `ads` selects `node`. */
export const selectsNode = (ads: readonly AdView[], node: NodeName): boolean => ads.some((v) => v.nodes.has(node))

/** Each node's preference score for a Service: the sum over the advertisements that apply to it. */
export const scoresOf = (ads: readonly AdView[]): ReadonlyMap<NodeName, number> => {
  if (ads.length === 1) return ads[0]?.preferred ?? new Map()
  const out = new Map<NodeName, number>()
  for (const v of ads) for (const [node, w] of v.preferred) out.set(node, (out.get(node) ?? 0) + w)
  return out
}

/**
 * Where `node` answers for a Service: the union of the `interfaces` of the applicable
 * advertisements that select it, or every interface as soon as one of them lists none (MetalLB's
 * ipAdvertisementFor). Applicable means matching the Service too: MetalLB releases before the
 * serviceSelectors rework took every advertisement of the pool selecting the node, so an
 * advertisement meant for other Services could widen the interfaces.
 */
export const interfacesFor = (ads: readonly AdView[], node: NodeName): InterfaceChoice => {
  const names = new Set<string>()
  for (const v of ads) {
    if (!v.nodes.has(node)) continue
    if (v.ad.interfaces.length === 0) return ALL_INTERFACES
    for (const name of v.ad.interfaces) names.add(name)
  }
  // Only reached with no selecting advertisement: callers ask for a node they know is selected.
  if (names.size === 0) return ALL_INTERFACES
  return { _tag: 'Interfaces', names: [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) }
}

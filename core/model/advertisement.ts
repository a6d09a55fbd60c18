// Validated L2Advertisement and BGPAdvertisement objects. Pool selection (`ipAddressPools`,
// `ipAddressPoolSelectors`, or neither meaning every pool) is already resolved against the pools
// of the same config, so consumers only read `pools`.
import type { BGPCommunity } from './community.js'
import type { PoolName } from './names.js'
import type { LabelSelector } from './selector.js'

export interface L2Advertisement {
  readonly name: string
  /** Pools this advertisement applies to, by name; names of pools that do not exist are dropped, as in MetalLB. */
  readonly pools: readonly PoolName[]
  /** Empty means every node may announce. */
  readonly nodeSelectors: readonly LabelSelector[]
  /** Empty means every interface. */
  readonly interfaces: readonly string[]
  /** Empty means every Service of the selected pools. */
  readonly serviceSelectors: readonly LabelSelector[]
  /**
   * Soft preferences for the announcing node, in the order written. Empty means none: the election
   * is the hash alone, as before MetalLB added the field.
   */
  readonly preferredNodeSelectors: readonly PreferredNodeSelector[]
}

/**
 * MetalLB's `preferredNodeSelectors` entry, shaped like Kubernetes' PreferredSchedulingTerm: a node
 * matching `preference` (and selected by the same advertisement's `nodeSelectors`) gains `weight`.
 */
export interface PreferredNodeSelector {
  /** 1..100, as in PreferredSchedulingTerm; buildConfig refuses anything else. */
  readonly weight: number
  readonly preference: LabelSelector
}

export interface BGPAdvertisement {
  readonly name: string
  readonly pools: readonly PoolName[]
  /** Prefix length used to announce IPv4 addresses; 32 announces each address on its own. */
  readonly aggregationLength: number
  /** Prefix length used to announce IPv6 addresses; 128 announces each address on its own. */
  readonly aggregationLengthV6: number
  /** LOCAL_PREF, sent to iBGP peers only; 0 when unset. */
  readonly localPref: number
  /** `asPathPrepend` (MetalLB v0.16.2): how many more times the speaker's AS goes on the path; 0 when unset. */
  readonly asPathPrepend: number
  /** Resolved values, sorted and without duplicates. */
  readonly communities: readonly BGPCommunity[]
  readonly nodeSelectors: readonly LabelSelector[]
  /** BGPPeer names; empty means every peer. Names that match no peer are kept and simply match nothing. */
  readonly peers: readonly string[]
  readonly serviceSelectors: readonly LabelSelector[]
}

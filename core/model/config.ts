// The validated MetalLB configuration: what every CRD in the configured namespace adds up to.
// Built only by core/config (the decoder and validator); everything else trusts it.
import type { BGPAdvertisement, L2Advertisement } from './advertisement.js'
import type { BFDProfile } from './bfdProfile.js'
import type { BGPPeer } from './bgpPeer.js'
import type { BGPCommunity } from './community.js'
import type { PoolName } from './names.js'
import type { Pool } from './pool.js'

export interface Config {
  /** Keyed by name; iteration order is by name, so everything built on it is deterministic. */
  readonly pools: ReadonlyMap<PoolName, Pool>
  /** Sorted by name, as are all the lists below. */
  readonly l2Advertisements: readonly L2Advertisement[]
  readonly bgpAdvertisements: readonly BGPAdvertisement[]
  readonly bgpPeers: readonly BGPPeer[]
  /** Keyed by name, in name order. */
  readonly bfdProfiles: ReadonlyMap<string, BFDProfile>
  /** Community aliases from every Community object, keyed by alias name, in name order. */
  readonly communities: ReadonlyMap<string, BGPCommunity>
}

/** One problem in the configuration, phrased for the person who wrote the object. */
export interface ConfigError {
  readonly kind: string
  readonly namespace: string
  readonly name: string
  /** Field path in the object, e.g. "spec.addresses[1]". */
  readonly field: string
  readonly message: string
}

/** What building a config gives: a config to trust, or every problem found in the objects. */
export type ConfigResult =
  | { readonly _tag: 'Valid'; readonly config: Config }
  | { readonly _tag: 'Invalid'; readonly errors: readonly ConfigError[] }


// The validated MetalLB configuration: what every CRD in the configured namespace adds up to.
// Built only by core/config (the decoder and validator); everything else trusts it.
import type { PoolName } from './names.js'
import type { Pool } from './pool.js'

export interface Config {
  /** Keyed by name; iteration order is by name, so everything built on it is deterministic. */
  readonly pools: ReadonlyMap<PoolName, Pool>
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

// A validated IPAddressPool, as the allocator sees it.
import type { AddressRange } from '../net/range.js'
import type { PoolName } from './names.js'
import type { LabelSelector, Labels } from './selector.js'

/**
 * `spec.serviceAllocation`. Present (even empty) means the pool serves only the Services it matches
 * and is never a general fallback; an empty one matches every Service. Empty lists mean "no
 * constraint" for that dimension, as in MetalLB.
 */
export interface ServiceAllocation {
  /** 0 when unset; lower positive numbers are preferred, 0 comes after all positive priorities. */
  readonly priority: number
  readonly namespaces: readonly string[]
  readonly namespaceSelectors: readonly LabelSelector[]
  readonly serviceSelectors: readonly LabelSelector[]
}

export interface Pool {
  readonly name: PoolName
  readonly labels: Labels
  /** In the order the user wrote them: allocation takes the lowest free address in this order. */
  readonly ranges: readonly AddressRange[]
  readonly autoAssign: boolean
  readonly avoidBuggyIPs: boolean
  readonly serviceAllocation: ServiceAllocation | undefined
}

// What the allocation planner decides, per Service and per pool. The shell switches on the `_tag`s
// and reason tokens (Service status, Events, metrics, `ironlb simulate`); the messages are for people
// and name the pool, IP or Service involved. Tokens are stable: add new ones, never rename.
import { absurd } from '../fp/absurd.js'
import type { LayeredMap } from '../fp/layeredMap.js'
import type { Config } from '../model/config.js'
import type { PoolName, ServiceKey } from '../model/names.js'
import type { Namespace, Service } from '../model/service.js'
import type { IP } from '../net/address.js'

/** Why a LoadBalancer Service we handle has no IP. */
export type PendingReason =
  /** Neither `spec.ipFamilies` nor `spec.clusterIPs`: MetalLB refuses to guess the family too. */
  | 'UnknownIPFamily'
  /** The request cannot be read: both forms given, unparsable, more than two or two of one family. */
  | 'InvalidIPRequest'
  /** Requested IPs of other families than the Service's (MetalLB: "does not match the ipFamily"). */
  | 'RequestedIPFamilyMismatch'
  | 'RequestedIPNotInAnyPool'
  /** A dual-stack request whose two IPs lie in different pools; MetalLB needs one pool for both. */
  | 'RequestedIPsInDifferentPools'
  | 'RequestedIPNotInPinnedPool'
  /** Held by a Service that does not share it (no sharing key, or another key). */
  | 'RequestedIPInUse'
  /** Same sharing key, but a (protocol, port) clash or different Local-policy backends. */
  | 'SharingConflict'
  | 'PoolNotFound'
  /** The pool's `serviceAllocation` does not admit this Service. */
  | 'PoolSelectorMismatch'
  /** No pool is eligible for automatic assignment to this Service at all. */
  | 'NoMatchingPool'
  /** Eligible pools exist but none has addresses of the family (or, dual-stack, both families). */
  | 'NoPoolForFamily'
  | 'NoAvailableIPs'

/** Why a Service is none of our business (MetalLB clears its state and skips it). */
type IgnoredReason = 'NotLoadBalancer' | 'OtherLoadBalancerClass'

export type ServiceOutcome =
  | { readonly _tag: 'Assigned'; readonly ips: readonly IP[]; readonly pool: PoolName }
  | { readonly _tag: 'Pending'; readonly reason: PendingReason; readonly message: string }
  | { readonly _tag: 'Ignored'; readonly reason: IgnoredReason; readonly message: string }

export interface PoolUsage {
  readonly name: PoolName
  /** Distinct addresses in use, per family (a shared IP counts once). */
  readonly assignedIPv4: number
  readonly assignedIPv6: number
  /** Size minus assigned minus avoided .0/.255 addresses; saturates at Number.MAX_SAFE_INTEGER. */
  readonly availableIPv4: number
  readonly availableIPv6: number
}

export interface AllocationPlan {
  /**
   * One outcome per Service given. Iterates in processing order (holders first, then by
   * creationTimestamp, then namespace/name) for a first plan; keys first seen in a replan come after.
   */
  readonly outcomes: ReadonlyMap<ServiceKey, ServiceOutcome>
  /** Sorted by pool name. */
  readonly pools: readonly PoolUsage[]
}

/** The allocator reads only the pools of a config; a full `Config` is accepted as is. */
export type AllocationConfig = Pick<Config, 'pools'>

export interface AllocationInput {
  readonly config: AllocationConfig
  /** Keys are unique; should one repeat, the last occurrence wins. */
  readonly services: readonly Service[]
  /**
   * Optional: the same Services by key, as one line of LayeredMap versions from pass to pass (the
   * shell's index, core/cluster/clusterIndex.ts), so that planFrom compares only the keys changed
   * since the last pass. It must hold exactly `services`.
   */
  readonly servicesByKey?: LayeredMap<ServiceKey, Service>
  /** Labels for `serviceAllocation.namespaceSelectors`; a namespace not listed has no labels. */
  readonly namespaces: readonly Namespace[]
  /** The controller's `--lb-class`; undefined handles only Services without a class. */
  readonly loadBalancerClass: string | undefined
}

export const assigned = (ips: readonly IP[], pool: PoolName): ServiceOutcome => ({ _tag: 'Assigned', ips, pool })
export const pending = (reason: PendingReason, message: string): ServiceOutcome => ({ _tag: 'Pending', reason, message })
export const ignored = (reason: IgnoredReason, message: string): ServiceOutcome => ({ _tag: 'Ignored', reason, message })

export const outcomesEqual = (a: ServiceOutcome, b: ServiceOutcome): boolean => {
  switch (a._tag) {
    case 'Assigned':
      return (
        b._tag === 'Assigned' &&
        a.pool === b.pool &&
        a.ips.length === b.ips.length &&
        a.ips.every((ip, i) => ip.family === b.ips[i]?.family && ip.value === b.ips[i]?.value)
      )
    case 'Pending':
    case 'Ignored':
      return b._tag === a._tag && a.reason === b.reason && a.message === b.message
    default:
      return absurd(a)
  }
}

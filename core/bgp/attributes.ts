// The path attributes IronLB sends (RFC 4271 §5, RFC 1997 communities, RFC 8092 large communities,
// RFC 4760 multiprotocol reach) and their type codes and flags.
import type { IP } from '../net/address.js'
import type { Prefix } from '../net/prefix.js'

export const Flag = { Optional: 0x80, Transitive: 0x40, Partial: 0x20, ExtendedLength: 0x10 } as const

export const AttrType = {
  Origin: 1,
  AsPath: 2,
  NextHop: 3,
  MultiExitDisc: 4,
  LocalPref: 5,
  AtomicAggregate: 6,
  Aggregator: 7,
  Communities: 8,
  MpReach: 14,
  MpUnreach: 15,
  LargeCommunities: 32,
} as const

export type Origin = 'igp' | 'egp' | 'incomplete'
export const ORIGIN_CODES: Record<Origin, number> = { igp: 0, egp: 1, incomplete: 2 }

export interface LargeCommunity {
  readonly global: number
  readonly local1: number
  readonly local2: number
}

export interface PathAttributes {
  readonly origin: Origin
  /** One AS_SEQUENCE, nearest AS first; empty towards iBGP peers. */
  readonly asPath: readonly number[]
  /** IPv4 next hop for IPv4 NLRI in the classic fields. */
  readonly nextHop?: IP
  readonly med?: number
  /** iBGP only (RFC 4271 §5.1.5). */
  readonly localPref?: number
  /** RFC 1997 values, 32 bits each (AS << 16 | value). */
  readonly communities: readonly number[]
  readonly largeCommunities: readonly LargeCommunity[]
}

/** IPv6 routes (RFC 4760): the next hop (global, optionally a link-local after it) and the prefixes. */
export interface MpReach {
  readonly nextHop: IP
  readonly linkLocalNextHop?: IP
  readonly nlri: readonly Prefix[]
}

// A validated BGPPeer. Both served versions (metallb.io/v1beta1 and v1beta2) decode to this one
// type; v1beta1 simply leaves the newer fields at their defaults.
import type { IP } from '../net/address.js'
import type { LabelSelector } from './selector.js'

declare const asnBrand: unique symbol
/** A 4-octet AS number (RFC 6793), 1..4294967295. Only core/config makes one. */
export type Asn = number & { readonly [asnBrand]: true }

/** `peerASN` or `dynamicASN`: exactly one is given (MetalLB refuses both and neither). */
export type PeerAsn =
  | { readonly _tag: 'Fixed'; readonly asn: Asn }
  /** internal: the neighbour must use myASN; external: it must not. */
  | { readonly _tag: 'Dynamic'; readonly mode: 'internal' | 'external' }

/** Where the session goes: `peerAddress`, or `interface` for BGP unnumbered. */
export type PeerTarget =
  | { readonly _tag: 'Address'; readonly ip: IP }
  | { readonly _tag: 'Interface'; readonly name: string }

/** TCP MD5 password: none, written in the object, or read from a basic-auth Secret by the shell. */
export type PeerPassword =
  | { readonly _tag: 'None' }
  | { readonly _tag: 'Inline'; readonly password: string }
  | { readonly _tag: 'Secret'; readonly name: string; readonly namespace: string | undefined }

/**
 * BGP timers in milliseconds. MetalLB derives the missing one (keepalive = hold / 3, hold =
 * keepalive * 3) when only one is given; `undefined` means neither was, and the speaker's
 * defaults apply.
 */
export interface PeerTimers {
  readonly holdTime: number
  readonly keepaliveTime: number
}

export interface BGPPeer {
  readonly name: string
  readonly myAsn: Asn
  readonly peerAsn: PeerAsn
  readonly target: PeerTarget
  readonly sourceAddress: IP | undefined
  readonly port: number
  readonly timers: PeerTimers | undefined
  /** Milliseconds, a whole number of seconds. */
  readonly connectTime: number | undefined
  /** Always IPv4: a BGP Identifier is 32 bits (RFC 4271 §4.2). */
  readonly routerId: IP | undefined
  /** Empty means every node peers; otherwise a node that matches any one of them. */
  readonly nodeSelectors: readonly LabelSelector[]
  readonly password: PeerPassword
  readonly bfdProfile: string | undefined
  readonly enableGracefulRestart: boolean
  readonly ebgpMultiHop: boolean
  /** Empty string for the default VRF. */
  readonly vrf: string
  readonly disableMP: boolean
  readonly dualStackAddressFamily: boolean
  /** `localASN` (MetalLB v0.16): the AS shown to this peer in place of myASN; undefined when unset or 0. */
  readonly localAsn: Asn | undefined
}

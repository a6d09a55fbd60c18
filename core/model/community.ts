// BGP communities as MetalLB accepts them in a BGPAdvertisement: standard communities (RFC 1997,
// written "65000:100") and large communities (RFC 8092, written "large:65000:1:2"). Aliases from
// Community objects are resolved by core/config; what is left here is always a value.
import { absurd } from '../fp/absurd.js'
export type BGPCommunity =
  | { readonly _tag: 'Standard'; readonly high: number; readonly low: number }
  | { readonly _tag: 'Large'; readonly global: number; readonly local1: number; readonly local2: number }

export const formatCommunity = (c: BGPCommunity): string => {
  switch (c._tag) {
    case 'Standard':
      return `${c.high}:${c.low}`
    case 'Large':
      return `large:${c.global}:${c.local1}:${c.local2}`
    default:
      return absurd(c)
  }
}

/** A standard community as the 32-bit value carried on the wire (RFC 1997 §3). */
const standardValue = (c: { readonly high: number; readonly low: number }): number => c.high * 0x10000 + c.low

// MetalLB orders a standard community as if it were the large community <value>:0:0, so mixed
// lists sort the same way here as there.
const asTriple = (c: BGPCommunity): readonly [number, number, number] =>
  c._tag === 'Standard' ? [standardValue(c), 0, 0] : [c.global, c.local1, c.local2]

export const compareCommunity = (a: BGPCommunity, b: BGPCommunity): number => {
  const [a0, a1, a2] = asTriple(a)
  const [b0, b1, b2] = asTriple(b)
  return a0 - b0 || a1 - b1 || a2 - b2 || (a._tag === b._tag ? 0 : a._tag === 'Standard' ? -1 : 1)
}

export const communityEquals = (a: BGPCommunity, b: BGPCommunity): boolean => compareCommunity(a, b) === 0

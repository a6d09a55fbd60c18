// Message validation for received Neighbor Solicitations (RFC 4861 §7.1.1) and Advertisements
// (§7.1.2). Each rule has a name, so a drop says which one failed. Rules the decoder already
// enforces (zero-length options, options running past the message) are not repeated here.
import { NEXT_HEADER_ICMPV6 } from './checksum.js'
import { NDP_FIXED_LENGTH, sourceLinkLayer } from './ndp.js'
import { isMulticastV6, isSolicitedNode } from './ndpAddress.js'
import type { NdpFrame } from './ndpFrames.js'

export const NDP_INVALID_REASONS = [
  /** "The IP Hop Limit field has a value of 255": proves the sender is on-link. */
  'HopLimitNot255',
  /** "ICMP Checksum is valid." */
  'BadChecksum',
  /** "ICMP Code is 0." */
  'NonZeroCode',
  /** "ICMP length (derived from the IP length) is 24 or more octets." */
  'TooShort',
  /** "Target Address is not a multicast address." */
  'MulticastTarget',
  /** NS: "If the IP source address is the unspecified address, the IP destination address is a solicited-node multicast address." */
  'DadNotToSolicitedNode',
  /** NS: "If the IP source address is the unspecified address, there is no source link-layer address option." */
  'DadWithSourceLinkLayer',
  /** NA: "If the IP Destination Address is a multicast address the Solicited flag is zero." */
  'SolicitedToMulticast',
] as const
export type NdpInvalidReason = (typeof NDP_INVALID_REASONS)[number]

const common = (f: NdpFrame): NdpInvalidReason | undefined => {
  if (f.ip.hopLimit !== 255) return 'HopLimitNot255'
  if (!f.checksumValid) return 'BadChecksum'
  if (f.message.code !== 0) return 'NonZeroCode'
  // The decoder needs 24 bytes to read a message; this guards a frame whose IPv6 payload length
  // says less than the bytes present (the rest would be padding, not part of the message).
  if (f.ip.nextHeader !== NEXT_HEADER_ICMPV6 || f.ip.payloadLength < NDP_FIXED_LENGTH) return 'TooShort'
  if (isMulticastV6(f.message.target)) return 'MulticastTarget'
  return undefined
}

/** RFC 4861 §7.1.1; `undefined` when the solicitation is valid. */
export const validateSolicitation = (f: NdpFrame): NdpInvalidReason | undefined => {
  const c = common(f)
  if (c !== undefined) return c
  if (f.ip.src.value === 0n) {
    if (!isSolicitedNode(f.ip.dst)) return 'DadNotToSolicitedNode'
    if (sourceLinkLayer(f.message) !== undefined) return 'DadWithSourceLinkLayer'
  }
  return undefined
}

/** RFC 4861 §7.1.2; `undefined` when the advertisement is valid. */
export const validateAdvertisement = (f: NdpFrame): NdpInvalidReason | undefined => {
  const c = common(f)
  if (c !== undefined) return c
  if (f.message._tag === 'NeighborAdvertisement' && f.message.solicited && isMulticastV6(f.ip.dst))
    return 'SolicitedToMulticast'
  return undefined
}

// The NDP responder's decision for one received frame: answer a Neighbor Solicitation for an
// address this node announces with a solicited Neighbor Advertisement, or drop it with a named
// reason. It follows MetalLB's layer-2 NDP responder (solicitations without a source link-layer
// option, which includes every DAD probe, are not answered) after the RFC 4861 §7.1.1 checks
// that MetalLB leaves to the kernel's ICMPv6 socket. As for ARP, the solicitor must be answerable: a
// unicast source MAC and link-layer option (the advertisement goes there) and a source address that
// is neither multicast (RFC 4291 §2.7: never a source) nor one we announce.
import * as E from 'fp-ts/lib/Either.js'
import { NEXT_HEADER_ICMPV6 } from './checksum.js'
import * as eth from './ethernet.js'
import * as ipv6 from './ipv6.js'
import { ICMPV6_NEIGHBOR_SOLICITATION, sourceLinkLayer } from './ndp.js'
import { isMulticastV6, multicastMac, solicitedNode } from './ndpAddress.js'
import { isUnicastMac } from './mac.js'
import { decodeNdpFrame, neighborAdvertisementReply } from './ndpFrames.js'
import { validateSolicitation, NDP_INVALID_REASONS } from './ndpValidate.js'
import { drop, isAnnounced, reply, type AnnouncedSet, type LinkIdentity, type Verdict } from './respond.js'

export const NDP_DROP_REASONS = [
  /** Not IPv6, not ICMPv6, or an ICMPv6 type other than Neighbor Solicitation. */
  'NotForUs',
  /** Cannot be decoded: truncated, bad version, zero-length or overrunning options. */
  'Malformed',
  ...NDP_INVALID_REASONS,
  /** Ethernet destination is neither our MAC nor the multicast MAC of the IPv6 destination. */
  'WrongEthernetDestination',
  /** IPv6 destination is neither the target nor the target's solicited-node group. */
  'WrongIpDestination',
  /** Duplicate Address Detection (source ::): MetalLB does not defend announced addresses against it. */
  'DadProbe',
  /** No source link-layer option, so no MAC to answer to (MetalLB's dropReasonNoSourceLL). */
  'NoSourceLinkLayer',
  /** Sent from our own MAC. */
  'FromUs',
  /** Ethernet source or source link-layer option is a group (broadcast, multicast) or zero MAC. */
  'SenderMacNotUnicast',
  /** IPv6 source is a multicast address. */
  'SenderIpNotUnicast',
  /** IPv6 source is an address we announce here. */
  'SenderIpOurs',
  /** The target is not announced on this interface. */
  'NotAnnounced',
] as const
export type NdpDropReason = (typeof NDP_DROP_REASONS)[number]

// Offset of the ICMPv6 type in an untagged frame: Ethernet header then the fixed IPv6 header.
const ICMP_TYPE_AT = eth.ETHERNET_HEADER_LENGTH + ipv6.IPV6_HEADER_LENGTH

export const respondNdp = (frame: Uint8Array, link: LinkIdentity, announced: AnnouncedSet): Verdict<NdpDropReason> => {
  // Classify cheaply before decoding: most IPv6 traffic a packet socket sees is not for us.
  const h = eth.decode(frame, 0)
  if (E.isLeft(h)) return drop('Malformed')
  if (h.right.value.ethertype !== eth.ETHERTYPE_IPV6) return drop('NotForUs')
  const ip = ipv6.decode(frame, h.right.next)
  if (E.isLeft(ip)) return drop('Malformed')
  if (ip.right.value.nextHeader !== NEXT_HEADER_ICMPV6) return drop('NotForUs')
  if (ip.right.value.payloadLength < 1) return drop('TooShort')
  if (frame[ICMP_TYPE_AT] !== ICMPV6_NEIGHBOR_SOLICITATION) return drop('NotForUs')

  const decoded = decodeNdpFrame(frame)
  if (E.isLeft(decoded)) return ip.right.value.payloadLength < 24 ? drop('TooShort') : drop('Malformed')
  const f = decoded.right
  const target = f.message.target
  const invalid = validateSolicitation(f)
  if (invalid !== undefined) return drop(invalid, target)

  if (f.eth.dst !== link.mac && f.eth.dst !== multicastMac(f.ip.dst)) return drop('WrongEthernetDestination', target)
  if (f.ip.dst.value !== target.value && f.ip.dst.value !== solicitedNode(target).value)
    return drop('WrongIpDestination', target)
  if (f.ip.src.value === 0n) return drop('DadProbe', target)
  const solicitor = sourceLinkLayer(f.message)
  if (solicitor === undefined) return drop('NoSourceLinkLayer', target)
  if (f.eth.src === link.mac || solicitor === link.mac) return drop('FromUs', target)
  if (!isUnicastMac(f.eth.src) || !isUnicastMac(solicitor)) return drop('SenderMacNotUnicast', target)
  if (isMulticastV6(f.ip.src)) return drop('SenderIpNotUnicast', target)
  if (isAnnounced(announced, f.ip.src)) return drop('SenderIpOurs', target)
  if (!isAnnounced(announced, target)) return drop('NotAnnounced', target)
  return reply(neighborAdvertisementReply(f, solicitor, link.mac), target)
}

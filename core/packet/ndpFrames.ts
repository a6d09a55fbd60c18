// Whole Ethernet frames carrying Neighbor Discovery: decoding one as received (with its checksum
// verdict), encoding one with a correct checksum, the solicited NA that answers an NS, and the
// unsolicited NA a new owner of an address multicasts. Whether to answer is ndpRespond.ts's call.
import * as E from 'fp-ts/lib/Either.js'
import type { IP } from '../net/address.js'
import { icmpv6Checksum, NEXT_HEADER_ICMPV6 } from './checksum.js'
import { invalid, type DecodeError } from '../bytes/reader.js'
import * as eth from './ethernet.js'
import * as ipv6 from './ipv6.js'
import type { Mac } from './mac.js'
import * as ndp from './ndp.js'
import { ALL_NODES, multicastMac } from './ndpAddress.js'

export interface NdpFrame {
  readonly eth: eth.EthernetHeader
  readonly ip: ipv6.Ipv6Header
  readonly message: ndp.NdpMessage
  /** RFC 4443 §2.3 checked over the message bytes as received. */
  readonly checksumValid: boolean
}

export const decodeNdpFrame = (bytes: Uint8Array): E.Either<DecodeError, NdpFrame> =>
  E.flatMap(eth.decode(bytes, 0), (h) => {
    if (h.value.ethertype !== eth.ETHERTYPE_IPV6)
      return E.left(invalid('ethernet header', 12, `ethertype 0x${h.value.ethertype.toString(16)} is not IPv6`))
    return E.flatMap(ipv6.decode(bytes, h.next), (ip) => {
      if (ip.value.nextHeader !== NEXT_HEADER_ICMPV6)
        return E.left(invalid('ipv6 header', h.next + 6, `next header ${ip.value.nextHeader} is not ICMPv6`))
      const end = ip.next + ip.value.payloadLength
      const m = ndp.decode(bytes, ip.next, end)
      if (E.isLeft(m)) return m
      return E.right({
        eth: h.value,
        ip: ip.value,
        message: m.right.value,
        checksumValid: icmpv6Checksum(ip.value.src, ip.value.dst, bytes.subarray(ip.next, end)) === 0,
      })
    })
  })

/** What a sender chooses; the encoder derives lengths, the next header and the checksum. */
interface NdpFrameSpec {
  readonly ethDst: Mac
  readonly ethSrc: Mac
  readonly src: IP
  readonly dst: IP
  /** RFC 4861 §7.1: always 255 for Neighbor Discovery; a parameter so specs can build bad frames. */
  readonly hopLimit?: number
  readonly message: ndp.NdpMessage
}

export const encodeNdpFrame = (spec: NdpFrameSpec): Uint8Array => {
  const body = ndp.encode({ ...spec.message, checksum: 0 })
  const sum = icmpv6Checksum(spec.src, spec.dst, body)
  body[2] = sum >>> 8
  body[3] = sum & 0xff
  const header = ipv6.encode({
    trafficClass: 0,
    flowLabel: 0,
    payloadLength: body.length,
    nextHeader: NEXT_HEADER_ICMPV6,
    hopLimit: spec.hopLimit ?? 255,
    src: spec.src,
    dst: spec.dst,
  })
  const payload = new Uint8Array(header.length + body.length)
  payload.set(header, 0)
  payload.set(body, header.length)
  return eth.frame({ dst: spec.ethDst, src: spec.ethSrc, ethertype: eth.ETHERTYPE_IPV6 }, payload)
}

const advertisement = (target: IP, ourMac: Mac, solicited: boolean, override: boolean): ndp.NeighborAdvertisement => ({
  _tag: 'NeighborAdvertisement',
  code: 0,
  checksum: 0,
  target,
  router: false,
  solicited,
  override,
  // §4.4 / §7.2.4: the Target Link-Layer Address option tells the solicitor our MAC.
  options: [{ _tag: 'TargetLinkLayer', mac: ourMac }],
})

/**
 * RFC 4861 §7.2.4: the solicited NA, unicast to the solicitor at the link-layer address its NS
 * carried. Solicited set; Override off, as MetalLB sends it (the address may be announced from
 * another node a moment later and a cache entry should not flap on a stale answer). The source
 * is the target address itself, which is what Linux uses when it answers for its own address.
 */
export const neighborAdvertisementReply = (ns: NdpFrame, solicitorMac: Mac, ourMac: Mac): Uint8Array =>
  encodeNdpFrame({
    ethDst: solicitorMac,
    ethSrc: ourMac,
    src: ns.message.target,
    dst: ns.ip.src,
    message: advertisement(ns.message.target, ourMac, true, false),
  })

/**
 * RFC 4861 §7.2.6: an unsolicited NA to all-nodes (ff02::1), Solicited off and Override on, so that
 * neighbours replace a cached link-layer address on failover.
 */
export const unsolicitedNeighborAdvertisement = (target: IP, ourMac: Mac): Uint8Array =>
  encodeNdpFrame({
    ethDst: multicastMac(ALL_NODES),
    ethSrc: ourMac,
    src: target,
    dst: ALL_NODES,
    message: advertisement(target, ourMac, false, true),
  })

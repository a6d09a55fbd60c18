// Whole Ethernet frames carrying ARP: decoding one as received, the reply to a request, and the
// gratuitous pair a new owner of an address broadcasts. What to answer is decided in arpRespond.ts.
import * as E from 'fp-ts/lib/Either.js'
import type { IP } from '../net/address.js'
import * as arp from './arp.js'
import { invalid, type Decoded, type DecodeError } from '../bytes/reader.js'
import * as eth from './ethernet.js'
import { BROADCAST_MAC, ZERO_MAC, type Mac } from './mac.js'

interface ArpFrame {
  readonly eth: eth.EthernetHeader
  readonly arp: arp.ArpPacket
}

export const decodeArpFrame = (bytes: Uint8Array): E.Either<DecodeError, ArpFrame> =>
  E.flatMap(eth.decode(bytes, 0), (h) =>
    h.value.ethertype !== eth.ETHERTYPE_ARP
      ? E.left(invalid('ethernet header', 12, `ethertype 0x${h.value.ethertype.toString(16)} is not ARP`))
      : E.map((p: Decoded<arp.ArpPacket>) => ({ eth: h.value, arp: p.value }))(arp.decode(bytes, h.next)),
  )

export const encodeArpFrame = (f: ArpFrame): Uint8Array => eth.frame(f.eth, arp.encode(f.arp))

/**
 * RFC 826 packet reception: swap sender and target, put our hardware address in the sender field,
 * set the opcode to reply, and send it to the requester's hardware address. The sender protocol
 * address is the one asked about. A probe (RFC 5227 §2.1.1, sender 0.0.0.0) gets the same treatment:
 * the reply goes to the prober's MAC with target IP 0.0.0.0, as the Linux kernel sends it.
 */
export const arpReplyTo = (request: arp.ArpPacket, ourMac: Mac): ArpFrame => ({
  eth: { dst: request.senderMac, src: ourMac, ethertype: eth.ETHERTYPE_ARP },
  arp: { op: 'reply', senderMac: ourMac, senderIp: request.targetIp, targetMac: request.senderMac, targetIp: request.senderIp },
})

/**
 * Gratuitous ARP for `ip` now at `ourMac`: a request and a reply, both broadcast, sender IP = target
 * IP (as MetalLB sends on takeover, so that hosts honouring either kind update their caches).
 * The request is an RFC 5227 §2.3 ARP Announcement (target MAC zero); the reply sets the target MAC
 * to our own, as RFC 5944 §4.6 describes for a gratuitous reply.
 */
export const gratuitousArp = (ip: IP, ourMac: Mac): readonly [ArpFrame, ArpFrame] => {
  const header = { dst: BROADCAST_MAC, src: ourMac, ethertype: eth.ETHERTYPE_ARP }
  return [
    { eth: header, arp: { op: 'request', senderMac: ourMac, senderIp: ip, targetMac: ZERO_MAC, targetIp: ip } },
    { eth: header, arp: { op: 'reply', senderMac: ourMac, senderIp: ip, targetMac: ourMac, targetIp: ip } },
  ]
}

// The ARP responder's decision for one received frame: answer, or drop with a named reason. It
// follows what MetalLB's layer-2 ARP responder does: only requests, only when the Ethernet
// destination is broadcast or our MAC, only for addresses announced on this interface, answered
// from the interface MAC. Beyond MetalLB, a request is answered only when its sender can be answered:
// a unicast sender MAC (the reply goes there) and a unicast sender IP that is not one of ours, so a
// forged request cannot make us broadcast replies. Sending, counting and logging are the shell's.
import * as E from 'fp-ts/lib/Either.js'
import { arpReplyTo, decodeArpFrame, encodeArpFrame } from './arpFrames.js'
import { BROADCAST_MAC, isUnicastMac } from './mac.js'
import type { IP } from '../net/address.js'
import { drop, isAnnounced, reply, type AnnouncedSet, type LinkIdentity, type Verdict } from './respond.js'
import * as eth from './ethernet.js'

export const ARP_DROP_REASONS = [
  /** Not an ARP frame at all (another ethertype). */
  'NotForUs',
  /** Too short, or not Ethernet/IPv4 ARP, or an unknown operation. */
  'Malformed',
  /** An ARP reply (or our own gratuitous frames echoed back): nothing to answer. */
  'NotRequest',
  /** Neither broadcast nor our MAC: meant for another host (MetalLB's dropReasonEthernetDestination). */
  'WrongEthernetDestination',
  /** Sent from our own MAC: never answer ourselves. */
  'FromUs',
  /** Ethernet source or ARP sender MAC is a group (broadcast, multicast) or zero MAC: a reply would flood the LAN. */
  'SenderMacNotUnicast',
  /** ARP sender IP is multicast (224.0.0.0/4) or the limited broadcast 255.255.255.255: no host has it. */
  'SenderIpNotUnicast',
  /** ARP sender IP is an address we announce here: a conflicting claim (or a forgery), not a question to answer. */
  'SenderIpOurs',
  /** The target IP is not announced on this interface (MetalLB's dropReasonAnnounceIP). */
  'NotAnnounced',
] as const
export type ArpDropReason = (typeof ARP_DROP_REASONS)[number]

export const respondArp = (frame: Uint8Array, link: LinkIdentity, announced: AnnouncedSet): Verdict<ArpDropReason> => {
  const header = eth.decode(frame, 0)
  if (E.isLeft(header)) return drop('Malformed')
  if (header.right.value.ethertype !== eth.ETHERTYPE_ARP) return drop('NotForUs')
  const decoded = decodeArpFrame(frame)
  if (E.isLeft(decoded)) return drop('Malformed')
  const { eth: h, arp: p } = decoded.right
  if (p.op !== 'request') return drop('NotRequest', p.targetIp)
  if (h.dst !== BROADCAST_MAC && h.dst !== link.mac) return drop('WrongEthernetDestination', p.targetIp)
  if (h.src === link.mac || p.senderMac === link.mac) return drop('FromUs', p.targetIp)
  if (!isUnicastMac(h.src) || !isUnicastMac(p.senderMac)) return drop('SenderMacNotUnicast', p.targetIp)
  // 0.0.0.0 stays allowed: an RFC 5227 probe is answered to its sender MAC.
  if (!isUnicastV4Sender(p.senderIp)) return drop('SenderIpNotUnicast', p.targetIp)
  if (isAnnounced(announced, p.senderIp)) return drop('SenderIpOurs', p.targetIp)
  if (!isAnnounced(announced, p.targetIp)) return drop('NotAnnounced', p.targetIp)
  return reply(encodeArpFrame(arpReplyTo(p, link.mac)), p.targetIp)
}

const LIMITED_BROADCAST = 0xffffffffn
/** RFC 5771: 224.0.0.0/4 is multicast; RFC 919: 255.255.255.255 is the limited broadcast. */
const isUnicastV4Sender = (ip: IP): boolean => ip.value >> 28n !== 0xen && ip.value !== LIMITED_BROADCAST

// The BFD echo packet (RFC 5880 §6.4, RFC 5881 §4) as the whole Ethernet frame we send and get back.
// An echo is UDP to port 3785 with our own address as both source and destination, sent to the peer's
// MAC: the peer's forwarding plane routes it straight back to us, so no BFD code on the peer touches it
// (FRR's bfdd sends its IPv4 echoes the same way). Its payload is ours alone to define (§6.4): a tag,
// the session's discriminator, and a sequence number for whoever reads a capture.
// What comes back arrives on a packet socket (the kernel drops a packet whose source is one of its own
// addresses as a martian before any UDP socket sees it), so the receive checks are all here: one
// forwarding hop (TTL 254), our address both ways, port 3785, our tag. IPv4 only (see README).
import * as E from 'fp-ts/lib/Either.js'
import { u8, u16, u32 } from '../bytes/reader.js'
import { putU16, putU32 } from '../bytes/writer.js'
import type { IP } from '../net/address.js'
import type { BpfInstruction } from '../packet/bpf.js'
import { internetChecksum } from '../packet/checksum.js'
import { ETHERNET_HEADER_LENGTH, ETHERTYPE_IPV4, frame } from '../packet/ethernet.js'
import { ipBytes, ipv4At } from '../packet/ipBytes.js'
import type { Mac } from '../packet/mac.js'

const ECHO_PORT = 3785
/** 'IBE1': IronLB BFD echo, version 1. */
const TAG = 0x49424531
const IP_HEADER = 20
const UDP_HEADER = 8
const PAYLOAD = 12
const PROTO_UDP = 17
/** Sent with 255 (as control packets, RFC 5881 §5); the peer's forwarding takes one off. */
const SENT_TTL = 255
const RETURNED_TTL = SENT_TTL - 1
/** DSCP CS6 (network control), as FRR marks BFD. */
const TOS = 0xc0

export interface EchoFrame {
  readonly ourMac: Mac
  readonly peerMac: Mac
  /** Ours: the packet's source and its destination. */
  readonly address: IP
  readonly sourcePort: number
  readonly discriminator: number
  readonly sequence: number
}

/** The UDP checksum (RFC 768) over the IPv4 pseudo-header with source = destination = `address`. */
const udpChecksum = (address: IP, udp: Uint8Array): number => {
  const pseudo = new Uint8Array(12 + udp.length)
  pseudo.set(ipBytes(address), 0)
  pseudo.set(ipBytes(address), 4)
  pseudo[9] = PROTO_UDP
  putU16(pseudo, 10, udp.length)
  pseudo.set(udp, 12)
  const sum = internetChecksum(pseudo)
  // RFC 768: a computed zero is sent as all ones (zero means "no checksum").
  return sum === 0 ? 0xffff : sum
}

export const encodeEchoFrame = (f: EchoFrame): Uint8Array => {
  const udp = new Uint8Array(UDP_HEADER + PAYLOAD)
  putU16(udp, 0, f.sourcePort)
  putU16(udp, 2, ECHO_PORT)
  putU16(udp, 4, udp.length)
  putU32(udp, 8, TAG)
  putU32(udp, 12, f.discriminator)
  putU32(udp, 16, f.sequence)
  putU16(udp, 6, udpChecksum(f.address, udp))
  const ip = new Uint8Array(IP_HEADER + udp.length)
  ip[0] = 0x45
  ip[1] = TOS
  putU16(ip, 2, ip.length)
  putU16(ip, 6, 0x4000) // DF, no fragment
  ip[8] = SENT_TTL
  ip[9] = PROTO_UDP
  ip.set(ipBytes(f.address), 12)
  ip.set(ipBytes(f.address), 16)
  putU16(ip, 10, internetChecksum(ip.subarray(0, IP_HEADER)))
  ip.set(udp, IP_HEADER)
  return frame({ dst: f.peerMac, src: f.ourMac, ethertype: ETHERTYPE_IPV4 }, ip)
}

export interface ReturnedEcho {
  readonly discriminator: number
  readonly sequence: number
}

/** Why a frame on the echo socket is not one of our echoes come back. */
type EchoRefusal = 'NotIpv4Udp' | 'Fragment' | 'BadChecksum' | 'NotOurAddress' | 'NotEchoPort' | 'NotLoopedOnce' | 'NotOurTag'

/** Checks a frame that arrived on the echo packet socket; our echo after one trip through the peer, or why not. */
export const decodeReturnedEcho = (b: Uint8Array, ours: IP): E.Either<EchoRefusal, ReturnedEcho> => {
  const ip = ETHERNET_HEADER_LENGTH
  if (b.length < ip + IP_HEADER || u16(b, 12) !== ETHERTYPE_IPV4 || u8(b, ip) >>> 4 !== 4 || u8(b, ip + 9) !== PROTO_UDP) return E.left('NotIpv4Udp')
  const ihl = (u8(b, ip) & 0x0f) * 4
  const udp = ip + ihl
  if (ihl < IP_HEADER || b.length < udp + UDP_HEADER + PAYLOAD) return E.left('NotIpv4Udp')
  if ((u16(b, ip + 6) & 0x3fff) !== 0) return E.left('Fragment')
  if (internetChecksum(b.subarray(ip, udp)) !== 0) return E.left('BadChecksum')
  const mine = ours.family === 4 ? ours.value : -1n
  if (ipv4At(b, ip + 12).value !== mine || ipv4At(b, ip + 16).value !== mine) return E.left('NotOurAddress')
  if (u16(b, udp + 2) !== ECHO_PORT) return E.left('NotEchoPort')
  if (u8(b, ip + 8) !== RETURNED_TTL) return E.left('NotLoopedOnce')
  if (u32(b, udp + 8) !== TAG) return E.left('NotOurTag')
  return E.right({ discriminator: u32(b, udp + 12), sequence: u32(b, udp + 16) })
}

// Classic BPF opcodes (linux/filter.h), as core/packet/bpf.ts names them.
const LDH_ABS = 0x28
const LDB_ABS = 0x30
const LDH_IND = 0x48
const LDX_MSH = 0xb1
const JEQ_K = 0x15
const JSET_K = 0x45
const RET_K = 0x06
const op = (code: number, k: number, jt = 0, jf = 0): BpfInstruction => ({ code, jt, jf, k })

/**
 * Only unfragmented IPv4 UDP to port 3785 reaches the echo socket (an ETH_P_IP packet socket would copy
 * every IPv4 frame of the link to user space otherwise). Jumps count instructions skipped; 10 rejects.
 */
export const echoFilter: readonly BpfInstruction[] = [
  op(LDH_ABS, 12),
  op(JEQ_K, ETHERTYPE_IPV4, 0, 8),
  op(LDB_ABS, ETHERNET_HEADER_LENGTH + 9),
  op(JEQ_K, PROTO_UDP, 0, 6),
  op(LDH_ABS, ETHERNET_HEADER_LENGTH + 6),
  op(JSET_K, 0x1fff, 4, 0),
  op(LDX_MSH, ETHERNET_HEADER_LENGTH),
  op(LDH_IND, ETHERNET_HEADER_LENGTH + 2),
  op(JEQ_K, ECHO_PORT, 0, 1),
  op(RET_K, 0x40000),
  op(RET_K, 0),
]

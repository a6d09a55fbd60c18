// ARP for Ethernet and IPv4 (RFC 826), the only pairing a layer-2 announcer needs. The codec
// refuses other hardware/protocol pairs rather than carrying bytes it cannot interpret.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |   hardware type (1 = Ethernet)|   protocol type (0x0800)      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  hlen (6)     |  plen (4)     |   operation (1 req, 2 reply)  |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                sender hardware address (6)                    |
// +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                               |  sender protocol address (4)  |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
// |                               |                               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
// |                target hardware address (6)                    |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                target protocol address (4)                    |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import * as E from 'fp-ts/lib/Either.js'
import type { IP } from '../net/address.js'
import { invalid, needBytes, u16, u8, type DecodeResult } from '../bytes/reader.js'
import { putU16 } from '../bytes/writer.js'
import { ipv4At, writeIp } from './ipBytes.js'
import { macAt, writeMac, type Mac } from './mac.js'

const ARP_LENGTH = 28
const HTYPE_ETHERNET = 1
const PTYPE_IPV4 = 0x0800

type ArpOperation = 'request' | 'reply'

export interface ArpPacket {
  readonly op: ArpOperation
  readonly senderMac: Mac
  /** IPv4; RFC 5227 §2.1.1: 0.0.0.0 in a probe. */
  readonly senderIp: IP
  readonly targetMac: Mac
  readonly targetIp: IP
}

// RFC 826 "ar$op": 1 is REQUEST, 2 is REPLY. RARP and InARP codes are not ours to answer.
const OP_CODE: Record<ArpOperation, number> = { request: 1, reply: 2 }

export const encodingLength = (_p: ArpPacket): number => ARP_LENGTH

export const encode = (p: ArpPacket): Uint8Array => {
  const out = new Uint8Array(ARP_LENGTH)
  putU16(out, 0, HTYPE_ETHERNET)
  putU16(out, 2, PTYPE_IPV4)
  out[4] = 6
  out[5] = 4
  putU16(out, 6, OP_CODE[p.op])
  writeMac(out, 8, p.senderMac)
  writeIp(out, 14, p.senderIp)
  writeMac(out, 18, p.targetMac)
  writeIp(out, 24, p.targetIp)
  return out
}

export const decode = (bytes: Uint8Array, offset: number): DecodeResult<ArpPacket> =>
  E.flatMap(needBytes(bytes, offset, ARP_LENGTH, 'arp'), () => {
    // RFC 826 packet reception: check ar$hrd and ar$pro (and their lengths) before anything else.
    if (u16(bytes, offset) !== HTYPE_ETHERNET) return E.left(invalid('arp', offset, 'hardware type is not Ethernet'))
    if (u16(bytes, offset + 2) !== PTYPE_IPV4) return E.left(invalid('arp', offset + 2, 'protocol type is not IPv4'))
    if (u8(bytes, offset + 4) !== 6 || u8(bytes, offset + 5) !== 4)
      return E.left(invalid('arp', offset + 4, 'address lengths are not 6 and 4'))
    const code = u16(bytes, offset + 6)
    const op: ArpOperation | undefined = code === 1 ? 'request' : code === 2 ? 'reply' : undefined
    if (op === undefined) return E.left(invalid('arp', offset + 6, `operation ${code} is neither request nor reply`))
    return E.right({
      value: {
        op,
        senderMac: macAt(bytes, offset + 8),
        senderIp: ipv4At(bytes, offset + 14),
        targetMac: macAt(bytes, offset + 18),
        targetIp: ipv4At(bytes, offset + 24),
      },
      next: offset + ARP_LENGTH,
    })
  })

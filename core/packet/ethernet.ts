// Ethernet II header (DIX; IEEE 802.3 with a type field). Only the header is coded here: the payload
// belongs to the protocol named by the ethertype. 802.1Q tags are not decoded: a packet socket hands
// us frames with the VLAN tag already stripped into metadata by the kernel.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                    destination MAC (6 bytes)                  |
// +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                               |                               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+       source MAC (6 bytes)    +
// |                                                               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |          ethertype            |  payload ...
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import * as E from 'fp-ts/lib/Either.js'
import { invalid, needBytes, u16, type DecodeResult } from '../bytes/reader.js'
import { putU16 } from '../bytes/writer.js'
import { macAt, writeMac, type Mac } from './mac.js'

export const ETHERTYPE_IPV4 = 0x0800
export const ETHERTYPE_ARP = 0x0806
export const ETHERTYPE_IPV6 = 0x86dd

export const ETHERNET_HEADER_LENGTH = 14
/** IEEE 802.3 minimum frame is 64 bytes with the 4-byte FCS, which the NIC appends. */
export const ETHERNET_MIN_FRAME = 60

export interface EthernetHeader {
  readonly dst: Mac
  readonly src: Mac
  readonly ethertype: number
}

export const encodingLength = (_h: EthernetHeader): number => ETHERNET_HEADER_LENGTH

export const encode = (h: EthernetHeader): Uint8Array => {
  const out = new Uint8Array(ETHERNET_HEADER_LENGTH)
  writeMac(out, 0, h.dst)
  writeMac(out, 6, h.src)
  putU16(out, 12, h.ethertype)
  return out
}

export const decode = (bytes: Uint8Array, offset: number): DecodeResult<EthernetHeader> =>
  E.flatMap(needBytes(bytes, offset, ETHERNET_HEADER_LENGTH, 'ethernet header'), () => {
    const ethertype = u16(bytes, offset + 12)
    // IEEE 802.3 §3.2.6: values up to 1500 are a length (802.3/LLC framing), not a type.
    if (ethertype < 0x0600) return E.left(invalid('ethernet header', offset + 12, `length field ${ethertype}, not Ethernet II`))
    return E.right({
      value: { dst: macAt(bytes, offset), src: macAt(bytes, offset + 6), ethertype },
      next: offset + ETHERNET_HEADER_LENGTH,
    })
  })

/** Header then payload, zero-padded to the Ethernet minimum (what the kernel does not do for a packet socket). */
export const frame = (h: EthernetHeader, payload: Uint8Array): Uint8Array => {
  const out = new Uint8Array(Math.max(ETHERNET_MIN_FRAME, ETHERNET_HEADER_LENGTH + payload.length))
  out.set(encode(h), 0)
  out.set(payload, ETHERNET_HEADER_LENGTH)
  return out
}

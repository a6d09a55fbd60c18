// The fixed IPv6 header (RFC 8200 §3). Extension headers are not decoded: Neighbor Discovery
// messages carry none, and a solicitation behind one is not answered (the responder sees a next
// header other than 58 and drops it as not for us).
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |Version| Traffic Class |           Flow Label                  |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |         Payload Length        |  Next Header  |   Hop Limit   |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                     Source Address (16)                       |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                  Destination Address (16)                     |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import * as E from 'fp-ts/lib/Either.js'
import type { IP } from '../net/address.js'
import { invalid, needBytes, u16, u32, u8, type DecodeResult } from '../bytes/reader.js'
import { putU16, putU32 } from '../bytes/writer.js'
import { ipv6At, writeIp } from './ipBytes.js'

export const IPV6_HEADER_LENGTH = 40

export interface Ipv6Header {
  readonly trafficClass: number
  readonly flowLabel: number
  /** Bytes after this header (RFC 8200 §3), which the decoder checks are present. */
  readonly payloadLength: number
  readonly nextHeader: number
  readonly hopLimit: number
  readonly src: IP
  readonly dst: IP
}

export const encodingLength = (_h: Ipv6Header): number => IPV6_HEADER_LENGTH

export const encode = (h: Ipv6Header): Uint8Array => {
  const out = new Uint8Array(IPV6_HEADER_LENGTH)
  putU32(out, 0, ((6 << 28) | ((h.trafficClass & 0xff) << 20) | (h.flowLabel & 0xfffff)) >>> 0)
  putU16(out, 4, h.payloadLength)
  out[6] = h.nextHeader
  out[7] = h.hopLimit
  writeIp(out, 8, h.src)
  writeIp(out, 24, h.dst)
  return out
}

export const decode = (bytes: Uint8Array, offset: number): DecodeResult<Ipv6Header> =>
  E.flatMap(needBytes(bytes, offset, IPV6_HEADER_LENGTH, 'ipv6 header'), () => {
    const first = u32(bytes, offset)
    if (first >>> 28 !== 6) return E.left(invalid('ipv6 header', offset, `version ${first >>> 28}`))
    const payloadLength = u16(bytes, offset + 4)
    // The payload must be there; bytes beyond it (Ethernet padding) are ignored by the caller.
    const payload = needBytes(bytes, offset + IPV6_HEADER_LENGTH, payloadLength, 'ipv6 payload')
    if (E.isLeft(payload)) return payload
    return E.right({
      value: {
        trafficClass: (first >>> 20) & 0xff,
        flowLabel: first & 0xfffff,
        payloadLength,
        nextHeader: u8(bytes, offset + 6),
        hopLimit: u8(bytes, offset + 7),
        src: ipv6At(bytes, offset + 8),
        dst: ipv6At(bytes, offset + 24),
      },
      next: offset + IPV6_HEADER_LENGTH,
    })
  })

// ICMPv6 Neighbor Solicitation and Neighbor Advertisement messages (RFC 4861 §4.3, §4.4) with
// their options (§4.6). The codec covers the ICMPv6 message only: the checksum needs the IPv6
// addresses, so encode leaves it zero and ndpFrames.ts fills it; decode keeps what it read so the
// validation (ndpValidate.ts) can judge the message as received.
//
// Neighbor Solicitation (type 135)          Neighbor Advertisement (type 136)
// +-------+-------+---------------+         +-------+-------+---------------+
// | type  | code  |   checksum    |         | type  | code  |   checksum    |
// +-------+-------+---------------+         +-+-+-+---------+---------------+
// |          reserved (32)        |         |R|S|O|    reserved (29)        |
// +-------------------------------+         +-+-+-+-------------------------+
// |       target address (128)    |         |       target address (128)    |
// +-------------------------------+         +-------------------------------+
// |  options ...                            |  options ...
//
// Option (§4.6): | type (8) | length (8, units of 8 octets) | value ... |
// Link-layer address options on Ethernet (§4.6.1, RFC 2464 §8): length 1, a 6-byte MAC.
import * as E from 'fp-ts/lib/Either.js'
import type { IP } from '../net/address.js'
import { invalid, needBytes, u32, u8, type Decoded, type DecodeError, type DecodeResult } from '../bytes/reader.js'
import { putU32 } from '../bytes/writer.js'
import { ipv6At, writeIp } from './ipBytes.js'
import { macAt, writeMac, type Mac } from './mac.js'

export const ICMPV6_NEIGHBOR_SOLICITATION = 135
const ICMPV6_NEIGHBOR_ADVERTISEMENT = 136
const OPTION_SOURCE_LINK_LAYER = 1
const OPTION_TARGET_LINK_LAYER = 2
/** type, code, checksum, the 32-bit reserved/flags word and the target: RFC 4861 §7.1.1 "24 or more octets". */
export const NDP_FIXED_LENGTH = 24

export type NdpOption =
  | { readonly _tag: 'SourceLinkLayer'; readonly mac: Mac }
  | { readonly _tag: 'TargetLinkLayer'; readonly mac: Mac }
  /** §4.6: options we do not recognise are kept (and ignored by the responder), whole, type and length included. */
  | { readonly _tag: 'Unknown'; readonly type: number; readonly bytes: Uint8Array }

interface Common {
  /** RFC 4861 §7.1.1 requires 0; kept as received so validation can refuse otherwise. */
  readonly code: number
  readonly checksum: number
  readonly target: IP
  readonly options: readonly NdpOption[]
}
interface NeighborSolicitation extends Common {
  readonly _tag: 'NeighborSolicitation'
}
export interface NeighborAdvertisement extends Common {
  readonly _tag: 'NeighborAdvertisement'
  readonly router: boolean
  readonly solicited: boolean
  readonly override: boolean
}
export type NdpMessage = NeighborSolicitation | NeighborAdvertisement

const optionLength = (o: NdpOption): number => (o._tag === 'Unknown' ? o.bytes.length : 8)

export const encodingLength = (m: NdpMessage): number =>
  m.options.reduce((n, o) => n + optionLength(o), NDP_FIXED_LENGTH)

/** Encodes with the checksum field as given in `m` (ndpFrames.ts computes the real one). */
export const encode = (m: NdpMessage): Uint8Array => {
  const out = new Uint8Array(encodingLength(m))
  out[0] = m._tag === 'NeighborSolicitation' ? ICMPV6_NEIGHBOR_SOLICITATION : ICMPV6_NEIGHBOR_ADVERTISEMENT
  out[1] = m.code
  out[2] = (m.checksum >>> 8) & 0xff
  out[3] = m.checksum & 0xff
  // §4.4: R is the most significant bit of the word after the checksum, then S, then O.
  if (m._tag === 'NeighborAdvertisement')
    putU32(out, 4, ((m.router ? 1 << 31 : 0) | (m.solicited ? 1 << 30 : 0) | (m.override ? 1 << 29 : 0)) >>> 0)
  writeIp(out, 8, m.target)
  let at = NDP_FIXED_LENGTH
  for (const o of m.options) {
    if (o._tag === 'Unknown') out.set(o.bytes, at)
    else {
      out[at] = o._tag === 'SourceLinkLayer' ? OPTION_SOURCE_LINK_LAYER : OPTION_TARGET_LINK_LAYER
      out[at + 1] = 1
      writeMac(out, at + 2, o.mac)
    }
    at += optionLength(o)
  }
  return out
}

const decodeOptions = (bytes: Uint8Array, from: number, end: number): E.Either<DecodeError, NdpOption[]> => {
  const options: NdpOption[] = []
  let at = from
  // Each pass consumes at least 8 bytes (a zero length is refused below), so this ends.
  while (at < end) {
    if (end - at < 2) return E.left(invalid('ndp option', at, 'trailing byte after the last option'))
    const type = u8(bytes, at)
    const units = u8(bytes, at + 1)
    // §4.6: "Nodes MUST silently discard an ND packet that contains an option with length zero."
    if (units === 0) return E.left(invalid('ndp option', at + 1, 'option length zero'))
    const len = units * 8
    if (end - at < len) return E.left(invalid('ndp option', at, `option of ${len} bytes runs past the message`))
    if (type === OPTION_SOURCE_LINK_LAYER || type === OPTION_TARGET_LINK_LAYER) {
      // RFC 2464 §8: on Ethernet the option is exactly 8 bytes.
      if (units !== 1) return E.left(invalid('ndp option', at + 1, `link-layer option of ${len} bytes on Ethernet`))
      const mac = macAt(bytes, at + 2)
      options.push(type === OPTION_SOURCE_LINK_LAYER ? { _tag: 'SourceLinkLayer', mac } : { _tag: 'TargetLinkLayer', mac })
    } else options.push({ _tag: 'Unknown', type, bytes: bytes.slice(at, at + len) })
    at += len
  }
  return E.right(options)
}

/**
 * Decodes one NS or NA occupying bytes [offset, end): `end` is where the IPv6 payload stops
 * (Ethernet padding may follow), and defaults to the end of the buffer.
 */
export const decode = (bytes: Uint8Array, offset: number, end: number = bytes.length): DecodeResult<NdpMessage> => {
  const stop = Number.isSafeInteger(end) ? Math.max(0, Math.min(end, bytes.length)) : 0
  const visible = bytes.subarray(0, stop)
  // The type first, so that another ICMPv6 message is reported as such, not as a short NS.
  const first = needBytes(visible, offset, 1, 'ndp message')
  if (E.isLeft(first)) return first
  const type = u8(bytes, offset)
  if (type !== ICMPV6_NEIGHBOR_SOLICITATION && type !== ICMPV6_NEIGHBOR_ADVERTISEMENT)
    return E.left(invalid('ndp message', offset, `ICMPv6 type ${type} is not NS or NA`))
  return E.flatMap(needBytes(visible, offset, NDP_FIXED_LENGTH, 'ndp message'), () => {
    const code = u8(bytes, offset + 1)
    const checksum = (u8(bytes, offset + 2) << 8) | u8(bytes, offset + 3)
    const word = u32(bytes, offset + 4)
    const target = ipv6At(bytes, offset + 8)
    const decoded = decodeOptions(bytes, offset + NDP_FIXED_LENGTH, stop)
    if (E.isLeft(decoded)) return decoded
    const options = decoded.right
    const result: Decoded<NdpMessage> = {
      value:
        type === ICMPV6_NEIGHBOR_SOLICITATION
          ? { _tag: 'NeighborSolicitation', code, checksum, target, options }
          : {
              _tag: 'NeighborAdvertisement',
              code,
              checksum,
              target,
              options,
              router: (word & 0x80000000) !== 0,
              solicited: (word & 0x40000000) !== 0,
              override: (word & 0x20000000) !== 0,
            },
      next: stop,
    }
    return E.right(result)
  })
}

export const sourceLinkLayer = (m: NdpMessage): Mac | undefined => {
  for (const o of m.options) if (o._tag === 'SourceLinkLayer') return o.mac
  return undefined
}

export const targetLinkLayer = (m: NdpMessage): Mac | undefined => {
  for (const o of m.options) if (o._tag === 'TargetLinkLayer') return o.mac
  return undefined
}

// The Internet checksum (RFC 1071) and the ICMPv6 checksum over the IPv6 pseudo-header
// (RFC 4443 §2.3, whose pseudo-header is defined in RFC 8200 §8.1).
import type { IP } from '../net/address.js'
import { ipBytes } from './ipBytes.js'

/** 16-bit one's complement sum of the bytes (a trailing odd byte is padded with zero), not inverted. */
const onesSum = (bytes: Uint8Array, start: number): number => {
  let sum = start
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)
  if (bytes.length % 2 === 1) sum += (bytes[bytes.length - 1] ?? 0) << 8
  // Fold the carries back in (RFC 1071 §4.1); a few rounds suffice for any length we handle.
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000)
  return sum
}

export const internetChecksum = (bytes: Uint8Array): number => ~onesSum(bytes, 0) & 0xffff

export const NEXT_HEADER_ICMPV6 = 58

/**
 * RFC 8200 §8.1 pseudo-header: source (16), destination (16), upper-layer packet length (4),
 * three zero bytes and the next header value 58 (1), followed by the ICMPv6 message itself.
 * Computed with the message's checksum field zero, it is the value to put there; computed over
 * a received message as it is, a correct checksum makes the result 0.
 */
export const icmpv6Checksum = (src: IP, dst: IP, message: Uint8Array): number => {
  const pseudo = new Uint8Array(40)
  pseudo.set(ipBytes(src), 0)
  pseudo.set(ipBytes(dst), 16)
  const len = message.length
  pseudo[32] = (len >>> 24) & 0xff
  pseudo[33] = (len >>> 16) & 0xff
  pseudo[34] = (len >>> 8) & 0xff
  pseudo[35] = len & 0xff
  pseudo[39] = NEXT_HEADER_ICMPV6
  return ~onesSum(message, onesSum(pseudo, 0)) & 0xffff
}

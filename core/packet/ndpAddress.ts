// The addresses Neighbor Discovery derives from a target: its solicited-node multicast group
// (RFC 4291 §2.7.1) and the Ethernet multicast MAC any IPv6 multicast group maps to (RFC 2464 §7).
import { unsafeIp, type IP } from '../net/address.js'
import type { Mac } from './mac.js'

const SOLICITED_NODE_PREFIX = 0xff0200000000000000000001ff000000n // ff02::1:ff00:0/104
export const ALL_NODES = unsafeIp(6, 0xff020000000000000000000000000001n) // ff02::1

/** ff02::1:ffXX:XXXX with the low 24 bits of the address (RFC 4291 §2.7.1). */
export const solicitedNode = (ip: IP): IP => unsafeIp(6, SOLICITED_NODE_PREFIX | (ip.value & 0xffffffn))

/** RFC 4291 §2.7: multicast addresses start with 0xff. */
export const isMulticastV6 = (ip: IP): boolean => ip.family === 6 && ip.value >> 120n === 0xffn

export const isSolicitedNode = (ip: IP): boolean => ip.family === 6 && ip.value >> 24n === SOLICITED_NODE_PREFIX >> 24n

/** 33:33 followed by the low 32 bits of the group (RFC 2464 §7); for ff02::1:ffXX:XXXX that is 33:33:ff:XX:XX:XX. */
export const multicastMac = (group: IP): Mac => {
  const low = group.value & 0xffffffffn
  const parts = ['33', '33']
  for (const shift of [24n, 16n, 8n, 0n]) parts.push(((low >> shift) & 0xffn).toString(16).padStart(2, '0'))
  return parts.join(':') as Mac
}

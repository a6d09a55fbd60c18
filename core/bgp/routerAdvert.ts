// The Router Advertisement an unnumbered speaker multicasts on its link so that FRR learns its
// link-local address: FRR's zebra enters the sender of every RA heard on an interface-peer link as
// that peer (its "connected neighbour") and bgpd dials or accepts only that address. Router lifetime
// 0 (RFC 4861 §4.2): we are not a default router, so no host on the link routes through us; no
// prefixes. Hop limit 255 (§6.1.2: receivers drop any other). With the source link-layer option.
import type { IP } from '../net/address.js'
import { NEXT_HEADER_ICMPV6, icmpv6Checksum } from '../packet/checksum.js'
import * as eth from '../packet/ethernet.js'
import * as ipv6 from '../packet/ipv6.js'
import { type Mac, macBytes } from '../packet/mac.js'
import { ALL_NODES, multicastMac } from '../packet/ndpAddress.js'

const ICMPV6_ROUTER_ADVERTISEMENT = 134
const SOURCE_LINK_LAYER_OPTION = 1

/** A whole Ethernet frame: RA from `src` (our link-local address) and `mac` to all nodes (ff02::1). */
export const routerAdvertisementFrame = (src: IP, mac: Mac): Uint8Array => {
  // Type, code, checksum, cur hop limit 0 and flags 0 (unspecified), router lifetime 0, reachable
  // time 0, retrans timer 0; then the source link-layer address option (8 bytes).
  const body = Uint8Array.from([ICMPV6_ROUTER_ADVERTISEMENT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, SOURCE_LINK_LAYER_OPTION, 1, ...macBytes(mac)])
  const sum = icmpv6Checksum(src, ALL_NODES, body)
  body[2] = sum >>> 8
  body[3] = sum & 0xff
  const header = ipv6.encode({ trafficClass: 0, flowLabel: 0, payloadLength: body.length, nextHeader: NEXT_HEADER_ICMPV6, hopLimit: 255, src, dst: ALL_NODES })
  const payload = new Uint8Array(header.length + body.length)
  payload.set(header, 0)
  payload.set(body, header.length)
  return eth.frame({ dst: multicastMac(ALL_NODES), src: mac, ethertype: eth.ETHERTYPE_IPV6 }, payload)
}

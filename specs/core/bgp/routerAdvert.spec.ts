import t from 'tap'
import * as E from 'fp-ts/lib/Either.js'
import { routerAdvertisementFrame } from '../../../core/bgp/routerAdvert.js'
import { parseIP } from '../../../core/net/address.js'
import { icmpv6Checksum } from '../../../core/packet/checksum.js'
import * as ipv6 from '../../../core/packet/ipv6.js'
import { type Mac, parseMac } from '../../../core/packet/mac.js'

const src = parseIP('fe80::a8bb:ccff:fedd:eeff')
const mac = parseMac('aa:bb:cc:dd:ee:ff') as Mac
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

t.test('an RA from our link-local address to all nodes: lifetime 0, hop limit 255, our MAC, a valid checksum', async (t) => {
  if (E.isLeft(src)) throw new Error(src.left)
  const f = routerAdvertisementFrame(src.right, mac)
  t.equal(hex(f.subarray(0, 14)), '333300000001' + 'aabbccddeeff' + '86dd', 'Ethernet: to 33:33:00:00:00:01 from our MAC, IPv6')
  const ip = ipv6.decode(f, 14)
  if (E.isLeft(ip)) throw new Error('no IPv6 header')
  t.same([ip.right.value.hopLimit, ip.right.value.nextHeader, ip.right.value.payloadLength], [255, 58, 24], 'hop limit 255 (RFC 4861 §6.1.2), ICMPv6, 24 bytes')
  const body = f.subarray(54)
  t.equal(hex(body.subarray(0, 2)), '8600', 'type 134, code 0')
  t.equal(hex(body.subarray(4, 16)), '000000000000000000000000', 'hop limit, flags, router lifetime 0, reachable and retrans time 0')
  t.equal(hex(body.subarray(16)), '0101' + 'aabbccddeeff', 'source link-layer address option')
  t.equal(icmpv6Checksum(ip.right.value.src, ip.right.value.dst, body), 0, 'the checksum verifies')
})

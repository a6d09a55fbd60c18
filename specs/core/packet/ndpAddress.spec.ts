import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { formatIP, parseIP, type IP } from '../../../core/net/address.js'
import { ALL_NODES, isMulticastV6, isSolicitedNode, multicastMac, solicitedNode } from '../../../core/packet/ndpAddress.js'
import { anyV6, v6Text } from './arbitraries.js'
import { v6Hex } from './build.js'

const ip = (s: string): IP => {
  const r = parseIP(s)
  if (E.isLeft(r)) throw new Error(s)
  return r.right
}

t.test('solicited-node group (RFC 4291 §2.7.1) and its MAC (RFC 2464 §7)', async (t) => {
  const rows = [
    { in: '2001:db8:100::10', group: 'ff02::1:ff00:10', mac: '33:33:ff:00:00:10' },
    { in: 'fe80::5eff:fe10:a', group: 'ff02::1:ff10:a', mac: '33:33:ff:10:00:0a' },
    { in: '2001:db8::abcd:ef12:3456', group: 'ff02::1:ff12:3456', mac: '33:33:ff:12:34:56' },
  ]
  for (const r of rows) {
    t.equal(formatIP(solicitedNode(ip(r.in))), r.group, r.in)
    t.equal(multicastMac(solicitedNode(ip(r.in))), r.mac, r.in)
  }
  t.equal(multicastMac(ALL_NODES), '33:33:00:00:00:01')
})

t.test('properties', async (t) => {
  fc.assert(
    fc.property(anyV6, (a) => {
      const g = solicitedNode(a)
      const hex = v6Hex(v6Text(a))
      return (
        isSolicitedNode(g) &&
        isMulticastV6(g) &&
        v6Hex(v6Text(g)) === `ff0200000000000000000001ff${hex.slice(26)}` &&
        multicastMac(g) === `33:33:ff:${hex.slice(26, 28)}:${hex.slice(28, 30)}:${hex.slice(30)}` &&
        isMulticastV6(a) === hex.startsWith('ff')
      )
    }),
  )
  t.notOk(isSolicitedNode(ALL_NODES))
  t.notOk(isMulticastV6(ip('255.0.0.1')), 'IPv4 is never an IPv6 multicast')
})

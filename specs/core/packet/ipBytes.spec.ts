import t from 'tap'
import fc from 'fast-check'
import { ipBytes, ipv4At, ipv6At } from '../../../core/packet/ipBytes.js'
import { anyV4, anyV6, v4Text, v6Text } from './arbitraries.js'
import { hexOf, v4Hex, v6Hex } from './build.js'

t.test('IPv4 bytes agree with the builder and round trip', async (t) => {
  fc.assert(fc.property(anyV4, (ip) => hexOf(ipBytes(ip)) === v4Hex(v4Text(ip)) && ipv4At(ipBytes(ip), 0).value === ip.value))
  t.pass('ok')
})

t.test('IPv6 bytes agree with the builder and round trip', async (t) => {
  fc.assert(fc.property(anyV6, (ip) => hexOf(ipBytes(ip)) === v6Hex(v6Text(ip)) && ipv6At(ipBytes(ip), 0).value === ip.value))
  t.pass('ok')
})

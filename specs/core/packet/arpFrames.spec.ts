import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { parseIP, type IP } from '../../../core/net/address.js'
import { arpReplyTo, decodeArpFrame, encodeArpFrame, gratuitousArp } from '../../../core/packet/arpFrames.js'
import type { Mac } from '../../../core/packet/mac.js'
import { anyV4, unicastMac, v4Text } from './arbitraries.js'
import { bytes, hexOf, mkArpFrame } from './build.js'
import { captures } from './captures.js'

const ip = (s: string): IP => {
  const r = parseIP(s)
  if (E.isLeft(r)) throw new Error(s)
  return r.right
}
const B = '02:00:5e:10:00:0b' as Mac

t.test('our reply to a captured request is the Linux kernel\'s reply, padded to 60 bytes', async (t) => {
  const req = decodeArpFrame(bytes(captures.arpRequestFor20))
  if (E.isLeft(req)) return t.fail('decode')
  const ours = encodeArpFrame(arpReplyTo(req.right.arp, B))
  t.equal(hexOf(ours.subarray(0, 42)), captures.arpReplyFrom20)
  t.equal(ours.length, 60)
  t.ok(ours.subarray(42).every((b) => b === 0), 'zero padding')
})

t.test('reply to any request swaps the addresses (RFC 826)', async (t) => {
  fc.assert(
    fc.property(unicastMac, anyV4, anyV4, unicastMac, (asker, askerIp, wanted, ours) => {
      const request = mkArpFrame({ src: asker, sha: asker, spa: v4Text(askerIp), tpa: v4Text(wanted) })
      const decoded = decodeArpFrame(request)
      if (E.isLeft(decoded)) return false
      const want = mkArpFrame({ dst: asker, src: ours, op: 2, sha: ours, spa: v4Text(wanted), tha: asker, tpa: v4Text(askerIp) })
      return hexOf(encodeArpFrame(arpReplyTo(decoded.right.arp, ours))) === hexOf(want)
    }),
  )
  t.pass('ok')
})

t.test('gratuitous ARP: a request and a reply, broadcast, sender IP = target IP', async (t) => {
  const [req, rep] = gratuitousArp(ip('198.51.100.10'), B)
  t.equal(
    hexOf(encodeArpFrame(req)),
    hexOf(mkArpFrame({ dst: 'ff:ff:ff:ff:ff:ff', src: B, op: 1, sha: B, spa: '198.51.100.10', tha: '00:00:00:00:00:00', tpa: '198.51.100.10' })),
    'RFC 5227 §2.3 announcement',
  )
  t.equal(
    hexOf(encodeArpFrame(rep)),
    hexOf(mkArpFrame({ dst: 'ff:ff:ff:ff:ff:ff', src: B, op: 2, sha: B, spa: '198.51.100.10', tha: B, tpa: '198.51.100.10' })),
    'RFC 5944 §4.6 gratuitous reply',
  )
})

t.test('decodeArpFrame refuses other ethertypes', async (t) => {
  t.match(decodeArpFrame(bytes(captures.nsFor10)), { left: { _tag: 'Invalid', at: 12 } })
  t.match(decodeArpFrame(bytes('ffff')), { left: { _tag: 'Truncated' } })
})

import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { formatIP, parseIP, type IP } from '../../../core/net/address.js'
import type { Mac } from '../../../core/packet/mac.js'
import { decodeNdpFrame, encodeNdpFrame, neighborAdvertisementReply, unsolicitedNeighborAdvertisement } from '../../../core/packet/ndpFrames.js'
import { docV6, unicastMac, v6Text } from './arbitraries.js'
import { bytes, hexOf, mkNdpFrame, slla, tlla } from './build.js'
import { captures } from './captures.js'

const ip = (s: string): IP => {
  const r = parseIP(s)
  if (E.isLeft(r)) throw new Error(s)
  return r.right
}
const OUR = '02:00:5e:10:00:0b' as Mac

t.test('decodes captured frames with their checksum verdict', async (t) => {
  const ns = decodeNdpFrame(bytes(captures.nsFor10))
  if (E.isLeft(ns)) return t.fail('ns')
  t.ok(ns.right.checksumValid)
  t.equal(ns.right.ip.hopLimit, 255)
  t.equal(formatIP(ns.right.message.target), '2001:db8:100::10')
  const bad = bytes(captures.nsFor10)
  bad[57] = (bad[57] ?? 0) ^ 1
  t.match(decodeNdpFrame(bad), { right: { checksumValid: false } }, 'a flipped checksum byte is noticed')
  t.match(decodeNdpFrame(bytes(captures.arpRequestFor10)), { left: { _tag: 'Invalid', at: 12 } })
})

t.test('solicited NA for the captured NS: S on, O off, TLLA, to the solicitor (RFC 4861 §7.2.4)', async (t) => {
  const ns = decodeNdpFrame(bytes(captures.nsFor20))
  if (E.isLeft(ns)) return t.fail('ns')
  const ours = neighborAdvertisementReply(ns.right, '02:00:5e:10:00:0a' as Mac, OUR)
  const want = mkNdpFrame({
    ethDst: '02:00:5e:10:00:0a',
    ethSrc: OUR,
    src: '2001:db8:100::20',
    dst: 'fe80::5eff:fe10:a',
    type: 136,
    word: 0x40000000,
    target: '2001:db8:100::20',
    options: [tlla(OUR)],
  })
  t.equal(hexOf(ours), hexOf(want))
  // The Linux kernel's own answer differs only in the Override flag and so in the checksum.
  const kernel = bytes(captures.naFrom20)
  const diff = [...ours].flatMap((b, i) => (b === kernel[i] ? [] : [i]))
  t.same(diff, [56, 57, 58], 'checksum bytes and the flags byte')
  t.equal((kernel[58] ?? 0) & ~0x20, ours[58], 'kernel sets O; we leave it off')
})

t.test('unsolicited NA to ff02::1 with Override on (RFC 4861 §7.2.6)', async (t) => {
  const got = unsolicitedNeighborAdvertisement(ip('2001:db8:100::10'), OUR)
  const want = mkNdpFrame({
    ethDst: '33:33:00:00:00:01',
    ethSrc: OUR,
    src: '2001:db8:100::10',
    dst: 'ff02::1',
    type: 136,
    word: 0x20000000,
    target: '2001:db8:100::10',
    options: [tlla(OUR)],
  })
  t.equal(hexOf(got), hexOf(want))
})

t.test('encode then decode: any NS round trips with a valid checksum', async (t) => {
  fc.assert(
    fc.property(unicastMac, docV6, docV6, fc.integer({ min: 0, max: 255 }), (mac, src, target, hop) => {
      const frame = encodeNdpFrame({
        ethDst: '33:33:ff:00:00:01' as Mac,
        ethSrc: mac,
        src,
        dst: target,
        hopLimit: hop,
        message: { _tag: 'NeighborSolicitation', code: 0, checksum: 0, target, options: [{ _tag: 'SourceLinkLayer', mac }] },
      })
      const built = mkNdpFrame({ ethDst: '33:33:ff:00:00:01', ethSrc: mac, src: v6Text(src), dst: v6Text(target), hopLimit: hop, target: v6Text(target), options: [slla(mac)] })
      const back = decodeNdpFrame(frame)
      return hexOf(frame) === hexOf(built) && E.isRight(back) && back.right.checksumValid && back.right.ip.hopLimit === hop && back.right.message.target.value === target.value
    }),
  )
  t.pass('ok')
})

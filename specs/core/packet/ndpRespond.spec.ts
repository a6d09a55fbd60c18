import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { parseIP, type IP } from '../../../core/net/address.js'
import type { Mac } from '../../../core/packet/mac.js'
import { decodeNdpFrame } from '../../../core/packet/ndpFrames.js'
import { NDP_DROP_REASONS, respondNdp, type NdpDropReason } from '../../../core/packet/ndpRespond.js'
import { validateAdvertisement } from '../../../core/packet/ndpValidate.js'
import { targetLinkLayer } from '../../../core/packet/ndp.js'
import { announcedSet } from '../../../core/packet/respond.js'
import { docV6, mutated, unicastMac, v6Text } from './arbitraries.js'
import { bytes, hexOf, mkArpFrame, mkNdpFrame, slla, tlla } from './build.js'
import { captures } from './captures.js'

const ip = (s: string): IP => {
  const r = parseIP(s)
  if (E.isLeft(r)) throw new Error(s)
  return r.right
}
const OUR = '02:00:5e:10:00:0b' as Mac
const ASKER = '02:00:5e:10:00:0a'
const link = { name: 'eth0', mac: OUR }
const announced = announcedSet([ip('2001:db8:100::10'), ip('198.51.100.10')])

const rows: ReadonlyArray<{ desc: string; in: Uint8Array; want: 'Reply' | NdpDropReason }> = [
  { desc: 'captured NS from ndisc6 for an announced address', in: bytes(captures.nsFor10), want: 'Reply' },
  { desc: 'unicast NUD to the address, to our MAC', in: mkNdpFrame({ dst: '2001:db8:100::10', ethDst: OUR }), want: 'Reply' },
  { desc: 'with an unknown option as well', in: mkNdpFrame({ options: [{ type: 14, value: '0faf3656fbd0' }, slla(ASKER)] }), want: 'Reply' },
  { desc: 'captured NS for an address we do not announce', in: bytes(captures.nsFor20), want: 'NotAnnounced' },
  { desc: 'captured DAD probe', in: bytes(captures.dadProbe), want: 'DadProbe' },
  { desc: 'DAD probe for our address', in: mkNdpFrame({ src: '::', options: [] }), want: 'DadProbe' },
  { desc: 'NS without a source link-layer option', in: mkNdpFrame({ options: [] }), want: 'NoSourceLinkLayer' },
  { desc: 'our own NS echoed back', in: mkNdpFrame({ ethSrc: OUR }), want: 'FromUs' },
  { desc: 'source link-layer option is broadcast (the NA would flood)', in: mkNdpFrame({ options: [slla('ff:ff:ff:ff:ff:ff')] }), want: 'SenderMacNotUnicast' },
  { desc: 'source link-layer option is multicast', in: mkNdpFrame({ options: [slla('33:33:00:00:00:01')] }), want: 'SenderMacNotUnicast' },
  { desc: 'source link-layer option is zero', in: mkNdpFrame({ options: [slla('00:00:00:00:00:00')] }), want: 'SenderMacNotUnicast' },
  { desc: 'Ethernet source is multicast', in: mkNdpFrame({ ethSrc: '01:00:5e:00:00:01', options: [slla(ASKER)] }), want: 'SenderMacNotUnicast' },
  { desc: 'IPv6 source is multicast', in: mkNdpFrame({ src: 'ff02::1' }), want: 'SenderIpNotUnicast' },
  { desc: 'IPv6 source is the announced address itself', in: mkNdpFrame({ src: '2001:db8:100::10' }), want: 'SenderIpOurs' },
  { desc: 'hop limit 64', in: mkNdpFrame({ hopLimit: 64 }), want: 'HopLimitNot255' },
  { desc: 'bad checksum', in: mkNdpFrame({ checksumDelta: 7 }), want: 'BadChecksum' },
  { desc: 'code 9', in: mkNdpFrame({ code: 9 }), want: 'NonZeroCode' },
  { desc: 'multicast target', in: mkNdpFrame({ target: 'ff02::1:2', dst: 'ff02::1:ff01:2' }), want: 'MulticastTarget' },
  { desc: 'DAD with SLLA', in: mkNdpFrame({ src: '::' }), want: 'DadWithSourceLinkLayer' },
  { desc: 'sent to another host\'s MAC', in: mkNdpFrame({ ethDst: '02:00:5e:10:00:99' }), want: 'WrongEthernetDestination' },
  { desc: 'multicast MAC of another group', in: mkNdpFrame({ ethDst: '33:33:ff:00:00:11' }), want: 'WrongEthernetDestination' },
  { desc: 'IPv6 destination is another solicited-node group', in: mkNdpFrame({ dst: 'ff02::1:ff00:11' }), want: 'WrongIpDestination' },
  { desc: 'IPv6 destination is all-nodes', in: mkNdpFrame({ dst: 'ff02::1' }), want: 'WrongIpDestination' },
  { desc: 'captured NA', in: bytes(captures.naFrom20), want: 'NotForUs' },
  { desc: 'captured router solicitation', in: bytes(captures.routerSolicitation), want: 'NotForUs' },
  { desc: 'ARP frame', in: mkArpFrame(), want: 'NotForUs' },
  { desc: 'zero-length option', in: mkNdpFrame({ options: [{ type: 1, value: '', units: 0 }] }), want: 'Malformed' },
  { desc: 'truncated IPv6 header', in: bytes(captures.nsFor10).subarray(0, 40), want: 'Malformed' },
  { desc: 'payload length shorter than the 24-byte message', in: ((): Uint8Array => { const f = bytes(captures.nsFor10); f[19] = 20; return f })(), want: 'TooShort' },
]

t.test('decision table', async (t) => {
  for (const row of rows) {
    const v = respondNdp(row.in, link, announced)
    t.equal(v._tag === 'Reply' ? 'Reply' : v.reason, row.want, row.desc)
  }
})

t.test('the reply to the captured ndisc6 NS, byte for byte', async (t) => {
  const v = respondNdp(bytes(captures.nsFor10), link, announced)
  if (v._tag !== 'Reply') return t.fail('no reply')
  const want = mkNdpFrame({ ethDst: ASKER, ethSrc: OUR, src: '2001:db8:100::10', dst: 'fe80::5eff:fe10:a', type: 136, word: 0x40000000, target: '2001:db8:100::10', options: [tlla(OUR)] })
  t.equal(hexOf(v.frame), hexOf(want))
})

t.test('property: answers exactly the announced targets, and every answer passes §7.1.2', async (t) => {
  fc.assert(
    fc.property(fc.array(docV6, { maxLength: 4 }), docV6, fc.boolean(), unicastMac, unicastMac, docV6, (ips, other, pick, asker, ours, src) => {
      const target = pick && ips.length > 0 ? (ips[0] as IP) : other
      const want = ips.some((i) => i.value === target.value) && asker !== ours && !ips.some((i) => i.value === src.value)
      const v = respondNdp(mkNdpFrame({ ethSrc: asker, src: v6Text(src), target: v6Text(target), options: [slla(asker)] }), { name: 'x', mac: ours }, announcedSet(ips))
      if (v._tag === 'Drop') return !want
      const back = decodeNdpFrame(v.frame)
      if (E.isLeft(back) || !want) return false
      const m = back.right.message
      return (
        validateAdvertisement(back.right) === undefined &&
        m._tag === 'NeighborAdvertisement' && m.solicited && !m.override && !m.router &&
        m.target.value === target.value && targetLinkLayer(m) === ours &&
        back.right.eth.dst === asker && back.right.eth.src === ours && back.right.ip.dst.value === src.value
      )
    }),
  )
  t.pass('ok')
})

t.test('property: never throws, and every drop reason is a named one', async (t) => {
  const reasons = new Set<string>(NDP_DROP_REASONS)
  const check = (b: Uint8Array): boolean => {
    const v = respondNdp(b, link, announced)
    return v._tag === 'Reply' || reasons.has(v.reason)
  }
  fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), check))
  const valid = fc.constantFrom(...[captures.nsFor10, captures.nsUnicastNud, captures.dadProbe, captures.naFrom20].map((h) => bytes(h)))
  fc.assert(fc.property(mutated(valid), check), { numRuns: 3000 })
  t.pass('ok')
})

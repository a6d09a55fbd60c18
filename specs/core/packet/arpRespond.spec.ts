import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { parseIP, type IP } from '../../../core/net/address.js'
import { decodeArpFrame } from '../../../core/packet/arpFrames.js'
import { ARP_DROP_REASONS, respondArp, type ArpDropReason } from '../../../core/packet/arpRespond.js'
import type { Mac } from '../../../core/packet/mac.js'
import { announcedSet } from '../../../core/packet/respond.js'
import { anyV4, mutated, unicastMac, v4Text } from './arbitraries.js'
import { bytes, hexOf, mkArpFrame } from './build.js'
import { captures } from './captures.js'

const ip = (s: string): IP => {
  const r = parseIP(s)
  if (E.isLeft(r)) throw new Error(s)
  return r.right
}
const OUR = '02:00:5e:10:00:0b' as Mac
const link = { name: 'eth0', mac: OUR }
const announced = announcedSet([ip('198.51.100.10'), ip('2001:db8:100::10')])

const rows: ReadonlyArray<{ desc: string; in: Uint8Array; want: 'Reply' | ArpDropReason }> = [
  { desc: 'captured broadcast request for an announced IP', in: bytes(captures.arpRequestFor10), want: 'Reply' },
  { desc: 'request unicast to our MAC (cache refresh)', in: mkArpFrame({ dst: OUR }), want: 'Reply' },
  { desc: 'RFC 5227 probe (sender 0.0.0.0)', in: mkArpFrame({ spa: '0.0.0.0' }), want: 'Reply' },
  { desc: 'request for an IP we do not announce', in: bytes(captures.arpRequestFor20), want: 'NotAnnounced' },
  { desc: 'captured reply', in: bytes(captures.arpReplyFrom20), want: 'NotRequest' },
  { desc: 'gratuitous reply for our IP', in: mkArpFrame({ op: 2, spa: '198.51.100.10' }), want: 'NotRequest' },
  { desc: 'unicast to another MAC', in: mkArpFrame({ dst: '02:00:5e:10:00:99' }), want: 'WrongEthernetDestination' },
  { desc: 'to a multicast MAC', in: mkArpFrame({ dst: '01:00:5e:00:00:01' }), want: 'WrongEthernetDestination' },
  { desc: 'our own request echoed back', in: mkArpFrame({ src: OUR }), want: 'FromUs' },
  { desc: 'sender MAC broadcast (the reply would flood the LAN)', in: mkArpFrame({ src: '02:00:5e:10:00:0a', sha: 'ff:ff:ff:ff:ff:ff' }), want: 'SenderMacNotUnicast' },
  { desc: 'sender MAC multicast', in: mkArpFrame({ src: '02:00:5e:10:00:0a', sha: '01:00:5e:00:00:01' }), want: 'SenderMacNotUnicast' },
  { desc: 'sender MAC zero', in: mkArpFrame({ src: '02:00:5e:10:00:0a', sha: '00:00:00:00:00:00' }), want: 'SenderMacNotUnicast' },
  { desc: 'Ethernet source multicast, sender MAC unicast', in: mkArpFrame({ src: '03:00:5e:10:00:0a', sha: '02:00:5e:10:00:0a' }), want: 'SenderMacNotUnicast' },
  { desc: 'sender IP multicast', in: mkArpFrame({ spa: '224.0.0.251' }), want: 'SenderIpNotUnicast' },
  { desc: 'sender IP in 239/8', in: mkArpFrame({ spa: '239.255.255.250' }), want: 'SenderIpNotUnicast' },
  { desc: 'sender IP limited broadcast', in: mkArpFrame({ spa: '255.255.255.255' }), want: 'SenderIpNotUnicast' },
  { desc: 'sender IP is the announced address (a conflicting announcement)', in: mkArpFrame({ spa: '198.51.100.10' }), want: 'SenderIpOurs' },
  { desc: 'sender IP 240.0.0.1 (reserved, not multicast) is still answered', in: mkArpFrame({ spa: '240.0.0.1' }), want: 'Reply' },
  { desc: 'IPv6 frame', in: bytes(captures.nsFor10), want: 'NotForUs' },
  { desc: 'ARP with IEEE 802 hardware type', in: mkArpFrame({ htype: 6 }), want: 'Malformed' },
  { desc: 'ARP cut short', in: mkArpFrame().subarray(0, 30), want: 'Malformed' },
  { desc: 'Ethernet header cut short', in: bytes('ffffffffffff02'), want: 'Malformed' },
  { desc: 'empty', in: new Uint8Array(0), want: 'Malformed' },
]

t.test('decision table', async (t) => {
  for (const row of rows) {
    const v = respondArp(row.in, link, announced)
    t.equal(v._tag === 'Reply' ? 'Reply' : v.reason, row.want, row.desc)
  }
})

t.test('the reply is from our MAC to the requester, for the asked IP', async (t) => {
  const v = respondArp(bytes(captures.arpRequestFor10), link, announced)
  if (v._tag !== 'Reply') return t.fail('no reply')
  t.equal(
    hexOf(v.frame),
    hexOf(mkArpFrame({ dst: '02:00:5e:10:00:0a', src: OUR, op: 2, sha: OUR, spa: '198.51.100.10', tha: '02:00:5e:10:00:0a', tpa: '198.51.100.1' })),
  )
  t.equal(v.ip.value, ip('198.51.100.10').value)
})

t.test('property: answers exactly the announced targets, and every answer is a well-formed reply', async (t) => {
  fc.assert(
    fc.property(fc.array(anyV4, { maxLength: 5 }), anyV4, unicastMac, unicastMac, fc.boolean(), (ips, target, asker, ours, pickAnnounced) => {
      const tpa = pickAnnounced && ips.length > 0 ? (ips[0] as IP) : target
      const set = announcedSet(ips)
      const want = ips.some((i) => i.value === tpa.value) && asker !== ours && !ips.some((i) => v4Text(i) === '198.51.100.1')
      const v = respondArp(mkArpFrame({ src: asker, tpa: v4Text(tpa) }), { name: 'x', mac: ours }, set)
      if (v._tag === 'Drop') return !want
      const back = decodeArpFrame(v.frame)
      return want && E.isRight(back) && back.right.arp.op === 'reply' && back.right.eth.src === ours && back.right.arp.senderMac === ours && back.right.arp.senderIp.value === tpa.value && back.right.eth.dst === asker
    }),
  )
  t.pass('ok')
})

t.test('property: never throws, and every drop reason is a named one', async (t) => {
  const reasons = new Set<string>(ARP_DROP_REASONS)
  const check = (b: Uint8Array): boolean => {
    const v = respondArp(b, link, announced)
    return v._tag === 'Reply' || reasons.has(v.reason)
  }
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), check))
  fc.assert(fc.property(mutated(fc.constantFrom(...[captures.arpRequestFor10, captures.arpReplyFrom20, captures.arpGratuitousFromA].map((h) => bytes(h)))), check), { numRuns: 2000 })
  t.pass('ok')
})

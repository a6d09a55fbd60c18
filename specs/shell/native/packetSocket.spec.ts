// The wrapper without the network: how it reports a missing addon, and how the addon refuses bad
// arguments before it opens anything. Sockets themselves are exercised in responder.netns.spec.ts.
import t from 'tap'
import { addonCandidates, isPacketAddonBuilt, openPacketSocket, PacketAddonMissing } from '../../../shell/native/packetSocket.js'

t.test('a missing addon says how to build it', async (t) => {
  const e = new PacketAddonMissing(['/nowhere/ironlb_packet.node'])
  t.equal(e.name, 'PacketAddonMissing')
  t.match(e.message, /not built/)
  t.match(e.message, /make native/)
  t.match(e.message, /\/nowhere\/ironlb_packet\.node/)
})

t.test('candidates: the source tree, the source tree seen from dist/, and an override', async (t) => {
  const saved = process.env['IRONLB_PACKET_ADDON']
  t.teardown(() => {
    if (saved === undefined) delete process.env['IRONLB_PACKET_ADDON']
    else process.env['IRONLB_PACKET_ADDON'] = saved
  })
  delete process.env['IRONLB_PACKET_ADDON']
  const plain = addonCandidates()
  t.equal(plain.length, 2)
  t.ok(plain.every((p) => p.endsWith('shell/native/build/Release/ironlb_packet.node')))
  process.env['IRONLB_PACKET_ADDON'] = '/opt/ironlb/ironlb_packet.node'
  t.same(addonCandidates(), ['/opt/ironlb/ironlb_packet.node'], 'an explicit path is the only one looked at')
})

t.test('the addon refuses bad arguments before opening a socket', { skip: isPacketAddonBuilt() ? false : 'addon not built (make native)' }, async (t) => {
  t.throws(() => openPacketSocket({ ifindex: 0, protocol: 0x0806 }), /ifindex must be positive/)
  t.throws(() => openPacketSocket({ ifindex: 1, protocol: 0 }), /16-bit ethertype/)
  t.throws(() => openPacketSocket({ ifindex: 1, protocol: 0x10000 }), /16-bit ethertype/)
  t.throws(() => openPacketSocket({ ifindex: 1, protocol: 0x86dd, filter: [] }), /1 to 4096 instructions/)
})

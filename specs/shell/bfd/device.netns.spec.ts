// BFD to a peer in a VRF: every socket of the session is bound to the VRF's device. This kernel has no
// VRF (CONFIG_NET_VRF unset), so the binding is shown on an ordinary device, as tcpSocket.netns shows
// the BGP sockets'. The same peer address sits behind two links of ours; only the one behind eth1 is
// the peer, and a decoy behind eth0 runs BFD toward us from that same address:
//
//   decoy  eth0 198.51.100.2 ---- eth0 198.51.100.21  spk  eth1 192.0.2.21 ---- eth0 198.51.100.2, 192.0.2.2  peer
//
// Our session (--device eth1) must come Up with the peer (its packets leave eth1, though the route to
// 198.51.100.2 is eth0's), stay Up while the decoy keeps sending Down from the peer's address to eth0
// (a receiving socket bound to no device would hand those to our session, which would go Down at each),
// and the decoy must hear nothing from us. Needs root and the built addon.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { isPacketAddonBuilt } from '../../../shell/native/packetSocket.js'
import { labFor, netnsUnavailable } from '../../support/netns.js'
import { startAgent } from '../../support/netnsAgent.js'

const PEER_MAIN = fileURLToPath(new URL('./bfdPeerMain.ts', import.meta.url))
const TIMERS = ['--tx', '100', '--rx', '100', '--mult', '3', '--max-seconds', '120']
/** How long our session must stay Up beside the decoy: its Down packets come about once a second (RFC 5880 §6.8.3). */
const HOLD_MS = 4_000

const main = (): void =>
  void t.test('bound to eth1: Up with the peer behind eth1, deaf to the decoy behind eth0, silent toward it', async (t) => {
    const lab = labFor(t)
    const spk = await lab.namespace('spk')
    const decoy = await lab.namespace('decoy')
    const peerNs = await lab.namespace('peer')
    await lab.veth({ ns: spk, ifname: 'eth0' }, { ns: decoy, ifname: 'eth0' })
    await lab.veth({ ns: spk, ifname: 'eth1' }, { ns: peerNs, ifname: 'eth0' })
    await lab.address(spk, 'eth0', '198.51.100.21/24')
    await lab.address(spk, 'eth1', '192.0.2.21/24')
    await lab.address(decoy, 'eth0', '198.51.100.2/24')
    await lab.address(peerNs, 'eth0', '198.51.100.2/24')
    await lab.address(peerNs, 'eth0', '192.0.2.2/24')
    const start = (ns: string, args: readonly string[]) => startAgent(lab, ns, [...args, ...TIMERS], PEER_MAIN)
    const fake = start(decoy, ['--local', '198.51.100.2', '--remote', '198.51.100.21'])
    const peer = start(peerNs, ['--local', '198.51.100.2', '--remote', '192.0.2.21'])
    const ours = start(spk, ['--local', '192.0.2.21', '--remote', '198.51.100.2', '--device', 'eth1'])
    try {
      for (const [a, who] of [[fake, 'decoy'], [peer, 'peer'], [ours, 'ours']] as const) await a.waitFor((e) => e.event === 'started', `${who} started`, 90_000)
      await ours.waitFor((e) => e.event === 'up', 'our session Up', 15_000)
      await peer.waitFor((e) => e.event === 'up', "the peer's session Up", 15_000)
      t.pass('Up with the peer behind eth1, though the route to 198.51.100.2 goes out eth0')
      await new Promise((r) => setTimeout(r, HOLD_MS))
      const downs = ours.events.filter((e) => e.event === 'down')
      t.same(downs, [], `no Down in ${HOLD_MS} ms beside the decoy's packets`)
      ours.command({ cmd: 'state' })
      t.match(await ours.waitFor((e) => e.event === 'state', 'our state'), { state: 'Up' }, 'still Up')
      fake.command({ cmd: 'discards' })
      t.same((await fake.waitFor((e) => e.event === 'discards', "the decoy's discards"))['counts'], {}, 'the decoy got no packet of ours (it would drop one as NoSession)')
      fake.command({ cmd: 'metrics' })
      const text = String((await fake.waitFor((e) => e.event === 'metrics', "the decoy's metrics"))['text'])
      t.match(text, /metallb_bfd_control_packet_output\{[^}]*\} [1-9]/, 'the decoy did send toward us all along')
    } finally {
      if (!t.passing()) t.comment(JSON.stringify(ours.events.slice(-10)), ours.stderr().slice(-1500), JSON.stringify(fake.events.slice(-5)))
    }
  })

t.setTimeout(180_000)
const why = netnsUnavailable()
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (!isPacketAddonBuilt()) t.fail('the addon is not built: run `make native` first')
else main()

// The speaker's responder against tagged frames on a real kernel (issue 8 §3). This machine's kernel
// has no 802.1Q module, so no VLAN device exists: a frame tagged for VLAN 100 reaching the parent
// interface is the case to get right. The kernel strips the tag and marks the frame OTHERHOST
// (net/core/dev.c); before the fix the responder answered it, untagged, on the parent's network.
//
//   srv (the responder on eth0, announcing V4) eth0 ---- eth0 cli (writes raw frames: untagged,
//                                                                  VLAN 100, VLAN 0 priority tag)
//
// Needs root and the built addon (make native); frames are written with the addon too.
import t from 'tap'
import { fileURLToPath } from 'node:url'
import { isPacketAddonBuilt } from '../../../shell/native/packetSocket.js'
import { labFor, netnsUnavailable } from '../../support/netns.js'
import { startAgent, type Agent, type AgentEvent } from '../../support/netnsAgent.js'
import { hexOf, mkArpFrame } from '../../core/packet/build.js'

const V4 = '198.51.100.10'
const SRV_MAC = '02:00:5e:10:02:0a'
const CLI_MAC = '02:00:5e:10:02:01'
const AGENT = fileURLToPath(new URL('./l2ResponderAgent.ts', import.meta.url))

t.setTimeout(120_000)
const why = netnsUnavailable()
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (!isPacketAddonBuilt()) t.fail('the packet socket addon is not built: run `make native` first')
else await main()

/** An 802.1Q tag (TPID 0x8100, PCP 0, DEI 0, the VLAN ID) inserted after the two MACs. */
function tagged(frame: Uint8Array, vid: number): Uint8Array {
  const out = new Uint8Array(frame.length + 4)
  out.set(frame.subarray(0, 12), 0)
  out.set([0x81, 0x00, (vid >> 8) & 0x0f, vid & 0xff], 12)
  out.set(frame.subarray(12), 16)
  return out
}

async function main(): Promise<void> {
  const lab = labFor(t)
  const srv = await lab.namespace('srv')
  const cli = await lab.namespace('cli')
  await lab.veth({ ns: srv, ifname: 'eth0', mac: SRV_MAC }, { ns: cli, ifname: 'eth0', mac: CLI_MAC })
  const responder: Agent = startAgent(lab, srv, ['--if', 'eth0', '--ip', V4, '--tap', '--max-seconds', '90'], AGENT)
  await responder.waitFor((e) => e.event === 'ready', 'responder ready')

  const request = mkArpFrame({ src: CLI_MAC, spa: '198.51.100.1', tpa: V4 })
  // Sends one frame from cli and waits for the responder's verdict on it (a response or a drop).
  const verdictOf = async (frame: Uint8Array, what: string): Promise<AgentEvent> => {
    const seen = responder.events.length
    const inject = startAgent(lab, cli, ['--mode', 'inject', '--if', 'eth0', '--max-seconds', '20', '--frame', hexOf(frame)])
    await inject.waitFor((e) => e.event === 'injected', `${what} injected`)
    return responder.waitFor((e) => responder.events.indexOf(e) >= seen && (e.event === 'response' || e.event === 'drop'), `verdict on ${what}`, 10_000)
  }

  t.test('a request tagged for VLAN 100 is not answered on the parent interface', async (t) => {
    const v = await verdictOf(tagged(request, 100), 'VLAN 100 request')
    t.same({ event: v.event, reason: v['reason'] }, { event: 'drop', reason: 'OtherHost' }, 'dropped: the kernel marked it for another host')
    // What the addon reads through PACKET_AUXDATA: an ETH_P_ALL tap sees the frame before the
    // kernel strips the tag; an ETH_P_ARP socket (the responder's) only after.
    const seen = await responder.waitFor((e) => e.event === 'seen' && e['vlan'] === 100, 'the tap reports VLAN 100', 5_000)
    t.equal(seen['ethertype'], 0x0806, 'the tag is in the metadata, the frame reads as ARP')
  })

  t.test('the same request untagged is answered', async (t) => {
    const v = await verdictOf(request, 'untagged request')
    t.same({ event: v.event, ip: v['ip'] }, { event: 'response', ip: V4 })
    t.ok(responder.events.some((e) => e.event === 'seen' && e['vlan'] === null && e['ethertype'] === 0x0806), 'the tap reports no VLAN for it')
  })

  t.test('a priority-tagged request (VLAN 0) belongs to the untagged network and is answered', async (t) => {
    const v = await verdictOf(tagged(request, 0), 'VLAN 0 request')
    t.same({ event: v.event, ip: v['ip'] }, { event: 'response', ip: V4 })
  })

  t.test('over the whole run: two responses, one drop, and nothing else counted', async (t) => {
    const counted = responder.events.filter((e) => e.event === 'response' || e.event === 'drop').map((e) => (e.event === 'drop' ? `drop:${String(e['reason'])}` : 'response'))
    t.same(counted.sort(), ['drop:OtherHost', 'response', 'response'])
  })
}

// Integration: the packet socket addon and core/packet answering real ARP and NDP clients in a
// lab of network namespaces joined by a bridge:
//
//   srv (responder, no addresses)  cli (arping, ndisc6, ping)  obs (tcpdump)
//        eth0 ------------------------- eth0 ---------------------- eth0
//                       \_______ br0 in namespace sw ______/
//
// Needs root, the built addon (make native), and Debian's arping, ndisc6, tcpdump.
import t from 'tap'
import { isPacketAddonBuilt } from '../../../shell/native/packetSocket.js'
import { Lab, labFor, missingTools, netnsUnavailable } from '../../support/netns.js'
import { startAgent, type Agent, type AgentEvent } from '../../support/netnsAgent.js'
import { hexOf, mkArpFrame, mkNdpFrame } from '../../core/packet/build.js'

const V4 = '198.51.100.10'
const V6 = '2001:db8:100::10'
const SRV_MAC = '02:00:5e:10:01:0a'
const CLI_MAC = '02:00:5e:10:01:01'
const OBS_MAC = '02:00:5e:10:01:02'

// Namespaces, child processes and real tools: more than tap's 30 s default on a busy 2-core machine.
t.setTimeout(180_000)
const why = netnsUnavailable()
const missing = missingTools(['arping', 'ndisc6', 'tcpdump', 'bash'])
if (why !== undefined) {
  t.plan(0, `skipped: ${why}`)
} else if (missing !== undefined) {
  t.fail(missing)
} else if (!isPacketAddonBuilt()) {
  t.fail('the packet socket addon is not built: run `make native` first')
} else {
  await main()
}

/**
 * Makes the client's kernel resolve `ip` itself: one UDP datagram to the discard port (bash's
 * /dev/udp, so no extra package) queues behind an ARP request or NS, which the responder answers.
 * The datagram reaches the responder's namespace, which has no such address and drops it.
 * Returns the neighbour entry once it has a link-layer address (bounded wait).
 */
async function kernelResolves(lab: Lab, ns: string, ip: string): Promise<string> {
  await lab.exec(ns, ['bash', '-c', `echo probe > /dev/udp/${ip}/9`], 5_000)
  let entry = ''
  for (let i = 0; i < 40; i++) {
    entry = (await lab.exec(ns, ['ip', 'neigh', 'show', ip, 'dev', 'eth0'])).stdout
    if (entry.includes('lladdr')) break
    await new Promise((r) => setTimeout(r, 50))
  }
  return entry
}

async function main(): Promise<void> {
  const lab = labFor(t)
  const srv = await lab.namespace('srv')
  const cli = await lab.namespace('cli')
  const obs = await lab.namespace('obs')
  const sw = await lab.namespace('sw')
  await lab.veth({ ns: srv, ifname: 'eth0', mac: SRV_MAC }, { ns: sw, ifname: 'psrv' })
  await lab.veth({ ns: cli, ifname: 'eth0', mac: CLI_MAC }, { ns: sw, ifname: 'pcli' })
  await lab.veth({ ns: obs, ifname: 'eth0', mac: OBS_MAC }, { ns: sw, ifname: 'pobs' })
  await lab.bridge(sw, 'br0', ['psrv', 'pcli', 'pobs'])
  await lab.address(cli, 'eth0', '198.51.100.1/24')
  await lab.address(cli, 'eth0', '2001:db8:100::1/64')

  const responder = startAgent(lab, srv, ['--mode', 'respond', '--if', 'eth0', '--ip', V4, '--ip', V6, '--mld', '--max-seconds', '120'])
  const ready = await responder.waitFor((e) => e.event === 'ready', 'responder ready')

  t.test('the responder reads its interface from /sys inside the namespace', async (t) => {
    t.equal(ready['mac'], SRV_MAC)
    t.type(ready['ifindex'], 'number')
  })

  t.test('it joins the solicited-node multicast MAC of its IPv6 address', async (t) => {
    const maddr = await lab.exec(srv, ['ip', 'maddr', 'show', 'dev', 'eth0'])
    t.match(maddr.stdout, /link\s+33:33:ff:00:00:10/, 'the MAC filter has the group')
    t.match(maddr.stdout, /inet6 ff02::1:ff00:10/, 'and the IP layer joined it (MLD reports for snooping switches)')
  })

  t.test('(a) arping gets three ARP replies with the responder MAC, and the kernel caches it', async (t) => {
    const r = await lab.exec(cli, ['arping', '-c', '3', '-W', '0.3', '-i', 'eth0', V4], 20_000)
    const froms = [...r.stdout.matchAll(/bytes from ([0-9a-f:]{17}) \(198\.51\.100\.10\)/g)].map((m) => m[1])
    t.same(froms, [SRV_MAC, SRV_MAC, SRV_MAC], `arping output:\n${r.stdout}${r.stderr}`)
    t.equal(r.code, 0, 'arping exit code')
    // The responder's events come through a pipe and may trail arping's exit: wait for them.
    await t.resolves(responder.waitFor((e) => e.event === 'reply' && e['proto'] === 'arp' && e['packetType'] === 'broadcast', 'ARP reply event', 5_000), 'requests arrived as broadcast')

    const neigh = await kernelResolves(lab, cli, V4)
    t.match(neigh, new RegExp(`lladdr ${SRV_MAC}`), `ip neigh: ${neigh}`)
  })

  t.test('(b) ndisc6 gets the responder MAC, and the kernel caches it', async (t) => {
    const r = await lab.exec(cli, ['ndisc6', '-r', '3', '-w', '1000', V6, 'eth0'], 20_000)
    t.match(r.stdout.toLowerCase(), new RegExp(`target link-layer address: ${SRV_MAC}`), `ndisc6 output:\n${r.stdout}${r.stderr}`)
    t.equal(r.code, 0, 'ndisc6 exit code')
    await t.resolves(responder.waitFor((e) => e.event === 'reply' && e['proto'] === 'ndp' && e['packetType'] === 'multicast', 'NDP reply event', 5_000), 'NS arrived as multicast')

    const neigh = await kernelResolves(lab, cli, V6)
    t.match(neigh, new RegExp(`lladdr ${SRV_MAC}`), `ip -6 neigh: ${neigh}`)
  })

  t.test('(c) gratuitous ARP and the unsolicited NA reach another namespace', async (t) => {
    const lines: string[] = []
    let listening = false
    // ARP and neighbour advertisements only (ICMPv6 type 136): the kernel's own router solicitations
    // from a link just up (seen first of the 3 frames once the agent started from dist/, in a second)
    // are not the responder's.
    const dump = lab.spawn(obs, ['tcpdump', '-i', 'eth0', '-n', '-e', '-l', '-c', '3', `ether src ${SRV_MAC} and (arp or (icmp6 and ip6[40] == 136))`])
    dump.stdout?.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter((l) => l !== '')))
    dump.stderr?.on('data', (d: Buffer) => {
      if (d.toString().includes('listening on')) listening = true
    })
    const exited = new Promise<number | null>((resolve) => dump.once('exit', (code) => resolve(code)))
    for (let i = 0; i < 100 && !listening; i++) await new Promise((r) => setTimeout(r, 50))
    t.ok(listening, 'tcpdump is listening')
    responder.command({ cmd: 'announce' })
    await responder.waitFor((e) => e.event === 'announced', 'announce sent')
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000))])
    t.equal(code, 0, `tcpdump saw 3 frames: ${lines.join(' | ')}`)
    const text = lines.join('\n')
    t.match(text, /ff:ff:ff:ff:ff:ff, ethertype ARP .*Request who-has 198\.51\.100\.10 tell 198\.51\.100\.10/, 'gratuitous request')
    t.match(text, new RegExp(`ff:ff:ff:ff:ff:ff, ethertype ARP .*Reply 198\\.51\\.100\\.10 is-at ${SRV_MAC}`), 'gratuitous reply')
    t.match(text, /33:33:00:00:00:01, ethertype IPv6 .*2001:db8:100::10 > ff02::1: ICMP6, neighbor advertisement, tgt is 2001:db8:100::10/, 'unsolicited NA')
  })

  t.test('(d) malformed frames are dropped and counted, and the responder keeps answering', async (t) => {
    const stats = async (): Promise<Record<string, number>> => {
      const n = responder.events.length
      responder.command({ cmd: 'stats' })
      const e = await responder.waitFor((ev) => ev.event === 'stats' && responder.events.indexOf(ev) >= n, 'stats')
      return e['counts'] as Record<string, number>
    }
    const before = await stats()
    const frames: Array<[string, Uint8Array]> = [
      ['arp:Malformed', mkArpFrame({ src: CLI_MAC }).subarray(0, 30)],
      ['arp:Malformed', mkArpFrame({ src: CLI_MAC, htype: 6, tpa: V4 })],
      ['arp:NotRequest', mkArpFrame({ src: CLI_MAC, op: 2, tpa: V4 })],
      ['arp:NotAnnounced', mkArpFrame({ src: CLI_MAC, tpa: '198.51.100.99' })],
      ['arp:WrongEthernetDestination', mkArpFrame({ src: CLI_MAC, dst: OBS_MAC, tpa: V4 })],
      ['ndp:BadChecksum', mkNdpFrame({ ethSrc: CLI_MAC, target: V6, checksumDelta: 1 })],
      ['ndp:HopLimitNot255', mkNdpFrame({ ethSrc: CLI_MAC, target: V6, hopLimit: 64 })],
      ['ndp:Malformed', mkNdpFrame({ ethSrc: CLI_MAC, target: V6, options: [{ type: 1, value: '', units: 0 }] })],
      ['ndp:DadProbe', mkNdpFrame({ ethSrc: CLI_MAC, src: '::', target: V6, options: [] })],
    ]
    // WrongEthernetDestination: the bridge forwards a frame for OBS_MAC only to obs once it has
    // learned that MAC, so that one is injected last and not counted on (see below).
    const inject = startAgent(lab, cli, ['--mode', 'inject', '--if', 'eth0', '--max-seconds', '20', ...frames.flatMap(([, f]) => ['--frame', hexOf(f)])])
    const done = await inject.waitFor((e) => e.event === 'injected', 'injection')
    t.equal(done['sent'], frames.length, 'all frames sent through the addon')

    const want: Record<string, number> = {}
    for (const [key] of frames) if (key !== 'arp:WrongEthernetDestination') want[key] = (want[key] ?? 0) + 1
    let after = before
    for (let i = 0; i < 40; i++) {
      after = await stats()
      if (Object.entries(want).every(([k, n]) => (after[k] ?? 0) - (before[k] ?? 0) >= n)) break
      await new Promise((r) => setTimeout(r, 50))
    }
    for (const [k, n] of Object.entries(want)) t.equal((after[k] ?? 0) - (before[k] ?? 0), n, `${k} counted`)
    t.notOk(responder.events.some((e: AgentEvent) => e.event === 'error'), 'no socket errors')

    const r = await lab.exec(cli, ['arping', '-c', '1', '-i', 'eth0', V4], 10_000)
    t.match(r.stdout, new RegExp(`bytes from ${SRV_MAC}`), 'still answering ARP')
    const n = await lab.exec(cli, ['ndisc6', '-r', '2', '-w', '1000', V6, 'eth0'], 10_000)
    t.match(n.stdout.toLowerCase(), new RegExp(`target link-layer address: ${SRV_MAC}`), 'still answering NDP')
  })

  t.test('closing: no fd leaks, the multicast membership goes away, errors after close', async (t) => {
    const self: Agent = startAgent(lab, srv, ['--mode', 'selftest', '--if', 'eth0', '--max-seconds', '20'])
    const r = await self.waitFor((e) => e.event === 'selftest', 'selftest')
    t.equal(r['after'], r['before'], '50 sockets opened, half started, all closed: fd count unchanged')
    t.match(String(r['closedError']), /closed/, 'send after close throws')
    t.equal(r['fdAfterClose'], -1)
    t.same(
      r['membership'],
      { before: false, added: true, dropped: false, closed: false },
      'PACKET_ADD_MEMBERSHIP adds the MAC to the device filter; drop and close remove it',
    )

    responder.command({ cmd: 'quit' })
    await responder.waitFor((e) => e.event === 'closed', 'responder closed')
    let maddr = ''
    for (let i = 0; i < 40; i++) {
      maddr = (await lab.exec(srv, ['ip', 'maddr', 'show', 'dev', 'eth0'])).stdout
      if (!maddr.includes('33:33:ff:00:00:10')) break
      await new Promise((res) => setTimeout(res, 50))
    }
    t.notMatch(maddr, /33:33:ff:00:00:10/, 'link-layer membership dropped with the socket')
    t.notMatch(maddr, /ff02::1:ff00:10/, 'IP-layer membership dropped too')
  })

  t.test('labs clean up after themselves', async (t) => {
    const other = new Lab()
    const ns = await other.namespace('tmp')
    t.same(Lab.existing(other.id), [ns])
    await other.destroy()
    t.same(Lab.existing(other.id), [], 'namespace removed')
  })
}

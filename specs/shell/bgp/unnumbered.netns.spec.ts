// BGP unnumbered (RFC 8950) against FRR 8.4: FRR has `neighbor eth0 interface` and no address on the
// link but its link-local one; our speaker (specs/shell/bgp/unnumberedPeerMain.ts) has none either. The
// speaker must find FRR's link-local address in its neighbour table (from FRR's Router Advertisements),
// dial it, agree extended next hop, and its IPv4 /32 must reach FRR's RIB with our link-local address as
// next hop and FRR's kernel FIB through eth0. Then the same through the speaker's real reconcile and
// applier (specs/shell/speaker/bgpSpeakerMain.ts) from a BGPPeer with `interface: eth0`. Last, the
// passive side and BFD: our dials go to a closed port (peerPort 1179), so only FRR's connection to our
// link-local address can bring the session up; BFD 100 ms x 3 runs on the link-local addresses and is Up
// on both sides; FRR's bfdd frozen (SIGSTOP), our BFD goes Down and drops the BGP session; thawed, both
// come back. Last, TCP MD5 on that passive side: FRR has a password for the interface peer, and the
// speaker's BGPPeer the same (and peerPort 1179 again), FRR started after the speaker's pass: FRR's
// connection, signed, gets in only if the speaker keyed its IPv6 listener with FRR's link-local address
// once it found it, outside any pass. Needs root, FRR, tcpdump and nstat.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { startRouter } from '../../../shell/testbed/router.js'
import { type Lab, labFor, missingTools, netnsUnavailable } from '../../support/netns.js'
import { startAgent } from '../../support/netnsAgent.js'
import { poll } from '../../support/poll.js'

const PEER = fileURLToPath(new URL('./unnumberedPeerMain.ts', import.meta.url))
const SPEAKER = fileURLToPath(new URL('../speaker/bgpSpeakerMain.ts', import.meta.url))
const ROUTE = '203.0.113.10/32'
const NS = 'metallb-system'

/** A BGPPeer with `interface: eth0` and a Service at 203.0.113.10, as the speaker's caches hold them. */
const SPEAKER_OBJECTS = [
  { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'pool', namespace: NS }, spec: { addresses: ['203.0.113.0/28'] } },
  { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'all', namespace: NS }, spec: {} },
  { apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'tor', namespace: NS }, spec: { myASN: 64512, peerASN: 64500, interface: 'eth0', connectTime: '2s' } },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } }, status: { addresses: [{ type: 'InternalIP', address: '198.51.100.11' }] } },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { type: 'LoadBalancer', ports: [{ port: 80 }], externalTrafficPolicy: 'Cluster' },
    status: { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } },
  },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-x', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.244.0.1'], nodeName: 'n1', conditions: { ready: true } }],
  },
]

/** The same, with peerPort 1179 (nothing listens there: our dials fail) and BFD 100 ms x 3. */
const PASSIVE_BFD_OBJECTS = [
  ...SPEAKER_OBJECTS.map((o) => (o.kind === 'BGPPeer' ? { ...o, spec: { ...o.spec, peerPort: 1179, bfdProfile: 'fast' } } : o)),
  { apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: { name: 'fast', namespace: NS }, spec: { receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3 } },
]

const MD5 = 'unnumbered-md5.1'
/** Peer port 1179 (our dials fail) and a password: only FRR's signed connection can bring the session up. */
const PASSIVE_MD5_OBJECTS = SPEAKER_OBJECTS.map((o) => (o.kind === 'BGPPeer' ? { ...o, spec: { ...o.spec, peerPort: 1179, password: MD5 } } : o))

/** The pid of the router's daemon `name` (its /proc/PID/comm). */
const daemonPid = (pids: readonly number[], name: string): number | undefined =>
  pids.find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name
    } catch {
      return false
    }
  })

interface FrrNexthop {
  readonly ip?: string
  readonly afi?: string
  readonly scope?: string
  readonly used?: boolean
}

async function main(): Promise<void> {
  const lab: Lab = labFor(t)
  const rtr = await lab.namespace('rtr')
  const spk = await lab.namespace('spk')
  await lab.veth({ ns: rtr, ifname: 'eth0' }, { ns: spk, ifname: 'eth0' })
  // The router ID is only an identifier here: no IPv4 address is on the link.
  const router = await startRouter({ kind: 'frr', ns: rtr, asn: 64500, routerId: '198.51.100.1', neighbors: [{ peer: { address: '2001:db8::2' }, peerAs: 'external', unnumbered: 'eth0' }] })
  t.teardown(() => router.stop())
  await t.test('an IPv4 /32 over an IPv6 link-local session reaches FRR\'s RIB and FIB', async (t) => {
  const peer = startAgent(lab, spk, ['--interface', 'eth0', '--asn', '64512', '--router-id', '198.51.100.11', '--max-seconds', '60'], PEER)
  try {
    const target = await peer.waitFor((e) => e.event === 'target', 'the router found on eth0', 30_000)
    const frrLinkLocal = (await lab.exec(rtr, ['ip', '-6', '-j', 'addr', 'show', 'dev', 'eth0', 'scope', 'link'])).stdout
    const ll = (JSON.parse(frrLinkLocal) as { addr_info?: { local?: string }[] }[])[0]?.addr_info?.[0]?.local ?? 'none'
    t.equal(target['host'], `${ll}%eth0`, "the dial target is FRR's link-local address, scoped to eth0")
    const up = await peer.waitFor((e) => e.event === 'up', 'session up', 30_000)
    t.equal(up['extendedNextHop'], true, 'extended next hop agreed (FRR offers it on interface peers)')
    const ours = String(up['nextHopV6'])
    t.match(ours, /^fe80:/, 'our IPv6 next hop is our link-local address')
    const vtysh = async (cmd: string): Promise<string> => (await lab.exec(rtr, ['vtysh', '--vty_socket', router.dir, '--config_dir', router.dir, '-c', cmd])).stdout
    const paths = async (): Promise<FrrNexthop[]> => {
      const j = JSON.parse((await vtysh(`show bgp ipv4 unicast ${ROUTE} json`)) || '{}') as { paths?: { valid?: boolean; nexthops?: FrrNexthop[] }[] }
      return (j.paths ?? []).filter((p) => p.valid === true).flatMap((p) => p.nexthops ?? [])
    }
    const hops = await poll(20_000, paths, (h) => h.length > 0, 250)
    t.comment(`FRR's next hops for ${ROUTE}: ${JSON.stringify(hops)}`)
    t.ok(hops.some((h) => h.ip === ours && h.afi === 'ipv6'), `${ROUTE} valid in FRR's RIB with next hop ${ours}`)
    const fib = async (): Promise<string> => (await lab.exec(rtr, ['ip', '-4', 'route', 'show', 'exact', ROUTE])).stdout.trim()
    const installed = await poll(20_000, fib, (r) => r !== '', 250)
    t.comment(`FRR's kernel route: ${installed}`)
    t.match(installed, new RegExp(`via inet6 ${ours} dev eth0`), 'in the FIB through eth0, via our link-local address')
  } finally {
    if (!t.passing()) t.comment(router.logTail(30), peer.stderr().slice(-2000), JSON.stringify(peer.events.slice(-8)))
    await router.stop()
  }
  })
  await t.test('a BGPPeer with interface: eth0 through the speaker\'s reconcile and applier: the /32 in FRR\'s RIB', async (t) => {
    const rtr2 = await lab.namespace('rtr2')
    const spk2 = await lab.namespace('spk2')
    await lab.veth({ ns: rtr2, ifname: 'eth0' }, { ns: spk2, ifname: 'eth0' })
    const frr = await startRouter({ kind: 'frr', ns: rtr2, asn: 64500, routerId: '198.51.100.1', neighbors: [{ peer: { address: '2001:db8::2' }, peerAs: 'external', unnumbered: 'eth0' }] })
    const speaker = startAgent(lab, spk2, ['--node', 'n1', '--max-seconds', '60'], SPEAKER)
    try {
      speaker.command({ cmd: 'objects', objects: SPEAKER_OBJECTS })
      const applied = await speaker.waitFor((e) => e.event === 'applied', 'first pass', 30_000)
      t.match(applied, { decided: true, errors: [], routes: { tor: 1 } }, 'the unnumbered peer is planned, not refused')
      await speaker.waitFor((e) => e.event === 'bgp-session-up', 'our session up', 40_000)
      const vtysh = async (cmd: string): Promise<string> => (await lab.exec(rtr2, ['vtysh', '--vty_socket', frr.dir, '--config_dir', frr.dir, '-c', cmd])).stdout
      const paths = async (): Promise<FrrNexthop[]> => {
        const j = JSON.parse((await vtysh(`show bgp ipv4 unicast ${ROUTE} json`)) || '{}') as { paths?: { valid?: boolean; nexthops?: FrrNexthop[] }[] }
        return (j.paths ?? []).filter((p) => p.valid === true).flatMap((p) => p.nexthops ?? [])
      }
      const hops = await poll(20_000, paths, (h) => h.length > 0, 250)
      t.comment(`FRR's next hops for ${ROUTE}: ${JSON.stringify(hops)}`)
      const ours = (JSON.parse((await lab.exec(spk2, ['ip', '-6', '-j', 'addr', 'show', 'dev', 'eth0', 'scope', 'link'])).stdout) as { addr_info?: { local?: string }[] }[])[0]?.addr_info?.[0]?.local ?? 'none'
      t.ok(hops.some((h) => h.afi === 'ipv6' && h.ip === ours), `${ROUTE} valid in FRR's RIB with our link-local address ${ours} as next hop`)
      speaker.command({ cmd: 'stop' })
      await speaker.waitFor((e) => e.event === 'stopped', 'speaker stopped', 10_000)
    } finally {
      if (!t.passing()) t.comment(frr.logTail(30), speaker.stderr().slice(-2000), JSON.stringify(speaker.events.slice(-8)))
      await frr.stop()
    }
  })
  await t.test('FRR dials our link-local address: accepted; BFD Up on both sides; a BFD Down drops the session', async (t) => {
    const rtr3 = await lab.namespace('rtr3')
    const spk3 = await lab.namespace('spk3')
    await lab.veth({ ns: rtr3, ifname: 'eth0' }, { ns: spk3, ifname: 'eth0' })
    const frr = await startRouter({
      kind: 'frr',
      ns: rtr3,
      asn: 64500,
      routerId: '198.51.100.1',
      neighbors: [{ peer: { address: '2001:db8::2' }, peerAs: 'external', unnumbered: 'eth0', bfd: { receiveMs: 100, transmitMs: 100, multiplier: 3 } }],
    })
    const speaker = startAgent(lab, spk3, ['--node', 'n1', '--max-seconds', '280'], SPEAKER)
    const bfdd = daemonPid(frr.procs.map((p) => p.pid), 'bfdd')
    let frozen = false
    try {
      const vtysh = async (cmd: string): Promise<string> => (await lab.exec(rtr3, ['vtysh', '--vty_socket', frr.dir, '--config_dir', frr.dir, '-c', cmd], 10_000)).stdout
      const frrSession = async (): Promise<{ state: string; portLocal?: number; portForeign?: number }> => {
        const n = (JSON.parse((await vtysh('show bgp neighbors eth0 json')) || '{}') as Record<string, { bgpState?: string; portLocal?: number; portForeign?: number }>)['eth0']
        return { state: n?.bgpState ?? 'none', ...(n?.portLocal === undefined ? {} : { portLocal: n.portLocal }), ...(n?.portForeign === undefined ? {} : { portForeign: n.portForeign }) }
      }
      const frrBfd = async (): Promise<string> => {
        const peers = JSON.parse((await vtysh('show bfd peers json')) || '[]') as { peer?: string; status?: string; interface?: string }[]
        return peers.map((p) => `${p.peer ?? '?'}%${p.interface ?? ''}=${p.status ?? '?'}`).join(',')
      }
      const ours = (JSON.parse((await lab.exec(spk3, ['ip', '-6', '-j', 'addr', 'show', 'dev', 'eth0', 'scope', 'link'])).stdout) as { addr_info?: { local?: string }[] }[])[0]?.addr_info?.[0]?.local ?? 'none'
      speaker.command({ cmd: 'objects', objects: PASSIVE_BFD_OBJECTS })
      await speaker.waitFor((e) => e.event === 'bgp-session-up', 'our session up (FRR dialled us)', 90_000)
      const up = await poll(30_000, frrSession, (n) => n.state === 'Established', 250)
      t.equal(up.state, 'Established', 'FRR has the session Established')
      // FRR dialled: its end is the ephemeral port and ours is 179 (we could only dial port 1179, closed).
      t.equal(up.portForeign, 179, `FRR's connection went to our port 179 (FRR local ${up.portLocal ?? '?'}, foreign ${up.portForeign ?? '?'})`)
      const hops = await poll(20_000, async () => JSON.parse((await vtysh(`show bgp ipv4 unicast ${ROUTE} json`)) || '{}') as { paths?: { valid?: boolean; nexthops?: FrrNexthop[] }[] }, (j) => (j.paths ?? []).some((p) => p.valid === true), 250)
      t.ok((hops.paths ?? []).some((p) => p.valid === true && (p.nexthops ?? []).some((h) => h.ip === ours)), `${ROUTE} in FRR's RIB via our link-local ${ours}`)
      // BFD runs on a worker thread that compiles its modules under tap's loader: generous.
      const ourBfdUp = await speaker.waitFor((e) => e.event === 'bfd-state' && e['to'] === 'Up', 'our BFD session Up', 120_000)
      t.match(String(ourBfdUp['peer']), /^fe80:.*%eth0$/, `our BFD session is to FRR's link-local address on eth0: ${String(ourBfdUp['peer'])}`)
      const frrUp = await poll(30_000, frrBfd, (s) => s.includes(`${ours}%eth0=up`), 250)
      t.ok(frrUp.includes(`${ours}%eth0=up`), `FRR's BFD session with our link-local address is up: ${frrUp}`)
      t.ok(bfdd !== undefined, "FRR's bfdd found")
      if (bfdd === undefined) return
      const upsBefore = speaker.events.filter((e) => e.event === 'bgp-session-up').length
      process.kill(bfdd, 'SIGSTOP')
      frozen = true
      const frozenAt = Date.now()
      const dropped = await speaker.waitFor((e) => e.event === 'bfd-down-drops-bgp', 'our BFD Down dropping the BGP session', 20_000)
      t.comment(`bfd-down-drops-bgp ${Date.now() - frozenAt} ms after bfdd froze (detection 300 ms): ${JSON.stringify(dropped)}`)
      t.match(String(dropped['remote']), /%eth0$/, 'the BGP session to the link-local peer was dropped')
      await speaker.waitFor((e) => e.event === 'bgp-session-down', 'our BGP session down', 20_000)
      process.kill(bfdd, 'SIGCONT')
      frozen = false
      await speaker.waitFor((e) => e.event === 'bgp-session-up' && speaker.events.filter((x) => x.event === 'bgp-session-up').length > upsBefore, 'our session up again (FRR dials again)', 120_000)
      t.pass('the session came back once bfdd was thawed')
      const back = await poll(60_000, frrBfd, (s) => s.includes(`${ours}%eth0=up`), 250)
      t.ok(back.includes(`${ours}%eth0=up`), `BFD up again on FRR's side: ${back}`)
      speaker.command({ cmd: 'stop' })
      await speaker.waitFor((e) => e.event === 'stopped', 'speaker stopped', 20_000)
    } finally {
      if (frozen && bfdd !== undefined) process.kill(bfdd, 'SIGCONT')
      if (!t.passing()) t.comment(frr.logTail(40), speaker.stderr().slice(-2000), JSON.stringify(speaker.events.filter((e) => /bgp|bfd/.test(String(e.event))).slice(-15)))
      await frr.stop()
    }
  })
  await t.test('FRR with an MD5 password dials our link-local address, found after the pass: keyed then, accepted', async (t) => {
    const rtr4 = await lab.namespace('rtr4')
    const spk4 = await lab.namespace('spk4')
    await lab.veth({ ns: rtr4, ifname: 'eth0' }, { ns: spk4, ifname: 'eth0' })
    const speaker = startAgent(lab, spk4, ['--node', 'n1', '--max-seconds', '150'], SPEAKER)
    let frr: Awaited<ReturnType<typeof startRouter>> | undefined
    try {
      // The segments of port 179 as they pass (tcpdump -v prints a TCP-MD5 option as "md5").
      let segments = ''
      const dump = lab.spawn(spk4, ['tcpdump', '-l', '-n', '-v', '-i', 'eth0', 'tcp port 179'])
      let dumpErr = ''
      dump.stdout?.on('data', (d: Buffer) => (segments += d.toString()))
      dump.stderr?.on('data', (d: Buffer) => (dumpErr += d.toString()))
      await poll(10_000, async () => dumpErr, (e) => e.includes('listening on'), 250)
      // The pass first, with no router on the link yet: its address is found later, outside any pass.
      speaker.command({ cmd: 'objects', objects: PASSIVE_MD5_OBJECTS })
      await speaker.waitFor((e) => e.event === 'applied', 'the pass, no router yet', 60_000)
      frr = await startRouter({ kind: 'frr', ns: rtr4, asn: 64500, routerId: '198.51.100.1', neighbors: [{ peer: { address: '2001:db8::2' }, peerAs: 'external', unnumbered: 'eth0', password: MD5 }] })
      const router = frr
      const vtysh = async (cmd: string): Promise<string> => (await lab.exec(rtr4, ['vtysh', '--vty_socket', router.dir, '--config_dir', router.dir, '-c', cmd], 10_000)).stdout
      const frrSession = async (): Promise<{ state: string; portForeign?: number }> => {
        const n = (JSON.parse((await vtysh('show bgp neighbors eth0 json')) || '{}') as Record<string, { bgpState?: string; portForeign?: number }>)['eth0']
        return { state: n?.bgpState ?? 'none', ...(n?.portForeign === undefined ? {} : { portForeign: n.portForeign }) }
      }
      await speaker.waitFor((e) => e.event === 'bgp-session-up', 'our session up (FRR dialled us, signed)', 90_000)
      await new Promise((r) => setTimeout(r, 500)) // tcpdump's last lines
      dump.kill()
      // IPv6: tcpdump's tcp[] offsets do not apply, so the SYNs are picked from the lines.
      const syns = segments.split('\n').filter((l) => /\.179: Flags \[S\],/.test(l))
      t.comment(`FRR's SYNs to our port 179: ${syns.length}; the first: ${syns[0] ?? `none (tcpdump: ${dumpErr.trim()})`}`)
      t.ok(syns.length > 0 && syns.every((l) => /md5/.test(l)), "FRR's SYNs carry the TCP MD5 option")
      const up = await poll(30_000, frrSession, (n) => n.state === 'Established', 250)
      t.equal(up.state, 'Established', 'FRR has the session Established')
      t.equal(up.portForeign, 179, "FRR's connection went to our port 179 (we could only dial the closed port 1179)")
      const drops = (await lab.exec(spk4, ['nstat', '-asz', 'TcpExtTCPMD5Unexpected', 'TcpExtTCPMD5Failure', 'TcpExtTCPMD5NotFound'])).stdout
      t.comment(`our kernel's MD5 counters (a signed SYN to a listener without the key counts as unexpected): ${drops.replace(/\s+/g, ' ').trim()}`)
      t.notMatch(JSON.stringify(speaker.events), MD5, 'the password is in no line the speaker printed')
      speaker.command({ cmd: 'stop' })
      await speaker.waitFor((e) => e.event === 'stopped', 'speaker stopped', 20_000)
    } finally {
      if (!t.passing()) t.comment(frr?.logTail(40) ?? 'no router', speaker.stderr().slice(-2000), JSON.stringify(speaker.events.filter((e) => /bgp/.test(String(e.event))).slice(-15)))
      await frr?.stop()
    }
  })
}

t.setTimeout(600_000)
const why = netnsUnavailable()
const missing = missingTools(['vtysh', 'nstat', 'tcpdump'])
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (missing !== undefined) t.fail(missing)
else await main()

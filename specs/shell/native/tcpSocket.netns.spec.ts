// The addon's TCP socket options against a real router and real links, in namespaces this spec makes
// and removes (documentation addresses only). Agents (tcpPeerMain.ts) own the sockets inside them.
//
//   GoBGP (rtr) eth0 198.51.100.1 ---- eth0 198.51.100.11 (spk: our BGP session, or our listener)
//
//   d2 eth0 198.51.100.2 ---- eth0 198.51.100.21  d1  eth1 192.0.2.21 ---- eth0 198.51.100.2, 192.0.2.2 d3
//
// MD5 (RFC 2385) with gobgpd's auth-password, through shell/bgp's session on shell/native/bgpSockets.ts:
// dialling with the right password reaches Established and its SYN carries the MD5 option and the TTL
// we set; a wrong or missing password gets no session and the router's kernel counts the failure; the
// router dialling our listening socket gets in only once setMd5Key gives that socket the right key, and
// dialling shell/bgp's listener on nativeListen it reaches Established. SO_BINDTODEVICE: the same address behind two
// links, and the bound socket reaches the one behind its device. IP_MINTTL: a SYN below the minimum
// is dropped and counted. Needs root, the built addon, gobgpd, tcpdump and nstat.
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { isPacketAddonBuilt } from '../../../shell/native/packetSocket.js'
import { type Lab, labFor, missingTools, netnsUnavailable } from '../../support/netns.js'
import { type Agent, startAgent } from '../../support/netnsAgent.js'
import { poll } from '../../support/poll.js'

const ROUTER = { v4: '198.51.100.1', asn: 64500 }
const SPEAKER = { v4: '198.51.100.11', asn: 64512 }
const PASSWORD = 'ironlb-md5-spec'
const hex = (s: string): string => Buffer.from(s).toString('hex')
const AGENT = fileURLToPath(new URL('./tcpPeerMain.ts', import.meta.url))

/** gobgpd with one neighbor, the speaker, keyed with PASSWORD; `passive`: the router waits to be dialled. */
const gobgpConfig = (passive: boolean): string => `
[global.config]
  as = ${ROUTER.asn}
  router-id = "${ROUTER.v4}"
  local-address-list = ["${ROUTER.v4}"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${SPEAKER.v4}"
    peer-as = ${SPEAKER.asn}
    auth-password = "${PASSWORD}"
  [neighbors.transport.config]
    passive-mode = ${passive}
  [neighbors.timers.config]
    connect-retry = 2
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
`

/** A kernel counter of namespace `ns` (nstat: absolute, no history written). */
const counter = async (lab: Lab, ns: string, name: string): Promise<number> => {
  const out = (await lab.exec(ns, ['nstat', '-asz', name])).stdout
  return Number(new RegExp(`^${name}\\s+(\\d+)`, 'm').exec(out)?.[1] ?? 0)
}

/** tcpdump in `ns` on eth0 for the first `filter` packet, started and listening before it returns. */
const capture = async (lab: Lab, ns: string, filter: string): Promise<{ readonly text: () => string; readonly child: ChildProcess }> => {
  const child = lab.spawn(ns, ['tcpdump', '-l', '-n', '-v', '-i', 'eth0', '-c', '1', filter])
  let out = ''
  let err = ''
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()))
  await poll(10_000, async () => err, (e) => e.includes('listening on'), 200)
  return { text: () => out, child }
}

const exited = (c: ChildProcess, ms: number): Promise<void> =>
  new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve()
    const timer = setTimeout(resolve, ms)
    c.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
  })

async function routerTests(t: Test): Promise<void> {
  const lab = labFor(t)
  const rtr = await lab.namespace('rtr')
  const spk = await lab.namespace('spk')
  await lab.veth({ ns: rtr, ifname: 'eth0' }, { ns: spk, ifname: 'eth0' })
  await lab.address(rtr, 'eth0', `${ROUTER.v4}/24`)
  await lab.address(spk, 'eth0', `${SPEAKER.v4}/24`)
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-md5-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const startRouter = (passive: boolean): ChildProcess => {
    const file = join(dir, `gobgpd-${passive ? 'passive' : 'active'}.toml`)
    writeFileSync(file, gobgpConfig(passive))
    return lab.spawn(rtr, ['gobgpd', '-f', file, '-t', 'toml', '--api-hosts', '127.0.0.1:50051', '--pprof-disable', '-l', 'info'])
  }
  const gobgp = async (args: readonly string[]): Promise<string> => (await lab.exec(rtr, ['gobgp', '--host', '127.0.0.1', '--port', '50051', ...args], 10_000)).stdout
  const neighbor = (): Promise<string> => gobgp(['-j', 'neighbor', SPEAKER.v4]).catch(() => '')
  // GoBGP's JSON gives the FSM state as its enum number; 6 is Established.
  const established = (out: string): boolean => /"session_state":6\b/.test(out)
  const bgpAgent = (extra: readonly string[]): Agent =>
    startAgent(lab, spk, ['--mode', 'bgp', '--local', SPEAKER.v4, '--remote', ROUTER.v4, '--asn', String(SPEAKER.asn), '--peer-asn', String(ROUTER.asn), '--max-seconds', '60', ...extra], AGENT)

  let router = startRouter(true)
  await poll(15_000, neighbor, (out) => out.includes(SPEAKER.v4), 200)

  /** Runs our session with `extra` flags until the router's kernel counts `name` twice; no session must come up. */
  const refused = async (t: Test, extra: readonly string[], name: string): Promise<void> => {
    const before = await counter(lab, rtr, name)
    const peer = bgpAgent(extra)
    const after = await poll(15_000, () => counter(lab, rtr, name), (n) => n >= before + 2, 200)
    t.ok(after >= before + 2, `the router's kernel counted ${name}: ${before} -> ${after}`)
    t.notOk(established(await neighbor()), 'the router is not Established')
    t.notOk(peer.events.some((e) => e.event === 'up' || e.event === 'open'), 'our session saw no OPEN and never came up')
    peer.command({ cmd: 'exit' })
  }

  await t.test('active, wrong password: no session, the router counts TCPMD5Failure', (t) => refused(t, ['--md5-hex', hex('not-the-password')], 'TcpExtTCPMD5Failure'))
  await t.test('active, no password: no session, the router counts TCPMD5NotFound', (t) => refused(t, [], 'TcpExtTCPMD5NotFound'))

  await t.test('active, right password: Established, and the SYN carries MD5 and our TTL', async (t) => {
    const syn = await capture(lab, rtr, `tcp[tcpflags] & tcp-syn != 0 and src host ${SPEAKER.v4} and dst port 179`)
    const peer = bgpAgent(['--md5-hex', hex(PASSWORD), '--ttl', '7'])
    const open = await peer.waitFor((e) => e.event === 'open', "the router's OPEN", 20_000)
    t.equal(open['asn'], ROUTER.asn)
    await peer.waitFor((e) => e.event === 'up', 'our side Established', 20_000)
    t.ok(peer.events.some((e) => e.event === 'up'), 'our session is Established')
    t.ok(established(await poll(15_000, neighbor, established, 200)), 'the router says Established')
    await exited(syn.child, 5_000)
    t.comment(`the SYN: ${syn.text().replace(/\s+/g, ' ').trim()}`)
    t.match(syn.text(), /\bttl 7\b/, 'IP_TTL set before the SYN')
    t.match(syn.text(), /\bmd5\b/, 'the TCP MD5 option on the SYN')
    peer.command({ cmd: 'exit' })
  })

  await t.test('passive: the router dials our listening socket; it gets in once setMd5Key gives the socket its key', async (t) => {
    router.kill('SIGKILL')
    await exited(router, 5_000)
    router = startRouter(false)
    const before = await counter(lab, spk, 'TcpExtTCPMD5Failure')
    const listener = startAgent(lab, spk, ['--mode', 'listen', '--address', SPEAKER.v4, '--port', '179', '--md5-peer', ROUTER.v4, '--md5-hex', hex('not-the-password'), '--bgp', '--max-seconds', '60'], AGENT)
    await listener.waitFor((e) => e.event === 'listening', 'our listener')
    const after = await poll(20_000, () => counter(lab, spk, 'TcpExtTCPMD5Failure'), (n) => n > before, 200)
    t.ok(after > before, `with the wrong key our kernel drops the router's SYNs (TCPMD5Failure ${before} -> ${after})`)
    t.notOk(listener.events.some((e) => e.event === 'accepted'), 'and nothing is accepted')
    listener.command({ cmd: 'set-key', peer: ROUTER.v4, hex: hex(PASSWORD) })
    const accepted = await listener.waitFor((e) => e.event === 'accepted', 'the router accepted', 30_000)
    t.equal(accepted['remote'], ROUTER.v4)
    const open = await listener.waitFor((e) => e.event === 'open' || e.event === 'not-open', "the router's first message", 15_000)
    t.same(open, { event: 'open', asn: ROUTER.asn }, "the router's OPEN arrives over the signed connection")
    listener.command({ cmd: 'exit' })
  })

  await t.test("passive, the session code: the router dials shell/bgp's listener on nativeListen, both Established", async (t) => {
    await new Promise((r) => setTimeout(r, 1_500)) // the last agent lets go of port 179
    const peer = startAgent(lab, spk, ['--mode', 'bgp-passive', '--local', SPEAKER.v4, '--remote', ROUTER.v4, '--asn', String(SPEAKER.asn), '--peer-asn', String(ROUTER.asn), '--md5-hex', hex(PASSWORD), '--max-seconds', '60'], AGENT)
    await peer.waitFor((e) => e.event === 'listening', 'our listener')
    const up = await peer.waitFor((e) => e.event === 'up', 'our passive session Established', 30_000)
    t.match(String(up['conn']), /^in:/, 'on the connection the router dialled')
    t.ok(established(await poll(15_000, neighbor, established, 200)), 'the router says Established')
    peer.command({ cmd: 'exit' })
  })
  router.kill('SIGKILL')
}

async function deviceTests(t: Test): Promise<void> {
  const lab = labFor(t)
  const d1 = await lab.namespace('d1')
  const d2 = await lab.namespace('d2')
  const d3 = await lab.namespace('d3')
  await lab.veth({ ns: d1, ifname: 'eth0' }, { ns: d2, ifname: 'eth0' })
  await lab.veth({ ns: d1, ifname: 'eth1' }, { ns: d3, ifname: 'eth0' })
  await lab.address(d1, 'eth0', '198.51.100.21/24')
  await lab.address(d1, 'eth1', '192.0.2.21/24')
  await lab.address(d2, 'eth0', '198.51.100.2/24')
  await lab.address(d3, 'eth0', '198.51.100.2/24')
  await lab.address(d3, 'eth0', '192.0.2.2/24')
  const listen = async (ns: string, port: number, extra: readonly string[] = []): Promise<Agent> => {
    const a = startAgent(lab, ns, ['--mode', 'listen', '--address', '0.0.0.0', '--port', String(port), '--max-seconds', '90', ...extra], AGENT)
    await a.waitFor((e) => e.event === 'listening', `listener in ${ns}`)
    return a
  }
  const dial = async (port: number, extra: readonly string[]): Promise<string> => {
    const a = startAgent(lab, d1, ['--mode', 'dial', '--remote', '198.51.100.2', '--port', String(port), '--wait-ms', '3000', '--max-seconds', '20', ...extra], AGENT)
    // The agent's own start counts in this wait: no event in 10 s at load 16 once; it dials for 3 s.
    const e = await a.waitFor((e) => ['connected', 'not-connected', 'error'].includes(e.event), 'the dial', 60_000)
    a.command({ cmd: 'exit' })
    return e.event
  }
  const plain = await listen(d2, 2179)
  const behindEth1 = await listen(d3, 2179)
  const accepted = (a: Agent): unknown[] => a.events.filter((e) => e.event === 'accepted').map((e) => e['remote'])

  await t.test('bindDevice: the same address behind two links; the bound socket reaches the one behind its device', async (t) => {
    t.equal(await dial(2179, []), 'connected', 'unbound: the route picks eth0')
    await plain.waitFor((e) => e.event === 'accepted', 'accepted behind eth0')
    t.same(accepted(plain), ['198.51.100.21'])
    t.equal(await dial(2179, ['--bind-device', 'eth1']), 'connected', 'bound to eth1')
    await behindEth1.waitFor((e) => e.event === 'accepted', 'accepted behind eth1')
    t.same(accepted(behindEth1), ['192.0.2.21'], 'the SYN left eth1, from its address')
    t.same(accepted(plain), ['198.51.100.21'], 'and nothing more reached the listener behind eth0')
  })

  await t.test('minTtl: a SYN below the minimum is dropped and counted; at the minimum it connects', async (t) => {
    const gtsm = await listen(d2, 2180, ['--min-ttl', '255'])
    const before = await counter(lab, d2, 'TcpExtTCPMinTTLDrop')
    t.equal(await dial(2180, ['--ttl', '254']), 'not-connected', 'TTL 254 against a minimum of 255')
    const after = await counter(lab, d2, 'TcpExtTCPMinTTLDrop')
    t.ok(after > before, `the listener's kernel counted TCPMinTTLDrop: ${before} -> ${after}`)
    t.same(accepted(gtsm), [], 'nothing accepted')
    t.equal(await dial(2180, ['--ttl', '255']), 'connected', 'TTL 255 gets in')
  })
}

t.setTimeout(240_000)
const why = netnsUnavailable()
const missing = missingTools(['gobgpd', 'gobgp', 'tcpdump', 'nstat'])
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (missing !== undefined) t.fail(missing)
else if (!isPacketAddonBuilt()) t.fail('the addon is not built: run `make native` first')
else {
  await t.test('MD5 and TTL against GoBGP', routerTests)
  await t.test('the device and the minimum TTL', deviceTests)
}

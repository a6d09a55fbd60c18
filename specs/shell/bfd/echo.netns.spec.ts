// BFD echo (RFC 5880 §6.4, RFC 5881 §4) over real sockets against FRR 8.4's bfdd with `echo-mode`, in
// two lab namespaces: the router (zebra, so bfdd knows its interface and learns our MAC, and bfdd)
// and ours. Both forward IPv4, so each side's echoes come back through the other's kernel. Shown:
// Up on both sides with echo on, FRR sees our Required Min Echo RX; tcpdump in our namespace sees our
// echoes (src = dst = our address, UDP 3785, TTL 255 out and 254 back) and FRR's; nft in the router's
// namespace dropping only UDP 3785 takes our session Down by echo loss (diag 2) within echoInterval x
// detectMultiplier plus slack, while control packets still flow; with echo off on our side nobody
// echoes and the same drop changes nothing. Needs root, FRR (zebra, bfdd, vtysh), nft and tcpdump.
import { chownSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { type Lab, labFor, missingTools, netnsUnavailable } from '../../support/netns.js'
import { type Agent, type AgentEvent, startAgent } from '../../support/netnsAgent.js'

const PEER_MAIN = fileURLToPath(new URL('./bfdPeerMain.ts', import.meta.url))
const RTR = '198.51.100.1'
const OURS = '198.51.100.11'
/** Control at 300 ms x 3 (900 ms) so echo's 50 ms x 3 (150 ms) is plainly what detects. */
const CONTROL_MS = 300
const ECHO_MS = 50
const MULT = 3
/** What a loaded two-core machine adds to timers and polling (as bfd.netns.spec.ts). */
const SLACK_MS = 700

const at = (e: AgentEvent): number => Number(e['at'])
const count = (a: Agent, name: string): number => a.events.filter((e) => e.event === name).length
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

const frrIds = (): { uid: number; gid: number } => {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('frr:'))
  const [, , uid, gid] = (line ?? '').split(':')
  if (uid === undefined || gid === undefined) throw new Error('no frr user in /etc/passwd: is the frr package installed?')
  return { uid: Number(uid), gid: Number(gid) }
}

const bfddConf = ['bfd', ` peer ${OURS} local-address ${RTR} interface eth0`, `  receive-interval ${CONTROL_MS}`, `  transmit-interval ${CONTROL_MS}`, `  detect-multiplier ${MULT}`, '  echo-mode', `  echo-interval ${ECHO_MS}`, ' exit', 'exit', ''].join('\n')

interface FrrPeer {
  readonly status: string
  readonly diagnostic: string
  readonly 'remote-echo-receive-interval'?: number
  readonly 'echo-transmit-interval'?: number
}

interface Router {
  readonly show: () => Promise<FrrPeer | undefined>
  readonly log: () => string
}

/** zebra then bfdd in `ns`, FRR's files in a folder of frr's own. */
const startFrr = async (t: Test, lab: Lab, ns: string): Promise<Router> => {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-echo-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'zebra.conf'), 'ip forwarding\n')
  writeFileSync(join(dir, 'bfdd.conf'), bfddConf)
  const frr = frrIds()
  chownSync(dir, frr.uid, frr.gid)
  let log = ''
  const common = (d: string): string[] => ['-u', 'frr', '-g', 'frr', '-f', join(dir, `${d}.conf`), '-i', join(dir, `${d}.pid`), '--vty_socket', dir, '-z', join(dir, 'zserv.api'), '-P', '0', '--log', 'stdout']
  for (const d of ['zebra', 'bfdd']) {
    const child = lab.spawn(ns, [join('/usr/lib/frr', d), ...common(d), ...(d === 'bfdd' ? ['--bfdctl', join(dir, 'bfdd.sock')] : [])])
    child.stdout?.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-8000)))
    // bfdd finds zebra's socket at once rather than 10 s later (bounded: 50 x 100 ms).
    for (let i = 0; d === 'zebra' && i < 50; i++) {
      // The namespace shares this process's file system: no need to ask a shell inside it.
      if (statSync(join(dir, 'zserv.api'), { throwIfNoEntry: false })?.isSocket() === true) break
      await sleep(100)
    }
  }
  const show = async (): Promise<FrrPeer | undefined> => {
    const out = (await lab.exec(ns, ['vtysh', '--vty_socket', dir, '-c', 'show bfd peers json'], 5_000)).stdout
    try {
      return (JSON.parse(out) as FrrPeer[])[0]
    } catch {
      return undefined
    }
  }
  return { show, log: () => log }
}

const pollFrr = async (r: Router, ms: number, done: (p: FrrPeer | undefined) => boolean): Promise<FrrPeer | undefined> => {
  const deadline = Date.now() + ms
  for (;;) {
    const p = await r.show()
    if (done(p) || Date.now() > deadline) return p
    await sleep(50)
  }
}

/** Our session in `ns`; `echo` in ms, or none. */
const ours = async (lab: Lab, ns: string, echo?: number): Promise<Agent> => {
  const timers = ['--tx', `${CONTROL_MS}`, '--rx', `${CONTROL_MS}`, '--mult', `${MULT}`]
  const a = startAgent(lab, ns, ['--local', OURS, '--remote', RTR, ...timers, ...(echo === undefined ? [] : ['--echo', `${echo}`]), '--max-seconds', '150'], PEER_MAIN)
  await a.waitFor((e) => e.event === 'started', `our BFD process in ${ns} started`, 90_000)
  return a
}

interface Seen {
  readonly ttl: number
  readonly from: string
  readonly to: string
}

/** Echo packets tcpdump saw on our eth0 over `ms` (`-v` prints the IP header, then the UDP line under it). */
const capture = async (lab: Lab, ns: string, ms: number): Promise<Seen[]> => {
  const out = await lab.exec(ns, ['timeout', '-s', 'INT', `${ms / 1000}`, 'tcpdump', '-n', '-v', '-l', '-i', 'eth0', 'udp port 3785'], ms + 5_000)
  return [...out.stdout.matchAll(/ttl (\d+),[^\n]*\n\s+(\S+) > (\S+):/g)].map((m) => ({ ttl: Number(m[1]), from: m[2] ?? '', to: (m[3] ?? '').replace(/\.3785$/, '') }))
}

const setUp = async (lab: Lab): Promise<{ rtr: string; spk: string }> => {
  const rtr = await lab.namespace('rtr')
  const spk = await lab.namespace('spk')
  await lab.veth({ ns: rtr, ifname: 'eth0' }, { ns: spk, ifname: 'eth0' })
  await lab.address(rtr, 'eth0', `${RTR}/24`)
  await lab.address(spk, 'eth0', `${OURS}/24`)
  // Both forward (each loops the other's echoes); no ICMP redirects for a packet sent back where it came from.
  for (const ns of [rtr, spk]) await lab.exec(ns, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.send_redirects=0', 'net.ipv4.conf.eth0.send_redirects=0'])
  return { rtr, spk }
}

/** Drops UDP 3785 as it reaches the router; returns the time just before the rule went in (so a time from it bounds the detection from above). */
const dropEchoesAtRouter = async (lab: Lab, rtr: string): Promise<number> => {
  await lab.exec(rtr, ['nft', 'add table inet echospec'])
  await lab.exec(rtr, ['nft', 'add chain inet echospec pre { type filter hook prerouting priority -300 ; }'])
  const before = Date.now()
  await lab.exec(rtr, ['nft', 'add rule inet echospec pre udp dport 3785 drop'])
  return before
}

const echoOn = (): void => void t.test("against FRR's bfdd with echo-mode: echoes both ways, and dropping UDP 3785 at the router is echo loss (diag 2) in about 150 ms", async (t) => {
  const lab = labFor(t)
  const { rtr, spk } = await setUp(lab)
  const router = await startFrr(t, lab, rtr)
  const a = await ours(lab, spk, ECHO_MS)
  await a.waitFor((e) => e.event === 'up', 'our session Up', 15_000)
  const up = await pollFrr(router, 5_000, (p) => p?.status === 'up' && p['remote-echo-receive-interval'] === ECHO_MS)
  t.equal(up?.status, 'up', `FRR says up (${JSON.stringify(up)})`)
  t.equal(up?.['remote-echo-receive-interval'], ECHO_MS, 'FRR read our Required Min Echo RX: 50 ms')
  const seen = await capture(lab, spk, 2_000)
  const ourOut = seen.filter((p) => p.ttl === 255 && p.from.startsWith(`${OURS}.`) && p.to === OURS)
  const ourBack = seen.filter((p) => p.ttl === 254 && p.from.startsWith(`${OURS}.`) && p.to === OURS)
  const frrs = seen.filter((p) => p.to === RTR)
  t.comment(`tcpdump in 2 s: ${ourOut.length} of our echoes out (TTL 255), ${ourBack.length} back (TTL 254), FRR's ${frrs.filter((p) => p.ttl === 255).length} in (TTL 255) and ${frrs.filter((p) => p.ttl === 254).length} looped back by us (TTL 254)`)
  t.ok(ourOut.length >= 20 && ourBack.length >= 20, `our echoes go out and come back looped by the router's kernel (${ourOut.length} out, ${ourBack.length} back in 2 s at 50 ms)`)
  t.ok(frrs.some((p) => p.ttl === 255) && frrs.some((p) => p.ttl === 254), "FRR's bfdd echoes too, looped by our kernel")
  await sleep(1_000)
  t.equal(count(a, 'down'), 0, 'no Down while echoes flow')
  a.command({ cmd: 'metrics' })
  const text = String((await a.waitFor((e) => e.event === 'metrics', 'our metrics'))['text'])
  const counter = (name: string): number => Number(new RegExp(`${name}\\{peer="${RTR.replace(/\./g, '\\.')}"\\} (\\d+)`).exec(text)?.[1] ?? -1)
  const [out, back] = [counter('metallb_bfd_echo_packet_output'), counter('metallb_bfd_echo_packet_input')]
  t.comment(`metrics after about 3 s of echo: metallb_bfd_echo_packet_output ${out}, metallb_bfd_echo_packet_input ${back}`)
  t.ok(out >= 30 && back >= 30 && back <= out, 'metallb_bfd_echo_packet_output and _input count them (MetalLB names)')

  const droppedAt = await dropEchoesAtRouter(lab, rtr)
  // The first Down after the drop began (a Down before it already failed the row above).
  const down = await a.waitFor((e) => e.event === 'down' && at(e) >= droppedAt, 'our side declares echo loss', 5_000)
  const took = at(down) - droppedAt
  t.equal(down['diag'], 2, 'diag 2: Echo Function Failed (control packets still flow)')
  t.comment(`our side went Down ${took} ms after the router began dropping UDP 3785 (echo detection ${ECHO_MS} x ${MULT} = ${ECHO_MS * MULT} ms; control detection would be ${CONTROL_MS * MULT} ms)`)
  t.ok(took <= ECHO_MS * MULT + SLACK_MS, `Down within ${ECHO_MS * MULT} ms and ${SLACK_MS} ms of slack (${took} ms)`)
  const frrDown = await pollFrr(router, 3_000, (p) => p?.status !== 'up')
  t.comment(`FRR then: ${JSON.stringify(frrDown)}`)
  if (!t.passing()) t.comment(`FRR log tail: ${router.log().slice(-3000)}`)
})

const echoOff = (): void => void t.test('echo off on our side (FRR still in echo-mode): we advertise 0, nobody echoes, and dropping UDP 3785 changes nothing', async (t) => {
  const lab = labFor(t)
  const { rtr, spk } = await setUp(lab)
  const router = await startFrr(t, lab, rtr)
  const a = await ours(lab, spk)
  await a.waitFor((e) => e.event === 'up', 'our session Up', 15_000)
  const up = await pollFrr(router, 5_000, (p) => p?.status === 'up')
  t.equal(up?.status, 'up', 'FRR says up')
  t.equal(up?.['remote-echo-receive-interval'], 0, 'FRR read 0: we loop no echoes for it')
  t.same(await capture(lab, spk, 1_500), [], 'tcpdump: no echo packet either way in 1.5 s')
  await dropEchoesAtRouter(lab, rtr)
  await sleep(2 * CONTROL_MS * MULT)
  t.equal(count(a, 'down'), 0, `still Up ${2 * CONTROL_MS * MULT} ms after the drop`)
  t.equal((await router.show())?.status, 'up', 'FRR still up')
})

t.setTimeout(400_000)
const why = netnsUnavailable()
const missing = why === undefined ? missingTools(['vtysh', 'nft', 'tcpdump']) : undefined
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (missing !== undefined) t.fail(missing)
else {
  echoOn()
  echoOff()
}

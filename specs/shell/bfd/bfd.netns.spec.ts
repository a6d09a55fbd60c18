// shell/bfd over real sockets, 100 ms x 3: two of our sessions over a veth pair (one passive), and one
// against FRR's bfdd, each side in a lab namespace. Up on both sides; a silent side is declared Down
// with diag 1 within the detection time; an AdminDown is Down with diag 3 at once; FRR declares us Down
// when our packets are dropped (nftables inside our namespace) and we declare FRR Down when its bfdd
// is killed. Times are printed as measured. Needs root, FRR (bfdd, vtysh) and nft.
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { type Lab, labFor, missingTools, netnsUnavailable } from '../../support/netns.js'
import { type Agent, type AgentEvent, startAgent } from '../../support/netnsAgent.js'

const PEER_MAIN = fileURLToPath(new URL('./bfdPeerMain.ts', import.meta.url))
const FRR_BFDD = join('/usr/lib/frr', 'bfdd')
const TIMERS = ['--tx', '100', '--rx', '100', '--mult', '3']
/** 3 x 100 ms; the slack is what a loaded two-core machine adds to timers and polling (the bar: Down within 1 s). */
const DETECT_MS = 300
const SLACK_MS = 700

const at = (e: AgentEvent): number => Number(e['at'])
const nth = (events: readonly AgentEvent[], name: string, n: number): AgentEvent | undefined => events.filter((e) => e.event === name)[n]
const count = (a: Agent, name: string): number => a.events.filter((e) => e.event === name).length

const pair = async (lab: Lab, left: string, right: string, l: string, r: string): Promise<[string, string]> => {
  const a = await lab.namespace(left)
  const b = await lab.namespace(right)
  await lab.veth({ ns: a, ifname: 'eth0' }, { ns: b, ifname: 'eth0' })
  await lab.address(a, 'eth0', `${l}/24`)
  await lab.address(b, 'eth0', `${r}/24`)
  return [a, b]
}

/** Our session in `ns`, once its process is up (node with the TypeScript loader starts slowly on a busy machine). */
const peer = async (lab: Lab, ns: string, local: string, remote: string, extra: readonly string[] = []): Promise<Agent> => {
  const a = startAgent(lab, ns, ['--local', local, '--remote', remote, ...TIMERS, '--max-seconds', '120', ...extra], PEER_MAIN)
  await a.waitFor((e) => e.event === 'started', `our BFD process in ${ns} started`, 90_000)
  return a
}

/** The frr user's uid and gid, from /etc/passwd (the package creates it). */
const frrIds = (): { uid: number; gid: number } => {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('frr:'))
  const [, , uid, gid] = (line ?? '').split(':')
  if (uid === undefined || gid === undefined) throw new Error('no frr user in /etc/passwd: is the frr package installed?')
  return { uid: Number(uid), gid: Number(gid) }
}

const ourPair = (): void => void t.test('two of our sessions: Up, a silent side Down with diag 1 in the detection time, Up again, AdminDown is diag 3', async (t) => {
  const lab = labFor(t)
  const [na, nb] = await pair(lab, 'oura', 'ourb', '198.51.100.21', '198.51.100.22')
  // Started together: b is passive and waits for a whichever comes up first.
  const [b, a1] = await Promise.all([peer(lab, nb, '198.51.100.22', '198.51.100.21', ['--passive']), peer(lab, na, '198.51.100.21', '198.51.100.22')])
  await a1.waitFor((e) => e.event === 'up', 'a Up', 10_000)
  await b.waitFor((e) => e.event === 'up', 'b (passive) Up', 10_000)
  await new Promise((r) => setTimeout(r, 1_000))
  t.equal(count(b, 'down'), 0, 'b stays Up for a second at 100 ms')
  a1.command({ cmd: 'discards' })
  const counts = await a1.waitFor((e) => e.event === 'discards', "a's discards")
  t.same(counts['counts'], {}, 'a dropped nothing b sent')
  const silencedAt = Date.now()
  a1.command({ cmd: 'die' }) // SIGKILL to itself: no AdminDown, just silence
  const down = await b.waitFor((e) => e.event === 'down', 'b Down', 5_000)
  t.equal(down['diag'], 1, 'diag 1: Control Detection Time Expired')
  const took = at(down) - silencedAt
  t.comment(`our side declared a killed peer Down ${took} ms after the kill (detection time ${DETECT_MS} ms)`)
  t.ok(took <= DETECT_MS + SLACK_MS, `Down within the detection time and ${SLACK_MS} ms of slack (${took} ms)`)

  const a2 = await peer(lab, na, '198.51.100.21', '198.51.100.22')
  await a2.waitFor((e) => e.event === 'up', 'a Up again with a new discriminator', 10_000)
  await b.waitFor(() => count(b, 'up') === 2, 'b Up again', 10_000)
  a2.command({ cmd: 'stop' })
  const stopped = await a2.waitFor((e) => e.event === 'stopped', 'a stopped')
  const adminDown = await b.waitFor(() => count(b, 'down') === 2, 'b Down after AdminDown', 5_000)
  const second = nth(b.events, 'down', 1) ?? adminDown
  t.equal(second['diag'], 3, 'diag 3: Neighbor Signaled Session Down')
  t.comment(`AdminDown to the peer's Down: ${at(second) - at(stopped)} ms`)
})

const timerLines = ['  receive-interval 100', '  transmit-interval 100', '  detect-multiplier 3', ' exit']
/** One single-hop and one multi-hop (RFC 5883) session to the same peer address. */
const bfddConf = (peerIp: string, local: string): string =>
  ['bfd', ` peer ${peerIp} local-address ${local}`, ...timerLines, ` peer ${peerIp} multihop local-address ${local}`, ...timerLines, 'exit', ''].join('\n')

interface FrrPeer {
  readonly multihop: boolean
  readonly status: string
  readonly diagnostic: string
  readonly 'remote-receive-interval': number
  readonly 'remote-transmit-interval': number
}

const againstFrr = (): void => void t.test("against FRR's bfdd: Up both sides, FRR sees our silence in about the detection time, we see bfdd's death in it", async (t) => {
  const lab = labFor(t)
  const [rtr, spk] = await pair(lab, 'frr', 'spk', '198.51.100.1', '198.51.100.11')
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-bfdd-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'bfdd.conf'), bfddConf('198.51.100.11', '198.51.100.1'))
  // bfdd drops to user frr (it refuses root outside the frrvty group): its folder is frr's.
  const frr = frrIds()
  chownSync(dir, frr.uid, frr.gid)
  let log = ''
  const bfdd = lab.spawn(rtr, [FRR_BFDD, '-u', 'frr', '-g', 'frr', '-f', join(dir, 'bfdd.conf'), '-i', join(dir, 'bfdd.pid'), '--vty_socket', dir, '--bfdctl', join(dir, 'bfdd.sock'), '-z', join(dir, 'zserv.api'), '-P', '0', '--log', 'stdout'])
  bfdd.stdout?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-8000)))
  const show = async (): Promise<FrrPeer | undefined> => {
    const out = (await lab.exec(rtr, ['vtysh', '--vty_socket', dir, '-c', 'show bfd peers json'], 5_000)).stdout
    try {
      return (JSON.parse(out) as FrrPeer[]).find((p) => !p.multihop)
    } catch {
      return undefined
    }
  }
  const pollFrr = async (ms: number, done: (p: FrrPeer | undefined) => boolean): Promise<{ peer: FrrPeer | undefined; at: number }> => {
    const deadline = Date.now() + ms
    for (;;) {
      const p = await show()
      if (done(p) || Date.now() > deadline) return { peer: p, at: Date.now() }
      await new Promise((r) => setTimeout(r, 10))
    }
  }
  const [ours, multi] = await Promise.all([peer(lab, spk, '198.51.100.11', '198.51.100.1'), peer(lab, spk, '198.51.100.11', '198.51.100.1', ['--multihop'])])
  await ours.waitFor((e) => e.event === 'up', 'our session Up', 10_000)
  await multi.waitFor((e) => e.event === 'up', 'our multi-hop session (port 4784) Up', 10_000)
  const frrMulti = async (): Promise<string> => (await lab.exec(rtr, ['vtysh', '--vty_socket', dir, '-c', 'show bfd peers json'], 5_000)).stdout
  t.match(await frrMulti(), /"multihop":true,[^}]*"status":"up"/, 'FRR says its multi-hop session is up too')
  const up = await pollFrr(5_000, (p) => p?.status === 'up' && p['remote-transmit-interval'] === 100)
  t.equal(up.peer?.status, 'up', `FRR says up (${JSON.stringify(up.peer)})`)
  t.equal(up.peer?.['remote-transmit-interval'], 100, 'FRR took our 100 ms after the poll sequence')

  await lab.exec(spk, ['nft', 'add table inet bfdspec'])
  await lab.exec(spk, ['nft', 'add chain inet bfdspec out { type filter hook output priority 0 ; }'])
  await lab.exec(spk, ['nft', 'add rule inet bfdspec out udp dport 3784 drop'])
  const droppedAt = Date.now()
  // FRR's Down reaches us (only our direction is dropped) the moment bfdd declares it: that is the time.
  const told = await ours.waitFor((e) => e.event === 'down', 'our side hears FRR say Down', 5_000)
  t.equal(told['diag'], 3, "we go Down with diag 3 on FRR's Down")
  const frrTook = at(told) - droppedAt
  t.comment(`FRR declared us Down ${frrTook} ms after our packets were dropped (its Down packet's arrival here; detection time ${DETECT_MS} ms)`)
  t.ok(frrTook <= DETECT_MS + SLACK_MS, `FRR Down within ${DETECT_MS + SLACK_MS} ms (${frrTook} ms)`)
  const frrDown = await pollFrr(3_000, (p) => p !== undefined && p.status !== 'up')
  t.equal(frrDown.peer?.status, 'down', 'FRR says down')
  t.equal(frrDown.peer?.diagnostic, 'control detection time expired', "FRR's diagnostic: detection time expired")

  await lab.exec(spk, ['nft', 'delete table inet bfdspec'])
  await ours.waitFor(() => count(ours, 'up') === 2, 'Up again once packets flow', 10_000)
  t.equal((await pollFrr(5_000, (p) => p?.status === 'up')).peer?.status, 'up', 'FRR up again')

  const killedAt = Date.now()
  bfdd.kill('SIGKILL')
  await ours.waitFor(() => count(ours, 'down') === 2, 'our side declares FRR Down', 5_000)
  const down = nth(ours.events, 'down', 1)
  const took = (down === undefined ? Infinity : at(down)) - killedAt
  t.equal(down?.['diag'], 1, 'diag 1: Control Detection Time Expired')
  t.comment(`our side declared FRR's killed bfdd Down ${took} ms after the kill (detection time ${DETECT_MS} ms)`)
  t.ok(took <= DETECT_MS + SLACK_MS, `Down within ${DETECT_MS + SLACK_MS} ms (${took} ms)`)
  ours.command({ cmd: 'discards' })
  const counts = await ours.waitFor((e) => e.event === 'discards', 'our discards')
  t.same(counts['counts'], {}, "every packet FRR sent decoded and matched our session")
  ours.command({ cmd: 'metrics' })
  const text = String((await ours.waitFor((e) => e.event === 'metrics', 'our metrics'))['text'])
  t.match(text, 'metallb_bfd_session_up{peer="198.51.100.1"} 0', 'metallb_bfd_session_up says down')
  t.match(text, 'metallb_bfd_session_up_events{peer="198.51.100.1"} 2', 'two up events')
  t.match(text, 'metallb_bfd_session_down_events{peer="198.51.100.1"} 2', 'two down events')
  t.match(text, /metallb_bfd_control_packet_input\{peer="198\.51\.100\.1"\} [1-9]/, 'packets in counted')
  if (!t.passing()) t.comment(`bfdd log tail: ${log.slice(-3000)}`)
})

t.setTimeout(400_000)
const why = netnsUnavailable()
const missing = why === undefined ? missingTools(['vtysh', 'nft']) : undefined
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (missing !== undefined) t.fail(missing)
else {
  ourPair()
  againstFrr()
}

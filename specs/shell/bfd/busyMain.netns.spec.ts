// A busy main thread cannot break BFD: our session (shell/bfd, as the speaker runs it, in its own
// process in a lab namespace) against FRR's bfdd at 100 ms x 3, and the process's main event loop held
// by a busy loop for 1.5 s four times, as a long reconcile pass or a GC pause would hold it. FRR's
// session stays Up the whole time (its status, its session-down counter and its uptime, which a reset
// would restart) and our side reports no Down. With BFD's timers and sockets on the main thread, each
// block is five detection times of silence and FRR declares us Down. Needs root and FRR (bfdd, vtysh).
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { type Lab, labFor, missingTools, netnsUnavailable } from '../../support/netns.js'
import { type Agent, startAgent } from '../../support/netnsAgent.js'

const PEER_MAIN = fileURLToPath(new URL('./bfdPeerMain.ts', import.meta.url))
const FRR_BFDD = join('/usr/lib/frr', 'bfdd')
const BLOCK_MS = 1_500
const BLOCKS = 4
const FRR_IP = '198.51.100.1'
const OUR_IP = '198.51.100.11'

interface FrrPeer {
  readonly peer: string
  readonly multihop: boolean
  readonly status: string
  readonly uptime?: number
  readonly diagnostic: string
  readonly 'remote-transmit-interval': number
}
interface FrrCounters {
  readonly peer: string
  readonly 'session-up': number
  readonly 'session-down': number
  readonly 'control-packet-input': number
}

const frrIds = (): { uid: number; gid: number } => {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('frr:'))
  const [, , uid, gid] = (line ?? '').split(':')
  if (uid === undefined || gid === undefined) throw new Error('no frr user in /etc/passwd: is the frr package installed?')
  return { uid: Number(uid), gid: Number(gid) }
}

const bfddConf = (): string =>
  ['bfd', ` peer ${OUR_IP} local-address ${FRR_IP}`, '  receive-interval 100', '  transmit-interval 100', '  detect-multiplier 3', ' exit', 'exit', ''].join('\n')

/** bfdd in `ns`, its vtysh asked in JSON; the folder and the daemon go with the test. */
const startBfdd = (t: { teardown: (fn: () => unknown) => void }, lab: Lab, ns: string): { show: <T>(what: string) => Promise<T | undefined>; log: () => string } => {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-bfdd-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'bfdd.conf'), bfddConf())
  const frr = frrIds()
  chownSync(dir, frr.uid, frr.gid)
  let log = ''
  const bfdd = lab.spawn(ns, [FRR_BFDD, '-u', 'frr', '-g', 'frr', '-f', join(dir, 'bfdd.conf'), '-i', join(dir, 'bfdd.pid'), '--vty_socket', dir, '--bfdctl', join(dir, 'bfdd.sock'), '-z', join(dir, 'zserv.api'), '-P', '0', '--log', 'stdout'])
  bfdd.stdout?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-8000)))
  const show = async <T,>(what: string): Promise<T | undefined> => {
    const out = (await lab.exec(ns, ['vtysh', '--vty_socket', dir, '-c', `show bfd peers ${what} json`.replace('  ', ' ')], 10_000)).stdout
    try {
      return (JSON.parse(out) as (T & { peer: string; multihop?: boolean })[]).find((p) => p.peer === OUR_IP && p.multihop !== true)
    } catch {
      return undefined
    }
  }
  return { show, log: () => log }
}

const waitUntil = async <T,>(ms: number, get: () => Promise<T>, done: (v: T) => boolean): Promise<T> => {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await get()
    if (done(v) || Date.now() > deadline) return v
    await new Promise((r) => setTimeout(r, 100))
  }
}

const count = (a: Agent, name: string): number => a.events.filter((e) => e.event === name).length

const blockedMain = (): void => void t.test(`the main thread held ${BLOCKS} x ${BLOCK_MS} ms: FRR's bfdd (100 ms x 3) keeps us Up, we report no Down`, async (t) => {
  const lab = labFor(t)
  const rtr = await lab.namespace('frr')
  const spk = await lab.namespace('spk')
  await lab.veth({ ns: rtr, ifname: 'eth0' }, { ns: spk, ifname: 'eth0' })
  await lab.address(rtr, 'eth0', `${FRR_IP}/24`)
  await lab.address(spk, 'eth0', `${OUR_IP}/24`)
  const frr = startBfdd(t, lab, rtr)
  const ours = startAgent(lab, spk, ['--local', OUR_IP, '--remote', FRR_IP, '--tx', '100', '--rx', '100', '--mult', '3', '--max-seconds', '180'], PEER_MAIN)
  await ours.waitFor((e) => e.event === 'started', 'our BFD process started', 90_000)
  await ours.waitFor((e) => e.event === 'up', 'our session Up', 15_000)
  const up = await waitUntil(10_000, () => frr.show<FrrPeer>(''), (p) => p?.status === 'up' && p['remote-transmit-interval'] === 100)
  t.equal(up?.status, 'up', `FRR says up at our 100 ms (${JSON.stringify(up)})`)
  const before = await frr.show<FrrCounters>('counters')
  const upAt = Date.now()

  for (let i = 0; i < BLOCKS; i++) {
    const n = count(ours, 'unblocked')
    ours.command({ cmd: 'block', ms: BLOCK_MS })
    const done = await ours.waitFor(() => count(ours, 'unblocked') === n + 1, `block ${i + 1} over`, 30_000)
    const held = ours.events.filter((e) => e.event === 'unblocked')[n]?.['blockedMs'] ?? done['blockedMs']
    t.ok(Number(held) >= BLOCK_MS, `block ${i + 1}: the main thread was held ${String(held)} ms`)
    await new Promise((r) => setTimeout(r, 300))
  }
  // Whatever FRR decided during the blocks has reached it by now (detection is 300 ms; Up again would take a poll).
  await new Promise((r) => setTimeout(r, 1_000))
  const after = await frr.show<FrrCounters>('counters')
  const peer = await frr.show<FrrPeer>('')
  t.comment(`FRR counters before ${JSON.stringify(before)} after ${JSON.stringify(after)}; peer ${JSON.stringify(peer)}`)
  t.equal(peer?.status, 'up', 'FRR says up after the blocks')
  t.equal(after?.['session-down'], before?.['session-down'], "FRR's session-down counter did not move")
  t.equal(after?.['session-up'], before?.['session-up'], "FRR's session-up counter did not move (no reset and recovery)")
  const heldFor = (Date.now() - upAt) / 1000
  t.ok((peer?.uptime ?? 0) >= Math.floor(heldFor) - 1, `FRR's uptime ${peer?.uptime} s covers the ${heldFor.toFixed(1)} s since the blocks began`)
  t.ok((after?.['control-packet-input'] ?? 0) > (before?.['control-packet-input'] ?? 0), 'FRR kept receiving our packets')
  t.equal(count(ours, 'down'), 0, 'our side reported no Down')
  if (!t.passing()) t.comment(`bfdd log tail: ${frr.log().slice(-3000)}`)
})

t.setTimeout(300_000)
const why = netnsUnavailable()
const missing = why === undefined ? missingTools(['vtysh']) : undefined
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (missing !== undefined) t.fail(missing)
else blockedMain()

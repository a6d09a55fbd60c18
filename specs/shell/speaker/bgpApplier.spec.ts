// The speaker's BGP applier (shell/speaker/bgpApplier.ts) on loopback, against a TCP server that
// only records what it is sent (no BGP spoken back, so every session waits in OpenSent): a BFD Down
// for the peer drops the session and dials again at once (not after connectTime); the speaker's stop
// sends a Cease to a peer without graceful restart and only closes the TCP connection of one with
// it; a pass whose routes change starts nothing. A real pass of the core plans each step.
import t from 'tap'
import { EventEmitter } from 'node:events'
import { type AddressInfo, type Server, connect, createServer } from 'node:net'
import type { Bfd, BfdPeer } from '../../../shell/bfd/bfd.js'
import type { Dialer, Listen } from '../../../shell/bgp/socketOptions.js'
import { silentLogger } from '../../../shell/obs/log.js'
import { startBgpApplier } from '../../../shell/speaker/bgpApplier.js'
import { reconcileSpeaker } from '../../../core/speaker/reconcile.js'
import { type SpeakerState, initialSpeakerState } from '../../../core/speaker/speakerPlan.js'
import { NS, UNABLE, mkInput, rawNode, rawPool, rawService, rawSlice } from '../../core/speaker/mk.js'

/** A server that keeps, per connection, the BGP message types it received. */
const recorder = async (): Promise<{ server: Server; port: number; conns: { types: number[]; closed: boolean }[] }> => {
  const conns: { types: number[]; closed: boolean }[] = []
  const server = createServer((s) => {
    const c = { types: [] as number[], closed: false }
    conns.push(c)
    let buf = Buffer.alloc(0)
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d])
      while (buf.length >= 19 && buf.length >= buf.readUInt16BE(16)) {
        c.types.push(buf[18] ?? 0)
        buf = buf.subarray(buf.readUInt16BE(16))
      }
    })
    s.on('error', () => undefined)
    s.on('close', () => void (c.closed = true))
  })
  // peerPort is at most 16384 (MetalLB's CRD): try a few ports below it.
  for (let i = 0; i < 20; i++) {
    const port = 12000 + Math.floor(Math.random() * 4000)
    const ok = await new Promise<boolean>((r) => {
      server.once('error', () => r(false))
      server.listen({ host: '127.0.0.1', port }, () => r(true))
    })
    if (ok) return { server, port: (server.address() as AddressInfo).port, conns }
  }
  throw new Error('no free port below 16384')
}

const fakeBfd = () => {
  const ee = new EventEmitter()
  const started: string[] = []
  const stopped: string[] = []
  const bfd: Bfd = {
    start: async (p: BfdPeer) => void started.push(p.address),
    stop: async (p: BfdPeer, how = 'adminDown') => void stopped.push(`${p.address} ${how}`),
    on: (change, listener) => void ee.on(change, listener),
    state: () => undefined,
    discards: () => new Map(),
    close: () => undefined,
  }
  return { bfd, started, stopped, down: (address: string) => ee.emit('down', { address, multiHop: false }, 1) }
}

const dialer: Dialer = (target, o) => connect({ host: target.host, port: target.port, ...(o.localAddress === undefined ? {} : { localAddress: o.localAddress }) })
const noListen: Listen = () => {
  const s = new EventEmitter() as unknown as Server
  ;(s as unknown as { close: (cb: () => void) => void }).close = (cb) => cb()
  return s
}
const until = async (ms: number, ok: () => boolean): Promise<boolean> => {
  const end = Date.now() + ms
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 20))
  return ok()
}

const objectsFor = (port: number, peerSpec: Record<string, unknown>) => [
  rawPool('p', ['198.51.100.0/28']),
  rawNode('n0'),
  { apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: { name: 'fast', namespace: NS }, spec: {} },
  { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'all', namespace: NS }, spec: {} },
  { apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'tor', namespace: NS }, spec: { myASN: 64500, peerASN: 64501, peerAddress: '127.0.0.1', peerPort: port, connectTime: '30s', ...peerSpec } },
]

const run = (state: SpeakerState, objects: readonly { kind: string }[]) => {
  const step = reconcileSpeaker(mkInput(objects, { readiness: UNABLE }), state, { node: 'n0', namespace: NS, loadBalancerClass: undefined, now: 0 })
  if (step.plan.protocols.bgp === undefined) throw new Error(`BGP undecided: ${JSON.stringify(step.plan.config?.errors)}`)
  return step
}

t.test('a BFD Down drops the session and dials again at once; routes alone start nothing', async (t) => {
  const rec = await recorder()
  t.teardown(() => rec.server.close())
  const f = fakeBfd()
  const applier = startBgpApplier({ log: silentLogger, events: { record: async () => undefined }, node: 'n0', dialer, listen: noListen, bfd: f.bfd })
  t.teardown(() => applier.stop())
  const objects = objectsFor(rec.port, { bfdProfile: 'fast' })
  const first = run(initialSpeakerState, objects)
  await applier.apply(first.plan.protocols.bgp!)
  t.ok(await until(3_000, () => rec.conns.length === 1 && rec.conns[0]?.types[0] === 1), 'dialled, OPEN sent')
  t.same(f.started, ['127.0.0.1'], 'BFD started for the peer')
  const second = run(first.state, [...objects, rawService('web', { ips: ['198.51.100.1'] }), rawSlice('web', [{ node: 'n0' }])])
  await applier.apply(second.plan.protocols.bgp!)
  await new Promise((r) => setTimeout(r, 200))
  t.equal(rec.conns.length, 1, 'a route added: no new connection')
  f.down('127.0.0.1')
  t.ok(await until(2_000, () => rec.conns.length === 2), 'BFD Down: a new connection within 2 s (connectTime is 30 s)')
  t.ok(await until(2_000, () => rec.conns[0]?.closed === true), 'the old one closed')
  t.same(rec.conns[0]?.types, [1, 3], 'OPEN, then a NOTIFICATION (Cease)')
})

t.test('stop: Cease without graceful restart, a bare close with it', async (t) => {
  for (const [gr, want] of [[false, [1, 3]], [true, [1]]] as const) {
    const rec = await recorder()
    const applier = startBgpApplier({ log: silentLogger, events: { record: async () => undefined }, node: 'n0', dialer, listen: noListen })
    await applier.apply(run(initialSpeakerState, objectsFor(rec.port, { enableGracefulRestart: gr })).plan.protocols.bgp!)
    t.ok(await until(3_000, () => rec.conns[0]?.types[0] === 1), 'OPEN sent')
    await applier.stop()
    t.ok(await until(3_000, () => rec.conns[0]?.closed === true), 'closed')
    t.same(rec.conns[0]?.types, want, gr ? 'graceful restart: nothing after the OPEN' : 'no graceful restart: a NOTIFICATION')
    rec.server.close()
  }
})

// grDefault.netns.spec shows why: FRR flushes a restarting peer's routes on a BFD Down it hears before
// the TCP close, which an AdminDown right behind the close could be.
t.test("stop: a graceful restart's BFD ends silent, any other with AdminDown", async (t) => {
  for (const [gr, want] of [[false, 'adminDown'], [true, 'silent']] as const) {
    const rec = await recorder()
    const f = fakeBfd()
    const applier = startBgpApplier({ log: silentLogger, events: { record: async () => undefined }, node: 'n0', dialer, listen: noListen, bfd: f.bfd })
    await applier.apply(run(initialSpeakerState, objectsFor(rec.port, { bfdProfile: 'fast', enableGracefulRestart: gr })).plan.protocols.bgp!)
    t.ok(await until(3_000, () => rec.conns[0]?.types[0] === 1), 'OPEN sent')
    await applier.stop()
    t.same(f.stopped, [`127.0.0.1 ${want}`], gr ? 'graceful restart: silent' : 'no graceful restart: AdminDown')
    rec.server.close()
  }
})

// The speaker's ARP/NDP responder over recording sockets: what it answers, what it refuses by how the
// frame arrived, and what its per-IP metrics hold under a flood of requests for addresses it does
// not announce (issue 8 §3: any LAN host could add a series per address asked about).
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import t from 'tap'
import * as E from 'fp-ts/lib/Either.js'
import { parseIP, type IP } from '../../../core/net/address.js'
import type { Arrival } from '../../../core/packet/arrival.js'
import type { Mac } from '../../../core/packet/mac.js'
import type { MulticastGroups } from '../../../shell/l2/multicastGroups.js'
import type { PacketSocket, PacketSocketOptions, ReceivedFrame } from '../../../shell/native/packetSocket.js'
import { silentLogger } from '../../../shell/obs/log.js'
import { startL2Responder, type ResponderIo } from '../../../shell/speaker/l2Responder.js'
import { speakerMetrics } from '../../../shell/speaker/metrics.js'
import { mkArpFrame } from '../../core/packet/build.js'

const ip = (s: string): IP => {
  const r = parseIP(s)
  if (E.isLeft(r)) throw new Error(s)
  return r.right
}
const OUR = '02:00:5e:10:00:0b' as Mac
const ASKER = '02:00:5e:10:00:0a'
const V4 = '198.51.100.10'
const link = { name: 'eth0', ifindex: 7, mac: OUR, up: true, noArp: false, loopback: false, master: undefined }
const links = new Map([['eth0', link]])

interface FakeSocket extends PacketSocket {
  readonly opts: PacketSocketOptions
  readonly sent: Uint8Array[]
  deliver(frame: Uint8Array, arrival?: Partial<Arrival>): void
}

const mkIo = () => {
  const sockets: FakeSocket[] = []
  const io: ResponderIo = {
    openSocket: (opts) => {
      let onFrame: ((f: ReceivedFrame) => void) | undefined
      let open = true
      const s: FakeSocket = {
        opts,
        sent: [],
        deliver: (frame, arrival = {}) =>
          onFrame?.({ frame: Buffer.from(frame), wireLength: frame.length, packetType: 'broadcast', ifindex: opts.ifindex, ...arrival }),
        send: (frame) => {
          s.sent.push(frame)
          return frame.length
        },
        start: (cb) => {
          onFrame = cb
        },
        addMembership: () => undefined,
        dropMembership: () => undefined,
        statistics: () => ({ packets: 0, drops: 0 }),
        setRef: () => undefined,
        close: () => {
          open = false
          onFrame = undefined
        },
        fd: () => (open ? 100 : -1),
      }
      sockets.push(s)
      return s
    },
    openGroups: async (): Promise<MulticastGroups> => ({ join: () => undefined, leave: () => undefined, joined: () => [], close: async () => undefined }),
  }
  const arpSocket = (): FakeSocket => {
    const s = sockets.filter((x) => x.opts.protocol === 0x0806 && x.fd() >= 0).at(-1)
    if (s === undefined) throw new Error('no open ARP socket')
    return s
  }
  return { io, sockets, arpSocket }
}

/** Series of one metric family in the registry's text output. */
const seriesOf = async (metrics: ReturnType<typeof speakerMetrics>, name: string): Promise<string[]> =>
  (await metrics.registry.metrics()).split('\n').filter((l) => l.startsWith(`${name}{`))

t.test('only the frames of this interface are answered: by packet type, ifindex and VLAN tag', async (t) => {
  const { io, arpSocket } = mkIo()
  const metrics = speakerMetrics('node1')
  const r = startL2Responder(metrics.counters, silentLogger, io)
  t.teardown(() => r.close())
  await r.apply(new Map([['eth0', [ip(V4)]]]), links)
  const sock = arpSocket()
  // Requests from another host for our IP, all well-formed; only how they arrived differs.
  const rows: ReadonlyArray<{ desc: string; in: Partial<Arrival>; want: 'Reply' | string }> = [
    { desc: 'broadcast on this interface', in: {}, want: 'Reply' },
    { desc: 'priority-tagged (VLAN 0) is the untagged network', in: { vlan: 0 }, want: 'Reply' },
    { desc: 'tag kept in the metadata, VLAN 100', in: { vlan: 100 }, want: 'VlanTagged' },
    { desc: 'kernel marked it for another host (a VLAN with no device here)', in: { packetType: 'otherhost' }, want: 'OtherHost' },
    { desc: 'delivered from a VLAN sub-interface (another ifindex)', in: { ifindex: 8 }, want: 'OtherInterface' },
    { desc: 'our own frame looped back (kernel before 4.20)', in: { packetType: 'outgoing' }, want: 'Outgoing' },
  ]
  for (const row of rows) {
    const before = sock.sent.length
    const drops = await seriesOf(metrics, 'ironlb_layer2_frames_dropped_total')
    sock.deliver(mkArpFrame({ src: ASKER, tpa: V4 }), row.in)
    const answered = sock.sent.length > before
    if (row.want === 'Reply') t.ok(answered, row.desc)
    else {
      t.notOk(answered, `${row.desc}: not answered`)
      const after = await seriesOf(metrics, 'ironlb_layer2_frames_dropped_total')
      t.ok(after.some((l) => l.includes(`reason="${row.want}"`) && !drops.includes(l)), `${row.desc}: counted as ${row.want}`)
    }
  }
})

t.test('a forged sender is not answered, and the reason is counted', async (t) => {
  const { io, arpSocket } = mkIo()
  const metrics = speakerMetrics('node1')
  const r = startL2Responder(metrics.counters, silentLogger, io)
  t.teardown(() => r.close())
  await r.apply(new Map([['eth0', [ip(V4)]]]), links)
  const sock = arpSocket()
  sock.deliver(mkArpFrame({ src: ASKER, sha: 'ff:ff:ff:ff:ff:ff', tpa: V4 }))
  sock.deliver(mkArpFrame({ src: '01:00:5e:00:00:01', tpa: V4 }))
  sock.deliver(mkArpFrame({ src: ASKER, spa: '224.0.0.1', tpa: V4 }))
  t.equal(sock.sent.length, 0, 'nothing sent')
  const text = await metrics.registry.metrics()
  t.match(text, /ironlb_layer2_frames_dropped_total\{protocol="arp",reason="SenderMacNotUnicast"\} 2/)
  t.match(text, /ironlb_layer2_frames_dropped_total\{protocol="arp",reason="SenderIpNotUnicast"\} 1/)
})

t.test('flood: 100,000 distinct target IPs add no series, and the heap stays bounded', async (t) => {
  const { io, arpSocket } = mkIo()
  const metrics = speakerMetrics('node1')
  const r = startL2Responder(metrics.counters, silentLogger, io)
  t.teardown(() => r.close())
  await r.apply(new Map([['eth0', [ip(V4)]]]), links)
  const sock = arpSocket()
  sock.deliver(mkArpFrame({ src: ASKER, tpa: V4 }))
  const requests = async () => seriesOf(metrics, 'metallb_layer2_requests_received')
  t.same(await requests(), ['metallb_layer2_requests_received{ip="198.51.100.10"} 1'], 'the announced IP is counted')

  // A full collection before each heap reading, without asking tap for --expose-gc.
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  gc()
  const heapBefore = process.memoryUsage().heapUsed
  // 203.0.113.0/24 and onwards: 100,000 distinct addresses nobody here announces.
  const frame = mkArpFrame({ src: ASKER, tpa: '203.0.0.0' })
  for (let i = 0; i < 100_000; i++) {
    const target = 0xcb000000 + i
    frame[38] = target >>> 24
    frame[39] = (target >>> 16) & 0xff
    frame[40] = (target >>> 8) & 0xff
    frame[41] = target & 0xff
    sock.deliver(frame)
  }
  const body = await metrics.registry.metrics()
  gc()
  const heapGrowth = process.memoryUsage().heapUsed - heapBefore
  t.equal(sock.sent.length, 1, 'none of the flood was answered')
  t.same(await requests(), ['metallb_layer2_requests_received{ip="198.51.100.10"} 1'], 'still one requests series')
  t.match(body, /ironlb_layer2_frames_dropped_total\{protocol="arp",reason="NotAnnounced"\} 100000/, 'the flood is one counter')
  const series = body.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length
  t.ok(series < 200, `whole /metrics body: ${series} series, ${body.length} bytes`)
  t.ok(body.length < 64 * 1024, '/metrics body under 64 KiB')
  t.comment(`heap growth over the flood: ${(heapGrowth / 1024 / 1024).toFixed(2)} MiB, /metrics ${body.length} bytes, ${series} series`)
  t.ok(heapGrowth < 8 * 1024 * 1024, 'heap grew by less than 8 MiB')
})

t.test("an IP's series go when it is no longer announced anywhere", async (t) => {
  const { io, arpSocket } = mkIo()
  const metrics = speakerMetrics('node1')
  const r = startL2Responder(metrics.counters, silentLogger, io)
  t.teardown(() => r.close())
  await r.apply(new Map([['eth0', [ip(V4), ip('198.51.100.11')]]]), links)
  arpSocket().deliver(mkArpFrame({ src: ASKER, tpa: V4 }))
  arpSocket().deliver(mkArpFrame({ src: ASKER, tpa: '198.51.100.11' }))
  t.equal((await seriesOf(metrics, 'metallb_layer2_responses_sent')).length, 2)
  await r.apply(new Map([['eth0', [ip('198.51.100.11')]]]), links)
  t.same(await seriesOf(metrics, 'metallb_layer2_requests_received'), ['metallb_layer2_requests_received{ip="198.51.100.11"} 1'], 'released IP forgotten')
  t.same(await seriesOf(metrics, 'metallb_layer2_responses_sent'), ['metallb_layer2_responses_sent{ip="198.51.100.11"} 1'])
  await r.apply(new Map(), links)
  t.same(await seriesOf(metrics, 'metallb_layer2_requests_received'), [], 'nothing announced, nothing kept')
  t.same(await seriesOf(metrics, 'metallb_layer2_gratuitous_sent'), [])
})

// BFD's TTL rules on real sockets (shell/bfd over the addon's UdpTtlSocket): a session of ours in one
// namespace (specs/shell/bfd/bfdPeerMain.ts, passive), a raw sender in another (python3, a UDP socket
// with IP_TTL / IPV6_UNICAST_HOPS set) that sends one well-formed Down packet with a TTL the rule
// refuses, then the same packet with one it takes. Refused: ironlb_bfd_packets_discarded_total moves by
// one under its reason and the session stays Down; taken: it goes to Init (RFC 5880 §6.8.6). And the
// kernel fact that made the addon necessary: IP_MINTTL / IPV6_MINHOPCOUNT leave a UDP socket receiving.
import t from 'tap'
import { fileURLToPath } from 'node:url'
import { type Lab, labFor, missingTools, netnsUnavailable } from '../../support/netns.js'
import { type Agent, startAgent } from '../../support/netnsAgent.js'

const PEER = fileURLToPath(new URL('./bfdPeerMain.ts', import.meta.url))
// Version 1, state Down, Detect Mult 3, length 24, My Discriminator 0x11111111, Your 0, 1 s intervals.
const DOWN_PACKET = '20' + '40' + '03' + '18' + '11111111' + '00000000' + '000f4240' + '000f4240' + '00000000'

/** python3: one datagram from `src` to `dst`:`port` with the given TTL / hop limit. */
const sendWithTtl = (v6: boolean, src: string, dst: string, port: number, ttl: number): string[] => [
  'python3',
  '-c',
  [
    'import socket',
    `s = socket.socket(socket.AF_INET${v6 ? '6' : ''}, socket.SOCK_DGRAM)`,
    `s.bind(('${src}', 0))`,
    v6 ? `s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ${ttl})` : `s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ${ttl})`,
    `s.sendto(bytes.fromhex('${DOWN_PACKET}'), ('${dst}', ${port}))`,
  ].join('\n'),
]

const discarded = async (a: Agent, reason: string): Promise<number> => {
  const before = a.events.length
  a.command({ cmd: 'metrics' })
  const m = await a.waitFor((e) => e.event === 'metrics' && a.events.indexOf(e) >= before, 'metrics')
  const line = String(m['text'])
    .split('\n')
    .find((l) => l.startsWith(`ironlb_bfd_packets_discarded_total{reason="${reason}"}`))
  return line === undefined ? 0 : Number(line.split(' ').pop())
}
const state = async (a: Agent): Promise<string> => {
  const before = a.events.length
  a.command({ cmd: 'state' })
  const e = await a.waitFor((e) => e.event === 'state' && a.events.indexOf(e) >= before, 'state')
  return String(e['state'])
}
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 300))

async function main(): Promise<void> {
  const lab: Lab = labFor(t)
  const a = await lab.namespace('a')
  const b = await lab.namespace('b')
  await lab.veth({ ns: a, ifname: 'eth0' }, { ns: b, ifname: 'eth0' })
  for (const [ns, v4, v6] of [
    [a, '198.51.100.1/24', '2001:db8:5::1/64'],
    [b, '198.51.100.2/24', '2001:db8:5::2/64'],
  ] as const) {
    await lab.address(ns, 'eth0', v4)
    await lab.address(ns, 'eth0', v6)
  }
  const rows = [
    { desc: 'IPv4 single hop (RFC 5881 §5)', v6: false, multiHop: false, minTtl: 254, port: 3784, refused: 254, taken: 255, reason: 'TtlNot255' },
    { desc: 'IPv6 single hop', v6: true, multiHop: false, minTtl: 254, port: 3784, refused: 254, taken: 255, reason: 'TtlNot255' },
    { desc: 'IPv4 multi-hop, minimumTtl 250 (RFC 5883)', v6: false, multiHop: true, minTtl: 250, port: 4784, refused: 249, taken: 250, reason: 'TtlBelowMinimum' },
  ]
  for (const r of rows) {
    await t.test(r.desc, async (t) => {
      const [ours, theirs] = r.v6 ? ['2001:db8:5::1', '2001:db8:5::2'] : ['198.51.100.1', '198.51.100.2']
      const args = ['--local', ours, '--remote', theirs, '--tx', '1000', '--rx', '1000', '--mult', '3', '--passive', '--min-ttl', String(r.minTtl), '--max-seconds', '120']
      const agent = startAgent(lab, a, [...args, ...(r.multiHop ? ['--multihop'] : [])], PEER)
      await agent.waitFor((e) => e.event === 'started', 'our session started', 90_000)
      t.equal(await discarded(agent, r.reason), 0, 'nothing discarded yet')
      t.equal((await lab.exec(b, sendWithTtl(r.v6, theirs, ours, r.port, r.refused))).code, 0, `sent with TTL ${r.refused}`)
      await settle()
      t.equal(await discarded(agent, r.reason), 1, `TTL ${r.refused}: discarded as ${r.reason}`)
      t.equal(await state(agent), 'Down', 'and the session did not move')
      t.equal((await lab.exec(b, sendWithTtl(r.v6, theirs, ours, r.port, r.taken))).code, 0, `sent with TTL ${r.taken}`)
      await settle()
      t.equal(await state(agent), 'Init', `TTL ${r.taken}: taken (Down heard: Init)`)
      t.equal(await discarded(agent, r.reason), 1, 'no further discard')
      agent.command({ cmd: 'die' })
    })
  }

  for (const v6 of [false, true]) {
    await t.test(`we send single-hop packets with ${v6 ? 'hop limit' : 'TTL'} 255 (RFC 5881 §5)`, async (t) => {
      const [ours, theirs] = v6 ? ['2001:db8:5::1', '2001:db8:5::2'] : ['198.51.100.1', '198.51.100.2']
      // A receiver in b that reports the TTL of the first datagram on port 3784 (bounded to 90 s: our
      // process starts with the TypeScript loader, 25 s and more on a loaded machine).
      const listen = [
        'import socket',
        `r = socket.socket(socket.AF_INET${v6 ? '6' : ''}, socket.SOCK_DGRAM)`,
        // IP_RECVTTL is 12 on Linux (Python names no constant for it).
        v6 ? 'r.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)' : 'r.setsockopt(socket.IPPROTO_IP, 12, 1)',
        `r.bind(('${theirs}', 3784))`,
        'r.settimeout(90)',
        'data, anc, flags, addr = r.recvmsg(64, 64)',
        "print(int.from_bytes(anc[0][2][:4], 'little'), addr[0], len(data))",
      ].join('\n')
      const receiver = lab.exec(b, ['python3', '-c', listen], 95_000)
      await new Promise((r) => setTimeout(r, 500))
      const agent = startAgent(lab, a, ['--local', ours, '--remote', theirs, '--tx', '200', '--rx', '200', '--mult', '3', '--max-seconds', '95'], PEER)
      const got = await receiver
      agent.command({ cmd: 'die' })
      t.equal(got.stdout.trim(), `255 ${ours} 24`, `our first packet arrived with ${v6 ? 'hop limit' : 'TTL'} 255`, { stderr: got.stderr })
    })
  }

  await t.test('this kernel: IP_MINTTL and IPV6_MINHOPCOUNT do not filter UDP (why the addon reads the TTL)', async (t) => {
    const probe = [
      'import socket',
      'out = []',
      "for fam, addr, opt, level, send in ((socket.AF_INET, '127.0.0.1', 21, socket.IPPROTO_IP, socket.IP_TTL), (socket.AF_INET6, '::1', 73, socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS)):",
      '    r = socket.socket(fam, socket.SOCK_DGRAM); r.bind((addr, 0)); r.settimeout(0.5)',
      '    r.setsockopt(level, opt, 255)',
      '    s = socket.socket(fam, socket.SOCK_DGRAM); s.setsockopt(level, send, 254); s.sendto(b"x", r.getsockname()[:2])',
      '    try:',
      '        r.recv(10); out.append("received")',
      '    except socket.timeout:',
      '        out.append("dropped")',
      'print(" ".join(out))',
    ].join('\n')
    const r = await lab.exec(a, ['python3', '-c', probe])
    t.equal(r.stdout.trim(), 'received received', 'TTL 254 reaches a UDP socket with a minimum of 255, IPv4 and IPv6')
  })
}

t.setTimeout(400_000)
const why = netnsUnavailable()
const missing = missingTools(['python3'])
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (missing !== undefined) t.fail(missing)
else await main()

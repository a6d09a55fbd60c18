// core/bfd/echoFrame.ts and echoPath.ts: the echo frame as sent and as it comes back after one
// forwarding hop (TTL 254, IP checksum redone), every refusal, arbitrary and mutated bytes never
// throwing, the UDP checksum checked independently over the pseudo-header, the BPF filter run through
// a small interpreter (with the indexed loads the IP header length needs), and the ARP table reading.
import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { type EchoFrame, decodeReturnedEcho, echoFilter, encodeEchoFrame } from '../../../core/bfd/echoFrame.js'
import { echoPathFrom, echoSourceFor } from '../../../core/bfd/echoPath.js'
import { type IP, unsafeIp } from '../../../core/net/address.js'
import type { BpfInstruction } from '../../../core/packet/bpf.js'
import { internetChecksum } from '../../../core/packet/checksum.js'
import { ipBytes } from '../../../core/packet/ipBytes.js'
import type { Mac } from '../../../core/packet/mac.js'
import { anyV4, mutated, unicastMac } from '../packet/arbitraries.js'

const ours = unsafeIp(4, 0xc633640bn) // 198.51.100.11
const sample: EchoFrame = { ourMac: '02:00:00:00:00:0b' as Mac, peerMac: '02:00:00:00:00:01' as Mac, address: ours, sourcePort: 49200, discriminator: 0xdeadbeef, sequence: 7 }

/** What the peer's forwarding plane does to it: TTL one less, IP header checksum redone. */
const forwarded = (frame: Uint8Array, hops = 1): Uint8Array => {
  const f = Uint8Array.from(frame)
  f[22] = (f[22] ?? 0) - hops
  f[24] = 0
  f[25] = 0
  const sum = internetChecksum(f.subarray(14, 34))
  f[24] = sum >>> 8
  f[25] = sum & 0xff
  return f
}

/** Classic BPF as linux/filter.h: the loads, jumps and return the echo filter uses; anything else fails. */
const runBpf = (prog: readonly BpfInstruction[], pkt: Uint8Array): number => {
  let a = 0
  let x = 0
  const byte = (i: number): number | undefined => (i < pkt.length ? (pkt[i] ?? 0) : undefined)
  const half = (i: number): number | undefined => (i + 2 <= pkt.length ? ((pkt[i] ?? 0) << 8) | (pkt[i + 1] ?? 0) : undefined)
  for (let pc = 0, steps = 0; pc < prog.length && steps < 100; pc++, steps++) {
    const ins = prog[pc] as BpfInstruction
    const load = (v: number | undefined): boolean => (v === undefined ? false : ((a = v), true))
    switch (ins.code) {
      case 0x28: if (!load(half(ins.k))) return 0; break
      case 0x30: if (!load(byte(ins.k))) return 0; break
      case 0x48: if (!load(half(x + ins.k))) return 0; break
      case 0xb1: {
        const b = byte(ins.k)
        if (b === undefined) return 0
        x = (b & 0x0f) * 4
        break
      }
      case 0x15: pc += a === ins.k ? ins.jt : ins.jf; break
      case 0x45: pc += (a & ins.k) !== 0 ? ins.jt : ins.jf; break
      case 0x06: return ins.k
      default: throw new Error(`opcode ${ins.code} not modelled`)
    }
  }
  throw new Error('fell off the end of the program')
}

t.test('an echo as sent: our address both ways, UDP 3785, TTL 255, valid IP and UDP checksums', async (t) => {
  const f = encodeEchoFrame(sample)
  t.equal(f.length, 60, 'padded to the Ethernet minimum')
  t.same([...f.subarray(0, 12)], [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0x0b], "to the peer's MAC, from ours")
  t.same([f[12], f[13], f[14], f[22], f[23]], [0x08, 0x00, 0x45, 255, 17], 'IPv4, TTL 255, UDP')
  t.same([...f.subarray(26, 30)], [...ipBytes(ours)], 'source: ours')
  t.same([...f.subarray(30, 34)], [...ipBytes(ours)], 'destination: ours')
  t.same([((f[36] ?? 0) << 8) | (f[37] ?? 0)], [3785], 'UDP destination port 3785 (RFC 5881 §4)')
  t.equal(internetChecksum(f.subarray(14, 34)), 0, 'IP header checksum valid')
  const udp = f.subarray(34, 54)
  const pseudo = Uint8Array.from([...ipBytes(ours), ...ipBytes(ours), 0, 17, 0, udp.length, ...udp])
  t.equal(internetChecksum(pseudo), 0, 'UDP checksum valid over the pseudo-header')
  t.same(decodeReturnedEcho(f, ours), E.left('NotLoopedOnce'), 'our own frame, not yet forwarded, is not a return')
  t.same(decodeReturnedEcho(forwarded(f), ours), E.right({ discriminator: 0xdeadbeef, sequence: 7 }), 'after one hop it is')
})

t.test('refusals: not ours, not forwarded once, not an echo, damaged', async (t) => {
  const back = forwarded(encodeEchoFrame(sample))
  t.same(decodeReturnedEcho(back, unsafeIp(4, 0xc633640cn)), E.left('NotOurAddress'), "another address's echo (the peer's, which we loop)")
  t.same(decodeReturnedEcho(forwarded(encodeEchoFrame(sample), 2), ours), E.left('NotLoopedOnce'), 'two hops')
  const damaged = Uint8Array.from(back)
  damaged[27] = (damaged[27] ?? 0) ^ 1
  t.same(decodeReturnedEcho(damaged, ours), E.left('BadChecksum'))
  const frag = Uint8Array.from(back)
  frag[20] = 0x20
  t.same(decodeReturnedEcho(frag, ours), E.left('Fragment'))
  const port = Uint8Array.from(back)
  port[37] = 0xc8 // 3784
  t.same(decodeReturnedEcho(port, ours), E.left('NotEchoPort'))
  const tag = Uint8Array.from(back)
  tag[42] = 0
  t.same(decodeReturnedEcho(tag, ours), E.left('NotOurTag'), "someone else's echo format (FRR's starts with its version byte)")
  t.same(decodeReturnedEcho(back.subarray(0, 40), ours), E.left('NotIpv4Udp'), 'truncated')
  t.same(decodeReturnedEcho(back, unsafeIp(6, 1n)), E.left('NotOurAddress'), 'an IPv6 session has no IPv4 echo')
})

const frames = fc.record({ ourMac: unicastMac, peerMac: unicastMac, address: anyV4, sourcePort: fc.integer({ min: 49152, max: 65535 }), discriminator: fc.integer({ min: 1, max: 2 ** 32 - 1 }), sequence: fc.integer({ min: 0, max: 2 ** 32 - 1 }) })

t.test('property: every echo comes back decoded to what was sent; any bytes at all never throw', async (t) => {
  fc.assert(
    fc.property(frames, (f) => {
      const r = decodeReturnedEcho(forwarded(encodeEchoFrame(f)), f.address)
      if (E.isLeft(r) || r.right.discriminator !== f.discriminator || r.right.sequence !== f.sequence) throw new Error(JSON.stringify(r))
    }),
    { numRuns: 500 },
  )
  const anyAddress: fc.Arbitrary<IP> = anyV4
  fc.assert(fc.property(mutated(frames.map((f) => forwarded(encodeEchoFrame(f)))), anyAddress, (b, ip) => void decodeReturnedEcho(b, ip)), { numRuns: 2000 })
  fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), anyAddress, (b, ip) => void decodeReturnedEcho(b, ip)), { numRuns: 1000 })
  t.pass('decoded, and no throw')
})

t.test('the BPF filter: echoes in (IP options too), control packets, other UDP, fragments and other ethertypes out', async (t) => {
  const f = encodeEchoFrame(sample)
  t.ok(runBpf(echoFilter, f) > 0, 'an echo')
  t.ok(runBpf(echoFilter, forwarded(f)) > 0, 'a returned echo')
  const control = Uint8Array.from(f)
  control[37] = 0xc8
  t.equal(runBpf(echoFilter, control), 0, 'UDP 3784 (control)')
  const tcp = Uint8Array.from(f)
  tcp[23] = 6
  t.equal(runBpf(echoFilter, tcp), 0, 'TCP')
  const frag = Uint8Array.from(f)
  frag[21] = 1
  t.equal(runBpf(echoFilter, frag), 0, 'a later fragment (its bytes at the UDP offset are not a header)')
  const v6 = Uint8Array.from(f)
  v6[12] = 0x86
  v6[13] = 0xdd
  t.equal(runBpf(echoFilter, v6), 0, 'IPv6')
  // IHL 6: a 4-byte option moves the UDP header; the indexed load must follow it.
  const withOption = Uint8Array.from([...f.subarray(0, 14), 0x46, ...f.subarray(15, 34), 1, 1, 1, 1, ...f.subarray(34)])
  t.ok(runBpf(echoFilter, withOption) > 0, 'an echo with an IP option')
  // Port 3784 behind an option whose last two bytes read 3785 at the fixed offset a filter without the IHL would use.
  const shadowed = Uint8Array.from([...f.subarray(0, 14), 0x46, ...f.subarray(15, 34), 1, 1, 0x0e, 0xc9, ...f.subarray(34, 36), 0x0e, 0xc8, ...f.subarray(38)])
  t.equal(runBpf(echoFilter, shadowed), 0, 'UDP 3784 after an IP option (the header length is followed)')
})

t.test("echoPathFrom: the peer's resolved entry in /proc/net/arp", async (t) => {
  const table = [
    'IP address       HW type     Flags       HW address            Mask     Device',
    '198.51.100.2     0x1         0x0         00:00:00:00:00:00     *        eth0',
    '198.51.100.1     0x1         0x2         02:aa:bb:cc:dd:01     *        eth1',
    '198.51.100.3     0x1         0x2         ff:ff:ff:ff:ff:ff     *        eth0',
    '',
  ].join('\n')
  t.same(echoPathFrom(table, '198.51.100.1'), { peerMac: '02:aa:bb:cc:dd:01', device: 'eth1' })
  t.same(echoPathFrom(table, '198.51.100.1', 'eth0'), undefined, 'only on the device asked for')
  t.same(echoPathFrom(table, '198.51.100.2'), undefined, 'incomplete (flags 0): not resolved yet')
  t.same(echoPathFrom(table, '198.51.100.3'), undefined, 'not a unicast MAC')
  t.same(echoPathFrom(table, '198.51.100.10'), undefined, 'no entry')
  t.same(echoPathFrom(table.split('\n').slice(1).join('\n').replace(/^/, 'header\n'), '198.51.100.1')?.device, 'eth1', 'the header line is skipped, not parsed')
})

t.test("echoSourceFor: the device's address on the peer's subnet, else its first IPv4 one", async (t) => {
  t.equal(echoSourceFor(['192.0.2.5/24', '198.51.100.11/24'], '198.51.100.1'), '198.51.100.11', 'the one on the link to the peer')
  t.equal(echoSourceFor(['192.0.2.5/24', '198.51.100.11/24'], '203.0.113.1'), '192.0.2.5', 'none on its subnet: the first')
  t.equal(echoSourceFor(['198.51.100.11/32'], '198.51.100.1'), '198.51.100.11', 'a /32 (peer reached by a device route): still the first')
  t.equal(echoSourceFor([], '198.51.100.1'), undefined, 'no IPv4 address')
})

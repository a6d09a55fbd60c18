import t from 'tap'
import fc from 'fast-check'
import { type Neighbour, choosePeer, neighbourDumpRequest, parseNeighbours } from '../../../core/bgp/unnumberedPeer.js'
import { type IP, formatIP, unsafeIp } from '../../../core/net/address.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const ll = (low: bigint): IP => unsafeIp(6, 0xfe800000000000000000000000000000n | low)
const global = unsafeIp(6, 0x20010db8000000000000000000000001n)
const NUD_REACHABLE = 0x02
const NUD_STALE = 0x04
const NUD_FAILED = 0x20

// Built from rtnetlink(7) by hand, little-endian: nlmsghdr (len 28, RTM_GETNEIGH 30, REQUEST|DUMP 0x301,
// seq 7, pid 0), then ndmsg (AF_INET6 10, padding, ifindex 0, state 0, flags 0, type 0).
t.test('the dump request, byte for byte', async (t) => {
  t.equal(hex(neighbourDumpRequest(7)), '1c000000' + '1e00' + '0103' + '07000000' + '00000000' + '0a000000' + '00000000' + '0000' + '00' + '00')
})

/** One RTM_NEWNEIGH message as the kernel writes it: ndmsg, then NDA_DST (and an NDA_LLADDR to skip over). */
const message = (n: Neighbour, family = 10): number[] => {
  const dst = Array.from({ length: 16 }, (_, i) => Number((n.address.value >> BigInt(8 * (15 - i))) & 0xffn))
  const lladdr = [0x0a, 0x00, 0x02, 0x00, 2, 0, 0, 0, 0, 1, 0, 0] // len 10, NDA_LLADDR, 6 bytes, padded to 12
  const body = [family, 0, 0, 0, ...le32(n.ifindex), n.state & 0xff, n.state >> 8, n.router ? 0x80 : 0, 0, ...lladdr, 20, 0, 1, 0, ...dst]
  return [...le32(16 + body.length), 28, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, ...body]
}
const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]
const DONE = [...le32(20), 3, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
const dump = (ns: readonly Neighbour[], extra: number[] = []): Uint8Array => Uint8Array.from([...ns.flatMap((n) => message(n)), ...extra, ...DONE])

const neighbourArb: fc.Arbitrary<Neighbour> = fc.record({
  ifindex: fc.integer({ min: 1, max: 4 }),
  address: fc.oneof(fc.bigInt(1n, 0xffffn).map(ll), fc.constant(global)),
  router: fc.boolean(),
  state: fc.constantFrom(0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80),
})

t.test('property: what the kernel writes is read back, entry for entry; IPv4 entries are skipped', async (t) => {
  fc.assert(
    fc.property(fc.array(neighbourArb, { maxLength: 12 }), (ns) => {
      const r = parseNeighbours(dump(ns, message({ ifindex: 1, address: unsafeIp(6, 1n), router: true, state: 2 }, 2)))
      const flat = (xs: readonly Neighbour[]): string => JSON.stringify(xs.map((n) => [n.ifindex, formatIP(n.address), n.router, n.state]))
      return r.error === undefined && flat(r.neighbours) === flat(ns)
    }),
    { numRuns: 300 },
  )
  t.pass('held')
})

t.test('a truncated reply or a netlink error stops the reading and says so', async (t) => {
  const one: Neighbour = { ifindex: 2, address: ll(1n), router: true, state: NUD_STALE }
  t.equal(parseNeighbours(dump([one]).slice(0, 30)).error, 'truncated netlink message')
  const error = [...le32(36), 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, ...le32(-22 >>> 0), ...new Array(16).fill(0)]
  t.equal(parseNeighbours(Uint8Array.from(error)).error, 'netlink error -22')
})

t.test('the peer: the one usable link-local router entry on the interface', async (t) => {
  const router = (low: bigint, over: Partial<Neighbour> = {}): Neighbour => ({ ifindex: 2, address: ll(low), router: true, state: NUD_STALE, ...over })
  const rows = [
    { desc: "FRR's RA made a STALE router entry", in: [router(1n)], want: 'fe80::1' },
    { desc: 'a host that is no router', in: [router(1n, { router: false })], want: 'None' },
    { desc: 'on another interface', in: [router(1n, { ifindex: 3 })], want: 'None' },
    { desc: 'resolution failed', in: [router(1n, { state: NUD_FAILED })], want: 'None' },
    { desc: 'a global address with the router flag', in: [router(1n, { address: global })], want: 'None' },
    { desc: 'one router, listed twice', in: [router(1n), router(1n, { state: NUD_REACHABLE })], want: 'fe80::1' },
    { desc: 'two routers', in: [router(2n), router(1n)], want: 'Several fe80::1 fe80::2' },
  ]
  for (const r of rows) {
    const c = choosePeer(r.in, 2)
    t.equal(c._tag === 'Found' ? formatIP(c.address) : c._tag === 'Several' ? `Several ${c.addresses.map(formatIP).join(' ')}` : c._tag, r.want, r.desc)
  }
})

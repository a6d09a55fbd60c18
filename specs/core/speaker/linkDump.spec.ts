import t from 'tap'
import fc from 'fast-check'
import { linkDumpRequest, parseLinks } from '../../../core/speaker/linkDump.js'
import type { LinkFacts } from '../../../core/speaker/interfaceFilter.js'
import type { Mac } from '../../../core/packet/mac.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const le16 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff]
const le32 = (v: number): number[] => [...le16(v & 0xffff), ...le16(v >>> 16)]
const pad4 = (xs: number[]): number[] => [...xs, ...new Array((4 - (xs.length % 4)) % 4).fill(0)]
const attr = (type: number, value: number[]): number[] => pad4([...le16(4 + value.length), ...le16(type), ...value])

// Built from rtnetlink(7) by hand, little-endian: nlmsghdr (len 40, RTM_GETLINK 18, REQUEST|DUMP 0x301,
// seq 9, pid 0), an all-zero ifinfomsg (16 bytes), then IFLA_EXT_MASK (len 8, type 29) = SKIP_STATS (8).
t.test('the dump request, byte for byte', async (t) => {
  t.equal(hex(linkDumpRequest(9)), '28000000' + '1200' + '0103' + '09000000' + '00000000' + '00'.repeat(16) + '0800' + '1d00' + '08000000')
})

interface Written {
  readonly name: string
  readonly ifindex: number
  readonly flags: number
  /** Raw IFLA_ADDRESS bytes; absent for devices without one. */
  readonly address: readonly number[] | undefined
  readonly masterIndex: number | undefined
}

/** One RTM_NEWLINK as the kernel writes it: ifinfomsg, then attributes, among them some the reader skips. */
const message = (l: Written): number[] => {
  const ifinfomsg = [0, 0, ...le16(1), ...le32(l.ifindex), ...le32(l.flags), ...le32(0)]
  const attrs = [
    ...attr(3, [...Buffer.from(l.name), 0]), // IFLA_IFNAME
    ...attr(4, le32(1500)), // IFLA_MTU, skipped
    ...(l.address === undefined ? [] : attr(1, [...l.address])), // IFLA_ADDRESS
    ...(l.masterIndex === undefined ? [] : attr(10, le32(l.masterIndex))), // IFLA_MASTER
    ...attr(16, [6]), // IFLA_OPERSTATE, skipped
    ...attr(0x8000 | 18, attr(1, [...Buffer.from('veth'), 0])), // IFLA_LINKINFO, nested, skipped
  ]
  const body = [...ifinfomsg, ...attrs]
  return [...le32(16 + body.length), ...le16(16), ...le16(2), ...le32(9), ...le32(0), ...body]
}
const DONE = [...le32(20), 3, 0, 2, 0, ...le32(9), ...le32(0), ...le32(0)]
const dump = (ls: readonly Written[]): Uint8Array => Uint8Array.from([...ls.flatMap(message), ...DONE])

const macText = (b: readonly number[]): Mac => b.map((x) => x.toString(16).padStart(2, '0')).join(':') as Mac

/** What the reader should make of `written`: names resolved within the dump, sorted by ifindex. */
const expected = (written: readonly Written[]): LinkFacts[] => {
  const names = new Map(written.map((w) => [w.ifindex, w.name]))
  return written
    .map((w) => ({
      name: w.name,
      ifindex: w.ifindex,
      mac: w.address === undefined || w.address.length !== 6 || w.address.every((b) => b === 0) ? undefined : macText(w.address),
      up: (w.flags & 0x1) !== 0,
      noArp: (w.flags & 0x80) !== 0,
      loopback: (w.flags & 0x8) !== 0,
      master: w.masterIndex === undefined ? undefined : names.get(w.masterIndex),
    }))
    .sort((a, b) => a.ifindex - b.ifindex)
}

const writtenArb: fc.Arbitrary<Written[]> = fc
  .uniqueArray(fc.integer({ min: 1, max: 10_000 }), { minLength: 0, maxLength: 10 })
  .chain((indexes) =>
    fc.tuple(
      ...indexes.map((ifindex) =>
        fc.record({
          name: fc.stringMatching(/^[a-z][a-z0-9.@_-]{0,14}$/),
          ifindex: fc.constant(ifindex),
          flags: fc.integer({ min: 0, max: 0xffff }),
          address: fc.option(fc.oneof(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 }), fc.constant([0, 0, 0, 0, 0, 0]), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 0, maxLength: 20 })), { nil: undefined }),
          masterIndex: fc.option(fc.oneof(fc.constantFrom(...(indexes.length > 0 ? indexes : [1])), fc.integer({ min: 10_001, max: 10_010 })), { nil: undefined }),
        }),
      ),
    ),
  )

t.test('property: every interface the kernel writes is read back, master named within the dump', async (t) => {
  fc.assert(
    fc.property(writtenArb, (written) => {
      const r = parseLinks(dump(written))
      return r.error === undefined && JSON.stringify(r.links) === JSON.stringify(expected(written))
    }),
    { numRuns: 300 },
  )
  t.pass('held')
})

t.test('property: any bytes are read without throwing; a dump cut anywhere says so', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => Array.isArray(parseLinks(bytes).links)), { numRuns: 2_000 })
  fc.assert(
    fc.property(writtenArb, fc.nat(), (written, cut) => {
      const whole = dump(written)
      const r = parseLinks(whole.slice(0, cut % whole.length))
      // A partial list must never pass for the whole one: the speaker would take the rest for gone.
      return r.error !== undefined
    }),
    { numRuns: 300 },
  )
  t.pass('held')
})

t.test('a dump the kernel marks as interrupted by a change is refused', async (t) => {
  const eth0: Written = { name: 'eth0', ifindex: 2, flags: 0x1003, address: [2, 0, 0x5e, 0x10, 0, 0x0a], masterIndex: undefined }
  const bytes = dump([eth0])
  bytes[6] = 0x12 // NLM_F_MULTI | NLM_F_DUMP_INTR
  t.equal(parseLinks(bytes).error, 'dump interrupted by a change: read again')
})

t.test('a netlink error stops the reading and carries the errno', async (t) => {
  const eth0: Written = { name: 'eth0', ifindex: 2, flags: 0x1003, address: [2, 0, 0x5e, 0x10, 0, 0x0a], masterIndex: undefined }
  const error = [...le32(36), 2, 0, 0, 0, ...le32(9), ...le32(0), ...le32(-95 >>> 0), ...new Array(16).fill(0)]
  const r = parseLinks(Uint8Array.from([...message(eth0), ...error]))
  t.equal(r.error, 'netlink error -95')
  t.same(r.links.map((l) => l.name), ['eth0'], 'what came before the error is kept for the caller to judge')
})

t.test('interfaces the speaker could not name safely are left out', async (t) => {
  const base: Written = { name: 'eth0', ifindex: 2, flags: 0x1003, address: [2, 0, 0x5e, 0x10, 0, 0x0a], masterIndex: undefined }
  const rows: { desc: string; w: Written }[] = [
    { desc: 'a name with a slash', w: { ...base, name: 'a/b' } },
    { desc: 'an empty name', w: { ...base, name: '' } },
    { desc: 'index 0', w: { ...base, ifindex: 0 } },
  ]
  for (const row of rows) t.same(parseLinks(dump([row.w])).links, [], row.desc)
  t.same(parseLinks(dump([base])).links.map((l) => l.mac), ['02:00:5e:10:00:0a'], 'the control row is read')
})

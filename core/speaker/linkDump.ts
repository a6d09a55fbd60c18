// The node's interfaces from one rtnetlink RTM_GETLINK dump: what the speaker polls to notice links
// coming, going, going down or joining a bridge. One dump is a few system calls, where reading
// /sys/class/net was five file reads per interface through libuv's thread pool on every poll: the
// idle speaker's largest cost after its failure detector (0.27% of a core with 4 interfaces).
import { macAt } from '../packet/mac.js'
import { attributesOf, dumpRequest, netlinkMessages } from '../net/netlink.js'
import type { LinkFacts } from './interfaceFilter.js'

const RTM_NEWLINK = 16
const RTM_GETLINK = 18
const IFINFOMSG = 16
const IFLA_ADDRESS = 1
const IFLA_IFNAME = 3
const IFLA_MASTER = 10
/** linux/if.h */
const IFF_UP = 0x1
const IFF_LOOPBACK = 0x8
const IFF_NOARP = 0x80

const IFLA_EXT_MASK = 29
/** linux/rtnetlink.h: leave out the counters (IFLA_STATS, IFLA_STATS64), which change with every packet. */
const RTEXT_FILTER_SKIP_STATS = 1 << 3

/**
 * Every interface of the namespace (ifinfomsg all zero: any family, any index), without counters: with
 * them gone, the reply's bytes stay the same until an interface changes, so a poller can skip reading
 * an unchanged reply. (Kernels older than the flag send the counters; the reply is read all the same.)
 */
export const linkDumpRequest = (seq: number): Uint8Array => {
  const body = new Uint8Array(IFINFOMSG + 8)
  const v = new DataView(body.buffer)
  v.setUint16(IFINFOMSG, 8, true)
  v.setUint16(IFINFOMSG + 2, IFLA_EXT_MASK, true)
  v.setUint32(IFINFOMSG + 4, RTEXT_FILTER_SKIP_STATS, true)
  return dumpRequest(RTM_GETLINK, seq, body)
}

/** IFLA_IFNAME: a NUL-terminated string; undefined when absent, empty or not plain text. */
const nameOf = (v: DataView, at: { from: number; to: number } | undefined): string | undefined => {
  if (at === undefined) return undefined
  let name = ''
  for (let i = at.from; i < at.to; i++) {
    const c = v.getUint8(i)
    if (c === 0) break
    if (c < 0x21 || c > 0x7e || c === 0x2f) return undefined
    name += String.fromCharCode(c)
  }
  return name === '' ? undefined : name
}

/** IFLA_ADDRESS when it is an Ethernet address; the all-zero one (loopback) counts as none. */
const macOf = (v: DataView, at: { from: number; to: number } | undefined): LinkFacts['mac'] => {
  if (at === undefined || at.to - at.from !== 6) return undefined
  const mac = macAt(new Uint8Array(v.buffer, v.byteOffset + at.from, 6), 0)
  return mac === '00:00:00:00:00:00' ? undefined : mac
}

/**
 * The interfaces of a dump's reply, sorted by ifindex, and what stopped the reading early. A master
 * is named by the index the kernel gives; one not in the same dump (gone meanwhile) is undefined.
 */
export const parseLinks = (bytes: Uint8Array): { readonly links: readonly LinkFacts[]; readonly error?: string } => {
  const { view: v, messages, error } = netlinkMessages(bytes)
  const read: { facts: Omit<LinkFacts, 'master'>; masterIndex: number | undefined }[] = []
  for (const m of messages) {
    if (m.type !== RTM_NEWLINK || m.to - m.from < IFINFOMSG) continue
    const ifindex = v.getInt32(m.from + 4, true)
    const flags = v.getUint32(m.from + 8, true)
    const attrs = attributesOf(v, m.from + IFINFOMSG, m.to)
    const name = nameOf(v, attrs.get(IFLA_IFNAME))
    if (name === undefined || ifindex <= 0) continue
    const master = attrs.get(IFLA_MASTER)
    read.push({
      facts: { name, ifindex, mac: macOf(v, attrs.get(IFLA_ADDRESS)), up: (flags & IFF_UP) !== 0, noArp: (flags & IFF_NOARP) !== 0, loopback: (flags & IFF_LOOPBACK) !== 0 },
      masterIndex: master !== undefined && master.to - master.from === 4 ? v.getUint32(master.from, true) : undefined,
    })
  }
  const names = new Map(read.map((r) => [r.facts.ifindex, r.facts.name]))
  const links = read
    .map((r): LinkFacts => ({ ...r.facts, master: r.masterIndex === undefined ? undefined : names.get(r.masterIndex) }))
    .sort((a, b) => a.ifindex - b.ifindex)
  return error === undefined ? { links } : { links, error }
}

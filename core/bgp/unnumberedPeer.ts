// Who the peer of an unnumbered BGPPeer is (RFC 8950 sessions over an interface with no configured
// peer address): the router on that link, as the kernel's IPv6 neighbour table knows it. FRR sends
// Router Advertisements on an unnumbered interface, and the kernel enters each RA's sender with the
// router flag (NTF_ROUTER), whether or not it accepts the RA's prefixes: so no listening of our own.
// This file builds the rtnetlink RTM_GETNEIGH dump request, reads the reply (rtnetlink(7); host byte
// order, little-endian on every machine IronLB runs on), and picks the peer. The shell sends the bytes.
import { type IP, unsafeIp } from '../net/address.js'

const RTM_NEWNEIGH = 28
const RTM_GETNEIGH = 30
const NLMSG_ERROR = 2
const NLMSG_DONE = 3
const NLM_F_REQUEST = 0x1
const NLM_F_DUMP = 0x300
const AF_INET6 = 10
const NDA_DST = 1
const NTF_ROUTER = 0x80
/** NUD_INCOMPLETE and NUD_FAILED: resolution pending or given up; such an entry is no one to dial. */
const UNUSABLE_STATES = 0x01 | 0x20
const NLMSG_HEADER = 16
const NDMSG = 12

export interface Neighbour {
  readonly ifindex: number
  readonly address: IP
  readonly router: boolean
  /** NUD_* bits. */
  readonly state: number
}

/** RTM_GETNEIGH, dump, IPv6: every IPv6 neighbour entry (the kernel may ignore the ifindex: filter after). */
export const neighbourDumpRequest = (seq: number): Uint8Array => {
  const b = new DataView(new ArrayBuffer(NLMSG_HEADER + NDMSG))
  b.setUint32(0, NLMSG_HEADER + NDMSG, true)
  b.setUint16(4, RTM_GETNEIGH, true)
  b.setUint16(6, NLM_F_REQUEST | NLM_F_DUMP, true)
  b.setUint32(8, seq >>> 0, true)
  b.setUint8(NLMSG_HEADER, AF_INET6)
  return new Uint8Array(b.buffer)
}

const align4 = (n: number): number => (n + 3) & ~3

/** The IPv6 destination attribute of one neighbour message's attributes, if any. */
const dstOf = (v: DataView, from: number, to: number): IP | undefined => {
  for (let at = from; at + 4 <= to; ) {
    const len = v.getUint16(at, true)
    if (len < 4 || at + len > to) return undefined
    if (v.getUint16(at + 2, true) === NDA_DST && len === 4 + 16) {
      let value = 0n
      for (let i = 0; i < 16; i++) value = (value << 8n) | BigInt(v.getUint8(at + 4 + i))
      return unsafeIp(6, value)
    }
    at += align4(len)
  }
  return undefined
}

/** The IPv6 neighbours of a dump's reply, and what stopped the reading early (the kernel's errno, negative, or a framing fault). */
export const parseNeighbours = (bytes: Uint8Array): { readonly neighbours: readonly Neighbour[]; readonly error?: string } => {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out: Neighbour[] = []
  for (let at = 0; at + NLMSG_HEADER <= bytes.length; ) {
    const len = v.getUint32(at, true)
    const type = v.getUint16(at + 4, true)
    if (len < NLMSG_HEADER || at + len > bytes.length) return { neighbours: out, error: 'truncated netlink message' }
    if (type === NLMSG_DONE) break
    if (type === NLMSG_ERROR) return { neighbours: out, error: `netlink error ${len >= 20 ? v.getInt32(at + NLMSG_HEADER, true) : '?'}` }
    if (type === RTM_NEWNEIGH && len >= NLMSG_HEADER + NDMSG && v.getUint8(at + NLMSG_HEADER) === AF_INET6) {
      const m = at + NLMSG_HEADER
      const address = dstOf(v, m + NDMSG, at + len)
      if (address !== undefined) out.push({ ifindex: v.getInt32(m + 4, true), state: v.getUint16(m + 8, true), router: (v.getUint8(m + 10) & NTF_ROUTER) !== 0, address })
    }
    at += align4(len)
  }
  return { neighbours: out }
}

const isLinkLocal = (ip: IP): boolean => ip.family === 6 && ip.value >> 118n === 0x3fan

export type PeerChoice =
  | { readonly _tag: 'Found'; readonly address: IP }
  /** No router heard on the link yet (no RA): try again later. */
  | { readonly _tag: 'None' }
  /** More than one router on the link: which one speaks BGP is not ours to guess, so none is dialled. */
  | { readonly _tag: 'Several'; readonly addresses: readonly IP[] }

/** The router on interface `ifindex`: a usable link-local neighbour entry with the router flag. */
export const choosePeer = (neighbours: readonly Neighbour[], ifindex: number): PeerChoice => {
  const seen = new Map<bigint, IP>()
  for (const n of neighbours) if (n.ifindex === ifindex && n.router && (n.state & UNUSABLE_STATES) === 0 && isLinkLocal(n.address)) seen.set(n.address.value, n.address)
  const routers = [...seen.values()].sort((a, b) => (a.value < b.value ? -1 : 1))
  const first = routers[0]
  if (first === undefined) return { _tag: 'None' }
  return routers.length === 1 ? { _tag: 'Found', address: first } : { _tag: 'Several', addresses: routers }
}

// Who the peer of an unnumbered BGPPeer is (RFC 8950 sessions over an interface with no configured
// peer address): the router on that link, as the kernel's IPv6 neighbour table knows it. FRR sends
// Router Advertisements on an unnumbered interface, and the kernel enters each RA's sender with the
// router flag (NTF_ROUTER), whether or not it accepts the RA's prefixes: so no listening of our own.
// This file builds the rtnetlink RTM_GETNEIGH dump request, reads the reply (framing: core/net/netlink.ts)
// and picks the peer. The shell sends the bytes.
import { type IP, unsafeIp } from '../net/address.js'
import { attributesOf, dumpRequest, netlinkMessages } from '../net/netlink.js'

const RTM_NEWNEIGH = 28
const RTM_GETNEIGH = 30
const AF_INET6 = 10
const NDA_DST = 1
const NTF_ROUTER = 0x80
/** NUD_INCOMPLETE and NUD_FAILED: resolution pending or given up; such an entry is no one to dial. */
const UNUSABLE_STATES = 0x01 | 0x20
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
  const ndmsg = new Uint8Array(NDMSG)
  ndmsg[0] = AF_INET6
  return dumpRequest(RTM_GETNEIGH, seq, ndmsg)
}

/** The IPv6 destination attribute of one neighbour message, if any. */
const dstOf = (v: DataView, from: number, to: number): IP | undefined => {
  const dst = attributesOf(v, from, to).get(NDA_DST)
  if (dst === undefined || dst.to - dst.from !== 16) return undefined
  let value = 0n
  for (let i = 0; i < 16; i++) value = (value << 8n) | BigInt(v.getUint8(dst.from + i))
  return unsafeIp(6, value)
}

/** The IPv6 neighbours of a dump's reply, and what stopped the reading early (the kernel's errno, negative, or a framing fault). */
export const parseNeighbours = (bytes: Uint8Array): { readonly neighbours: readonly Neighbour[]; readonly error?: string } => {
  const { view: v, messages, error } = netlinkMessages(bytes)
  const out: Neighbour[] = []
  for (const m of messages) {
    if (m.type !== RTM_NEWNEIGH || m.to - m.from < NDMSG || v.getUint8(m.from) !== AF_INET6) continue
    const address = dstOf(v, m.from + NDMSG, m.to)
    if (address !== undefined) out.push({ ifindex: v.getInt32(m.from + 4, true), state: v.getUint16(m.from + 8, true), router: (v.getUint8(m.from + 10) & NTF_ROUTER) !== 0, address })
  }
  return error === undefined ? { neighbours: out } : { neighbours: out, error }
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

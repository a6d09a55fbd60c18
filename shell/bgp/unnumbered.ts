// The dial target of an unnumbered BGPPeer (`interface: eth1`): the router's IPv6 link-local address
// on that interface, from the kernel's neighbour table (core/bgp/unnumberedPeer.ts says why that table
// and how the one router is picked), scoped to the interface: "fe80::1%eth1". The interface's index
// is the scope id of its own link-local address (os.networkInterfaces), which every IPv6 interface has.
// And the other way round: FRR learns our link-local address only from a Router Advertisement of ours
// (core/bgp/routerAdvert.ts), so the speaker sends one on the interface now and then.
import { networkInterfaces } from 'node:os'
import * as E from 'fp-ts/lib/Either.js'
import { routerAdvertisementFrame } from '../../core/bgp/routerAdvert.js'
import { type PeerChoice, choosePeer, neighbourDumpRequest, parseNeighbours } from '../../core/bgp/unnumberedPeer.js'
import { type IP, formatIP, parseIP } from '../../core/net/address.js'
import { parseMac } from '../../core/packet/mac.js'
import { netlinkDump } from '../native/netlink.js'
import { ETH_P_IPV6, openPacketSocket } from '../native/packetSocket.js'

type UnnumberedTarget =
  | { readonly _tag: 'Dial'; readonly host: string }
  | { readonly _tag: 'Wait'; readonly why: string }

const linkLocalOf = (ifname: string): { readonly address: string; readonly ifindex: number; readonly mac: string } | undefined => {
  const a = networkInterfaces()[ifname]?.find((a) => a.family === 'IPv6' && a.address.startsWith('fe80') && a.scopeid !== undefined)
  return a?.scopeid === undefined ? undefined : { address: a.address.replace(/%.*$/, ''), ifindex: a.scopeid, mac: a.mac }
}
const ifindexOf = (ifname: string): number | undefined => linkLocalOf(ifname)?.ifindex

/**
 * Our link-local address on `ifname`: the IPv6 next hop of an unnumbered session. The session's socket
 * names its local address with the zone ("fe80::1%eth1"), which an IP does not carry; so the speaker
 * passes this one in (peerSession's otherNextHops).
 */
const ownLinkLocal = (ifname: string): IP | undefined => {
  const own = linkLocalOf(ifname)
  const ip = own === undefined ? undefined : parseIP(own.address)
  return ip !== undefined && E.isRight(ip) ? ip.right : undefined
}

/** A filter that takes no frame in: the socket only sends. */
const RECEIVE_NOTHING = [{ code: 0x06, jt: 0, jf: 0, k: 0 }]

/** Multicasts one Router Advertisement (lifetime 0) from our link-local address on `ifname`; throws when it cannot. */
const advertiseSelf = (ifname: string): void => {
  const own = linkLocalOf(ifname)
  if (own === undefined) throw new Error(`${ifname} has no IPv6 link-local address`)
  const src = parseIP(own.address)
  const mac = parseMac(own.mac)
  if (E.isLeft(src) || mac === undefined) throw new Error(`${ifname}: unreadable address ${own.address} or MAC ${own.mac}`)
  const s = openPacketSocket({ ifindex: own.ifindex, protocol: ETH_P_IPV6, filter: RECEIVE_NOTHING })
  try {
    s.send(routerAdvertisementFrame(src.right, mac))
  } finally {
    s.close()
  }
}

const describe = (c: Exclude<PeerChoice, { _tag: 'Found' }>, ifname: string): string => {
  switch (c._tag) {
    case 'None':
      return `no router heard on ${ifname} yet (no Router Advertisement)`
    case 'Several':
      return `${c.addresses.length} routers on ${ifname} (${c.addresses.map(formatIP).join(', ')}): which one to peer with is not known`
  }
}

let seq = 0

/** Where to dial the peer on `ifname` now, or why not yet (read afresh each call: a router may come or go). */
const unnumberedTarget = (ifname: string): UnnumberedTarget => {
  const ifindex = ifindexOf(ifname)
  if (ifindex === undefined) return { _tag: 'Wait', why: `${ifname} has no IPv6 link-local address (missing, down, or IPv6 off)` }
  seq += 1
  const r = parseNeighbours(netlinkDump(neighbourDumpRequest(seq)))
  if (r.error !== undefined) return { _tag: 'Wait', why: `reading the neighbour table: ${r.error}` }
  const c = choosePeer(r.neighbours, ifindex)
  return c._tag === 'Found' ? { _tag: 'Dial', host: `${formatIP(c.address)}%${ifname}` } : { _tag: 'Wait', why: describe(c, ifname) }
}

interface UnnumberedWatch {
  readonly stop: () => void
}

/**
 * Makes us known on `ifname` (an RA now and every `advertiseMs`) and looks for the router every
 * `lookMs` until found; then calls `onTarget` once with where to dial and our next hop, and keeps
 * advertising (FRR forgets a neighbour whose RAs stop only with the link, but a restarted FRR needs
 * one). Failures to send or read are reported through `onWait`, and the looking goes on until stop().
 */
export const watchUnnumberedPeer = (
  ifname: string,
  onTarget: (host: string, nextHopV6: IP | undefined) => void,
  onWait: (why: string) => void,
  o: { readonly advertiseMs?: number; readonly lookMs?: number } = {},
): UnnumberedWatch => {
  const advertise = (): void => {
    try {
      advertiseSelf(ifname)
    } catch (e) {
      onWait(`sending a Router Advertisement on ${ifname}: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  let lookTimer: NodeJS.Timeout | undefined
  const look = (): void => {
    let t: UnnumberedTarget
    try {
      t = unnumberedTarget(ifname)
    } catch (e) {
      t = { _tag: 'Wait', why: `reading the neighbour table: ${e instanceof Error ? e.message : String(e)}` }
    }
    if (t._tag === 'Dial') return onTarget(t.host, ownLinkLocal(ifname))
    onWait(t.why)
    lookTimer = setTimeout(look, o.lookMs ?? 1_000)
  }
  advertise()
  const advertiseTimer = setInterval(advertise, o.advertiseMs ?? 10_000)
  look()
  return {
    stop: () => {
      clearInterval(advertiseTimer)
      clearTimeout(lookTimer)
    },
  }
}

// The node's ARP and NDP responders: one packet socket per protocol per usable interface, answering
// only for the IPs this node announces there (core/packet decides every reply and drop), and
// gratuitous announcements when an IP is taken over. `apply` is idempotent: it moves the live
// sockets and groups to the desired set, opening and closing only what changed.
// Per-IP counters exist only for IPs announced here (a request for any other IP is a drop counted
// by reason), and an IP's series are forgotten when no interface holds it any more: any host on
// the LAN can ask about any address, so counting by the address asked would grow without bound.
import { type IP, formatIP } from '../../core/net/address.js'
import { encodeArpFrame, gratuitousArp } from '../../core/packet/arpFrames.js'
import { respondArp } from '../../core/packet/arpRespond.js'
import { neighborSolicitationFilter } from '../../core/packet/bpf.js'
import type { Mac } from '../../core/packet/mac.js'
import { multicastMac, solicitedNode } from '../../core/packet/ndpAddress.js'
import { unsolicitedNeighborAdvertisement } from '../../core/packet/ndpFrames.js'
import { respondNdp } from '../../core/packet/ndpRespond.js'
import { refuseArrival } from '../../core/packet/arrival.js'
import type { InterfaceProbe, ProbeOutcome } from '../../core/speaker/l2Readiness.js'
import { type AnnouncedSet, type Verdict, announcedSet, isAnnounced } from '../../core/packet/respond.js'
import { GRATUITOUS_OFFSETS_MS } from '../../core/speaker/announceSchedule.js'
import type { LinkFacts } from '../../core/speaker/interfaceFilter.js'
import { type MulticastGroups, openMulticastGroups } from '../l2/multicastGroups.js'
import { ETH_P_ARP, ETH_P_IPV6, PacketAddonMissing, type PacketSocket, type PacketSocketOptions, type ReceivedFrame, openPacketSocket } from '../native/packetSocket.js'
import type { Logger } from '../obs/log.js'

export interface ResponderCounters {
  readonly request: (ip: string) => void
  readonly response: (ip: string) => void
  readonly gratuitous: (ip: string) => void
  readonly drop: (protocol: 'arp' | 'ndp', reason: string) => void
  /** The IP is no longer announced on any interface: its series go. */
  readonly forget: (ip: string) => void
}

/** The responder's I/O: packet sockets and IP-layer multicast groups (specs pass recorders). */
export interface ResponderIo {
  readonly openSocket: (opts: PacketSocketOptions) => PacketSocket
  readonly openGroups: (ifname: string) => Promise<MulticastGroups>
}
const KERNEL_IO: ResponderIo = { openSocket: openPacketSocket, openGroups: openMulticastGroups }

type UsableLink = LinkFacts & { readonly mac: Mac }

interface Port {
  link: UsableLink
  arp: PacketSocket
  ndp: PacketSocket
  groups: MulticastGroups
  ips: Map<string, IP>
  announced: AnnouncedSet
  timers: Set<NodeJS.Timeout>
}

export interface L2Responder {
  /** Opens and closes an ARP socket on each link: can this process answer there at all? */
  readonly probe: (links: ReadonlyMap<string, UsableLink>) => InterfaceProbe[]
  /** Desired IPs per interface name; interfaces not in `links` are ignored. */
  readonly apply: (desired: ReadonlyMap<string, readonly IP[]>, links: ReadonlyMap<string, UsableLink>) => Promise<void>
  /** Sends a fresh gratuitous burst for IPs already announced (after a partition heals). */
  readonly reassert: (ips: readonly IP[]) => void
  readonly announcedOn: () => ReadonlyMap<string, readonly string[]>
  /**
   * A leaving speaker's first step: no gratuitous frame leaves from now on (a pending repeat would pull
   * clients back from the node taking over), while requests are still answered until `close`.
   */
  readonly silence: () => void
  readonly close: () => Promise<void>
}

/** The responder's state and capabilities, shared by the functions below. */
interface Ctx {
  readonly counters: ResponderCounters
  readonly log: Logger
  readonly io: ResponderIo
  readonly ports: Map<string, Port>
  /** Set by `silence`: no gratuitous frame leaves from then on. */
  silenced: boolean
}

const send = (ctx: Ctx, port: Port, sock: PacketSocket, frame: Uint8Array): boolean => {
  try {
    sock.send(frame)
    return true
  } catch (err) {
    ctx.log.warn('l2-send-failed', { interface: port.link.name, error: err })
    return false
  }
}

const handle = <R extends string>(ctx: Ctx, port: Port, sock: PacketSocket, protocol: 'arp' | 'ndp', f: ReceivedFrame, decide: (frame: Uint8Array) => Verdict<R>): void => {
  const refused = refuseArrival(f, port.link.ifindex)
  if (refused !== undefined) return ctx.counters.drop(protocol, refused)
  const v = decide(f.frame)
  if (v._tag === 'Reply') {
    const ip = formatIP(v.ip)
    ctx.counters.request(ip)
    if (send(ctx, port, sock, v.frame)) ctx.counters.response(ip)
    return
  }
  // A request about one of our IPs counts even when refused (a forged sender, say); no other does.
  if (v.ip !== undefined && isAnnounced(port.announced, v.ip)) ctx.counters.request(formatIP(v.ip))
  ctx.counters.drop(protocol, v.reason)
}

const burst = (ctx: Ctx, port: Port, ip: IP): void => {
  if (ctx.silenced) return
  for (const offset of GRATUITOUS_OFFSETS_MS) {
    const timer = setTimeout(() => {
      port.timers.delete(timer)
      if (!port.ips.has(formatIP(ip))) return
      if (ip.family === 4) {
        for (const f of gratuitousArp(ip, port.link.mac)) send(ctx, port, port.arp, encodeArpFrame(f))
      } else {
        send(ctx, port, port.ndp, unsolicitedNeighborAdvertisement(ip, port.link.mac))
      }
      ctx.counters.gratuitous(formatIP(ip))
    }, offset)
    port.timers.add(timer)
  }
}

const open = async (ctx: Ctx, link: UsableLink): Promise<Port> => {
  const arp = ctx.io.openSocket({ ifindex: link.ifindex, protocol: ETH_P_ARP })
  let ndp: PacketSocket | undefined
  let groups: MulticastGroups
  try {
    ndp = ctx.io.openSocket({ ifindex: link.ifindex, protocol: ETH_P_IPV6, filter: neighborSolicitationFilter })
    groups = await ctx.io.openGroups(link.name)
  } catch (err) {
    arp.close()
    ndp?.close()
    throw err
  }
  const port: Port = { link, arp, ndp, groups, ips: new Map(), announced: announcedSet([]), timers: new Set() }
  const identity = { name: link.name, mac: link.mac }
  // Malformed frames are dropped and counted inside respond*; nothing a frame holds can throw here.
  arp.start(
    (f) => handle(ctx, port, arp, 'arp', f, (b) => respondArp(b, identity, port.announced)),
    (err) => ctx.log.warn('arp-socket-error', { interface: link.name, error: err }),
  )
  const ndpSocket = ndp
  ndpSocket.start(
    (f) => handle(ctx, port, ndpSocket, 'ndp', f, (b) => respondNdp(b, identity, port.announced)),
    (err) => ctx.log.warn('ndp-socket-error', { interface: link.name, error: err }),
  )
  return port
}

const closePort = async (port: Port): Promise<void> => {
  for (const t of port.timers) clearTimeout(t)
  port.arp.close()
  port.ndp.close()
  await port.groups.close()
}

const setIPs = (ctx: Ctx, port: Port, ips: readonly IP[]): void => {
  const want = new Map(ips.map((ip) => [formatIP(ip), ip]))
  for (const [text, ip] of port.ips) {
    if (want.has(text)) continue
    port.ips.delete(text)
    if (ip.family === 6) {
      port.ndp.dropMembership(multicastMac(solicitedNode(ip)))
      port.groups.leave(solicitedNode(ip))
    }
  }
  const added: IP[] = []
  for (const [text, ip] of want) {
    if (port.ips.has(text)) continue
    port.ips.set(text, ip)
    added.push(ip)
    if (ip.family === 6) {
      port.ndp.addMembership(multicastMac(solicitedNode(ip)))
      try {
        port.groups.join(solicitedNode(ip))
      } catch (err) {
        ctx.log.warn('mld-join-failed', { interface: port.link.name, ip: text, error: err })
      }
    }
  }
  // Answer first, then shout: the set is live before the first gratuitous frame leaves.
  port.announced = announcedSet(port.ips.values())
  for (const ip of added) burst(ctx, port, ip)
}

const moveTo = async (ctx: Ctx, desired: ReadonlyMap<string, readonly IP[]>, links: ReadonlyMap<string, UsableLink>): Promise<void> => {
  for (const [name, port] of ctx.ports) {
    const link = links.get(name)
    const ips = desired.get(name) ?? []
    if (link === undefined || ips.length === 0 || link.ifindex !== port.link.ifindex || link.mac !== port.link.mac) {
      ctx.ports.delete(name)
      await closePort(port)
    }
  }
  for (const [name, ips] of desired) {
    const link = links.get(name)
    if (link === undefined || ips.length === 0) continue
    let port = ctx.ports.get(name)
    if (port === undefined) {
      try {
        port = await open(ctx, link)
      } catch (err) {
        ctx.log.error('l2-interface-open-failed', { interface: name, error: err })
        continue
      }
      ctx.ports.set(name, port)
    }
    setIPs(ctx, port, ips)
  }
}

const held = (ctx: Ctx): Set<string> => new Set([...ctx.ports.values()].flatMap((p) => [...p.ips.keys()]))

const forgetGone = (ctx: Ctx, before: ReadonlySet<string>): void => {
  const now = held(ctx)
  for (const ip of before) if (!now.has(ip)) ctx.counters.forget(ip)
}

const probeOne = (io: ResponderIo, link: UsableLink): ProbeOutcome => {
  try {
    io.openSocket({ ifindex: link.ifindex, protocol: ETH_P_ARP }).close()
    return { _tag: 'Opened' }
  } catch (err) {
    if (err instanceof PacketAddonMissing) return { _tag: 'AddonMissing', message: err.message }
    const errno = (err as { errno?: unknown }).errno
    return { _tag: 'Failed', errno: typeof errno === 'number' ? errno : undefined, message: err instanceof Error ? err.message : String(err) }
  }
}

export const startL2Responder = (counters: ResponderCounters, log: Logger, io: ResponderIo = KERNEL_IO): L2Responder => {
  const ctx: Ctx = { counters, log, io, ports: new Map(), silenced: false }
  return {
    probe: (links) => [...links.values()].map((link) => ({ name: link.name, outcome: probeOne(io, link) })),
    apply: async (desired, links) => {
      const before = held(ctx)
      try {
        await moveTo(ctx, desired, links)
      } finally {
        forgetGone(ctx, before)
      }
    },
    reassert: (ips) => {
      const texts = new Set(ips.map(formatIP))
      for (const port of ctx.ports.values()) for (const [text, ip] of port.ips) if (texts.has(text)) burst(ctx, port, ip)
    },
    announcedOn: () => new Map([...ctx.ports].map(([name, port]) => [name, [...port.ips.keys()]])),
    silence: () => {
      ctx.silenced = true
      for (const port of ctx.ports.values()) {
        for (const t of port.timers) clearTimeout(t)
        port.timers.clear()
      }
    },
    close: async () => {
      const before = held(ctx)
      for (const port of ctx.ports.values()) await closePort(port)
      ctx.ports.clear()
      forgetGone(ctx, before)
    },
  }
}

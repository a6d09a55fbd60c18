// The node's ARP and NDP responders: one packet socket per protocol per usable interface, answering
// only for the IPs this node announces there (core/packet decides every reply and drop), and
// gratuitous announcements when an IP is taken over. `apply` is idempotent: it moves the live
// sockets and groups to the desired set, opening and closing only what changed.
import { type IP, formatIP } from '../../core/net/address.js'
import { encodeArpFrame, gratuitousArp } from '../../core/packet/arpFrames.js'
import { respondArp } from '../../core/packet/arpRespond.js'
import { neighborSolicitationFilter } from '../../core/packet/bpf.js'
import type { Mac } from '../../core/packet/mac.js'
import { multicastMac, solicitedNode } from '../../core/packet/ndpAddress.js'
import { unsolicitedNeighborAdvertisement } from '../../core/packet/ndpFrames.js'
import { respondNdp } from '../../core/packet/ndpRespond.js'
import { type AnnouncedSet, type Verdict, announcedSet } from '../../core/packet/respond.js'
import { GRATUITOUS_OFFSETS_MS } from '../../core/speaker/announceSchedule.js'
import type { LinkFacts } from '../../core/speaker/interfaceFilter.js'
import { type MulticastGroups, openMulticastGroups } from '../l2/multicastGroups.js'
import { ETH_P_ARP, ETH_P_IPV6, type PacketSocket, openPacketSocket } from '../native/packetSocket.js'
import type { Logger } from '../obs/log.js'

export interface ResponderCounters {
  readonly request: (ip: string) => void
  readonly response: (ip: string) => void
  readonly gratuitous: (ip: string) => void
  readonly drop: (protocol: 'arp' | 'ndp', reason: string) => void
}

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

export const startL2Responder = (counters: ResponderCounters, log: Logger): L2Responder => {
  const ports = new Map<string, Port>()
  let silenced = false

  const send = (port: Port, sock: PacketSocket, frame: Uint8Array): boolean => {
    try {
      sock.send(frame)
      return true
    } catch (err) {
      log.warn('l2-send-failed', { interface: port.link.name, error: err })
      return false
    }
  }

  const handle = <R extends string>(port: Port, sock: PacketSocket, protocol: 'arp' | 'ndp', v: Verdict<R>): void => {
    if (v._tag === 'Reply') {
      const ip = formatIP(v.ip)
      counters.request(ip)
      if (send(port, sock, v.frame)) counters.response(ip)
      return
    }
    if (v.reason === 'NotAnnounced' && v.ip !== undefined) counters.request(formatIP(v.ip))
    counters.drop(protocol, v.reason)
  }

  const burst = (port: Port, ip: IP): void => {
    if (silenced) return
    for (const offset of GRATUITOUS_OFFSETS_MS) {
      const timer = setTimeout(() => {
        port.timers.delete(timer)
        if (!port.ips.has(formatIP(ip))) return
        if (ip.family === 4) {
          for (const f of gratuitousArp(ip, port.link.mac)) send(port, port.arp, encodeArpFrame(f))
        } else {
          send(port, port.ndp, unsolicitedNeighborAdvertisement(ip, port.link.mac))
        }
        counters.gratuitous(formatIP(ip))
      }, offset)
      port.timers.add(timer)
    }
  }

  const open = async (link: UsableLink): Promise<Port> => {
    const arp = openPacketSocket({ ifindex: link.ifindex, protocol: ETH_P_ARP })
    const ndp = openPacketSocket({ ifindex: link.ifindex, protocol: ETH_P_IPV6, filter: neighborSolicitationFilter })
    const groups = await openMulticastGroups(link.name)
    const port: Port = { link, arp, ndp, groups, ips: new Map(), announced: announcedSet([]), timers: new Set() }
    const identity = { name: link.name, mac: link.mac }
    // Malformed frames are dropped and counted inside respond*; nothing a frame holds can throw here.
    arp.start(
      (f) => handle(port, arp, 'arp', respondArp(f.frame, identity, port.announced)),
      (err) => log.warn('arp-socket-error', { interface: link.name, error: err }),
    )
    ndp.start(
      (f) => handle(port, ndp, 'ndp', respondNdp(f.frame, identity, port.announced)),
      (err) => log.warn('ndp-socket-error', { interface: link.name, error: err }),
    )
    return port
  }

  const closePort = async (port: Port): Promise<void> => {
    for (const t of port.timers) clearTimeout(t)
    port.arp.close()
    port.ndp.close()
    await port.groups.close()
  }

  const setIPs = (port: Port, ips: readonly IP[]): void => {
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
          log.warn('mld-join-failed', { interface: port.link.name, ip: text, error: err })
        }
      }
    }
    // Answer first, then shout: the set is live before the first gratuitous frame leaves.
    port.announced = announcedSet(port.ips.values())
    for (const ip of added) burst(port, ip)
  }

  return {
    apply: async (desired, links) => {
      for (const [name, port] of ports) {
        const link = links.get(name)
        const ips = desired.get(name) ?? []
        if (link === undefined || ips.length === 0 || link.ifindex !== port.link.ifindex || link.mac !== port.link.mac) {
          ports.delete(name)
          await closePort(port)
        }
      }
      for (const [name, ips] of desired) {
        const link = links.get(name)
        if (link === undefined || ips.length === 0) continue
        let port = ports.get(name)
        if (port === undefined) {
          try {
            port = await open(link)
          } catch (err) {
            log.error('l2-interface-open-failed', { interface: name, error: err })
            continue
          }
          ports.set(name, port)
        }
        setIPs(port, ips)
      }
    },
    reassert: (ips) => {
      const texts = new Set(ips.map(formatIP))
      for (const port of ports.values()) for (const [text, ip] of port.ips) if (texts.has(text)) burst(port, ip)
    },
    announcedOn: () => new Map([...ports].map(([name, port]) => [name, [...port.ips.keys()]])),
    silence: () => {
      silenced = true
      for (const port of ports.values()) {
        for (const t of port.timers) clearTimeout(t)
        port.timers.clear()
      }
    },
    close: async () => {
      for (const port of ports.values()) await closePort(port)
      ports.clear()
    },
  }
}

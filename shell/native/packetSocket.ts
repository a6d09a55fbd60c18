// Typed wrapper over the AF_PACKET addon (packet_socket.cc). One socket carries one ethertype on
// one interface: ETH_P_ARP for the ARP responder, ETH_P_IPV6 with the Neighbor Solicitation BPF
// filter for the NDP responder.
//
// Why NDP goes through a packet socket too, not an ICMPv6 raw socket (the `raw-socket` package):
// - RFC 4861 §7.1.1 wants the received hop limit checked (255 proves the sender is on-link); the
//   raw-socket addon has no recvmsg, so it cannot see it. A packet socket gets the whole frame and
//   core/packet validates every rule itself, the same code for capture vectors and live traffic.
// - The reply goes straight to the solicitor's link-layer address from its NS, with our source
//   address and MAC, without depending on the kernel's neighbour table or source selection.
// - One small addon serves ARP and NDP; no second native dependency (nan-based) to build.
// The costs, and how they are paid: an ETH_P_IPV6 socket would copy all IPv6 traffic to user
// space, so a classic BPF filter (core/packet/bpf.ts) passes only ICMPv6 type 135; real NICs
// filter multicast, so the solicited-node MAC of each announced address is joined with
// PACKET_ADD_MEMBERSHIP (no promiscuous mode). Switches doing MLD snooping only forward the group
// to ports that sent an MLD report, which a packet-socket membership does not send: the speaker
// should also join the solicited-node group at the IP layer (node:dgram addMembership on a UDP6
// socket), which makes the kernel report it. That step is the speaker's, not this module's.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import type { Arrival, PacketType } from '../../core/packet/arrival.js'
import type { BpfInstruction } from '../../core/packet/bpf.js'
import { macBytes, type Mac } from '../../core/packet/mac.js'

export const ETH_P_ARP = 0x0806
export const ETH_P_IPV6 = 0x86dd

const PACKET_TYPES: readonly PacketType[] = ['host', 'broadcast', 'multicast', 'otherhost', 'outgoing']

/** A frame and how it arrived (packet type, the ifindex the kernel names, the VLAN ID if tagged). */
export interface ReceivedFrame extends Arrival {
  readonly frame: Buffer
  /** Length on the wire; larger than frame.length only if the frame was cut to the read buffer. */
  readonly wireLength: number
}

export interface PacketSocketOptions {
  readonly ifindex: number
  readonly protocol: number
  readonly filter?: readonly BpfInstruction[]
}

export interface PacketSocket {
  /** Sends one whole Ethernet frame; returns the bytes written. Throws (with errno) on failure. */
  send(frame: Uint8Array): number
  /** Starts reading on the event loop. Errors after start go to onError; the socket stays open. */
  start(onFrame: (f: ReceivedFrame) => void, onError: (e: Error) => void): void
  addMembership(mac: Mac): void
  dropMembership(mac: Mac): void
  /** Kernel counters since the last call (packet(7) PACKET_STATISTICS). */
  statistics(): { readonly packets: number; readonly drops: number }
  /** Whether a started socket keeps the process alive (default true). */
  setRef(keepAlive: boolean): void
  /** Idempotent: stops reading and closes the descriptor. */
  close(): void
  /** The descriptor, -1 once closed. */
  fd(): number
}

interface NativeSocket {
  send(frame: Uint8Array): number
  start(cb: (err: Error | null, frame?: Buffer, pkttype?: number, wireLength?: number, ifindex?: number, vlan?: number) => void): void
  addMembership(mac: Uint8Array): void
  dropMembership(mac: Uint8Array): void
  statistics(): { packets: number; drops: number }
  setRef(keep: boolean): void
  close(): void
  fd(): number
}
interface NativeBinding {
  PacketSocket: new (opts: { ifindex: number; protocol: number; filter?: readonly BpfInstruction[] }) => NativeSocket
}

export class PacketAddonMissing extends Error {
  constructor(tried: readonly string[], cause?: unknown) {
    super(
      `IronLB's packet socket addon is not built (looked in ${tried.join(', ')}). Build it with \`make native\` ` +
        '(or `npm run build:native`); it needs g++ and the Node headers in /usr/include/node.',
      cause === undefined ? undefined : { cause },
    )
    this.name = 'PacketAddonMissing'
  }
}

const ADDON = 'build/Release/ironlb_packet.node'

/**
 * Where the addon may be: beside this file in the source tree, or the source tree seen from dist/.
 * $IRONLB_PACKET_ADDON, when set, is the only place: an explicit path never falls back to another.
 */
export const addonCandidates = (): string[] => {
  const fromEnv = process.env['IRONLB_PACKET_ADDON']
  const here = [new URL(`./${ADDON}`, import.meta.url), new URL(`../../../shell/native/${ADDON}`, import.meta.url)].map((u) => fileURLToPath(u))
  return fromEnv === undefined || fromEnv === '' ? here : [fromEnv]
}

let binding: NativeBinding | undefined

export const loadPacketAddon = (): NativeBinding => {
  if (binding !== undefined) return binding
  const tried = addonCandidates()
  const path = tried.find((p) => existsSync(p))
  if (path === undefined) throw new PacketAddonMissing(tried)
  try {
    binding = createRequire(import.meta.url)(path) as NativeBinding
  } catch (e) {
    throw new PacketAddonMissing([path], e)
  }
  return binding
}

export const isPacketAddonBuilt = (): boolean => addonCandidates().some((p) => existsSync(p))

export const openPacketSocket = (opts: PacketSocketOptions): PacketSocket => {
  const native = new (loadPacketAddon().PacketSocket)(
    opts.filter === undefined ? { ifindex: opts.ifindex, protocol: opts.protocol } : { ifindex: opts.ifindex, protocol: opts.protocol, filter: opts.filter },
  )
  return {
    send: (frame) => native.send(frame),
    start: (onFrame, onError) =>
      native.start((err, frame, pkttype, wireLength, ifindex, vlan) => {
        if (err !== null) return onError(err)
        if (frame === undefined) return
        const packetType = PACKET_TYPES[pkttype ?? -1] ?? 'unknown'
        const common = { frame, packetType, wireLength: wireLength ?? frame.length, ifindex: ifindex ?? opts.ifindex }
        onFrame(vlan === undefined || vlan < 0 ? common : { ...common, vlan })
      }),
    addMembership: (mac) => native.addMembership(macBytes(mac)),
    dropMembership: (mac) => native.dropMembership(macBytes(mac)),
    statistics: () => native.statistics(),
    setRef: (keep) => native.setRef(keep),
    close: () => native.close(),
    fd: () => native.fd(),
  }
}

// How the kernel delivered a frame to a packet socket, and whether that alone rules it out before
// its bytes are read. A socket bound to one interface still sees frames that are not that
// interface's to answer (packet(7), net/core/dev.c):
// - our own sent frames, with packet type OUTGOING, when PACKET_IGNORE_OUTGOING is missing (< 4.20);
// - a frame tagged for a VLAN that has no device here: the kernel strips the tag and marks it
//   OTHERHOST (a broadcast ARP request of VLAN 100 would otherwise be answered, untagged, here);
// - a frame of one of our VLAN sub-interfaces, delivered with that device's ifindex;
// - a frame still carrying a VLAN tag in its metadata (PACKET_AUXDATA's TP_STATUS_VLAN_VALID), on
//   kernels or drivers that keep it. VLAN 0 is a priority tag (IEEE 802.1Q §6.9): the frame is
//   the untagged interface's own, so it passes.
// The native addon reports all four facts; this module decides. ARP and NDP share it.

/** linux/if_packet.h sll_pkttype, named. */
export type PacketType = 'host' | 'broadcast' | 'multicast' | 'otherhost' | 'outgoing' | 'unknown'

export interface Arrival {
  readonly packetType: PacketType
  /** The interface the kernel says the frame came in on (sll_ifindex). */
  readonly ifindex: number
  /** The VLAN ID from PACKET_AUXDATA when the kernel kept the tag; absent for an untagged frame. */
  readonly vlan?: number
}

export const ARRIVAL_DROP_REASONS = [
  /** A frame we sent, looped back to our socket (packet type OUTGOING). */
  'Outgoing',
  /** The kernel judged it for another host: unicast to another MAC, or tagged for a VLAN we have no device for. */
  'OtherHost',
  /** Delivered from another interface than the one this socket answers for (a VLAN sub-interface). */
  'OtherInterface',
  /** Still tagged with a non-zero VLAN ID: it belongs to that VLAN, not to this interface. */
  'VlanTagged',
] as const
type ArrivalDropReason = (typeof ARRIVAL_DROP_REASONS)[number]

/** `undefined` when the frame may be this interface's to answer; otherwise why not. */
export const refuseArrival = (a: Arrival, ifindex: number): ArrivalDropReason | undefined => {
  if (a.packetType === 'outgoing') return 'Outgoing'
  if (a.packetType === 'otherhost') return 'OtherHost'
  if (a.ifindex !== ifindex) return 'OtherInterface'
  if (a.vlan !== undefined && a.vlan !== 0) return 'VlanTagged'
  return undefined
}

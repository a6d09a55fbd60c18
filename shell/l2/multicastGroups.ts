// IP-layer membership of IPv6 multicast groups on one interface, for the NDP responder. The packet
// socket's PACKET_ADD_MEMBERSHIP only opens the NIC's MAC filter; it sends no MLD report, so a
// switch doing MLD snooping (RFC 4541) would not forward a solicited-node group's Neighbor
// Solicitations to this port. Joining the group on any IPv6 socket (IPV6_JOIN_GROUP) makes the
// kernel send MLD reports (RFC 3810 §6) and answer queries, and also programs the MAC filter.
// The socket is bound to [::1] on an ephemeral port so it receives nothing from the network.
import { createSocket } from 'node:dgram'
import { formatIP, type IP } from '../../core/net/address.js'

export interface MulticastGroups {
  /** Idempotent; throws (EINVAL, ENODEV, ...) if the kernel refuses. */
  join(group: IP): void
  leave(group: IP): void
  joined(): string[]
  close(): Promise<void>
}

export const openMulticastGroups = async (ifname: string): Promise<MulticastGroups> => {
  const sock = createSocket({ type: 'udp6' })
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject)
    sock.bind({ address: '::1', port: 0, exclusive: true }, () => {
      sock.off('error', reject)
      resolve()
    })
  })
  // Errors after bind (none are expected on a socket that receives nothing) must not crash.
  sock.on('error', () => undefined)
  const groups = new Set<string>()
  const iface = `::%${ifname}`
  return {
    join: (group) => {
      const g = formatIP(group)
      if (groups.has(g)) return
      sock.addMembership(g, iface)
      groups.add(g)
    },
    leave: (group) => {
      const g = formatIP(group)
      if (!groups.delete(g)) return
      sock.dropMembership(g, iface)
    },
    joined: () => [...groups].sort(),
    close: () =>
      new Promise<void>((resolve) => {
        groups.clear()
        sock.close(() => resolve())
      }),
  }
}

// The lab cluster's names and addresses, documentation ranges only, dual-stack (IPv4 first, so a Service
// that asks for nothing gets IPv4): the nodes, the API server and a client on one LAN (198.51.100.0/24 and
// 2001:db8:100::/64, the process lab's plan), Pods from 192.0.2.0/25 and 2001:db8:1::/56 (the controller
// manager hands each node a /27 and a /64), ClusterIPs from 192.0.2.128/26 (the first, .129, is the
// `kubernetes` Service) and 2001:db8:2::/112, and the Layer 2 pool on the LAN so the client's ARP and
// NDP reach the speakers.
export const LAN_PREFIX_LEN = 24
export const LAN6_PREFIX_LEN = 64
export const INFRA_IP = '198.51.100.2'
export const INFRA_IP6 = '2001:db8:100::2'
export const CLIENT_IP = '198.51.100.100'
export const CLIENT_IP6 = '2001:db8:100::100'
export const POD_CIDR = '192.0.2.0/25'
export const POD_CIDR6 = '2001:db8:1::/56'
export const NODE_CIDR_MASK = 27
export const NODE_CIDR_MASK6 = 64
export const SERVICE_CIDR = '192.0.2.128/26'
export const SERVICE_CIDR6 = '2001:db8:2::/112'
export const POOL_RANGE = '198.51.100.200-198.51.100.209'
export const POOL_RANGE6 = '2001:db8:100::200-2001:db8:100::209'
export const API_PORT = 6443

export interface NodePlan {
  readonly name: string
  readonly ip: string
  readonly ip6: string
}

export const nodePlans = (count: number): NodePlan[] => Array.from({ length: count }, (_, i) => ({ name: `node${i + 1}`, ip: `198.51.100.${11 + i}`, ip6: `2001:db8:100::${11 + i}` }))

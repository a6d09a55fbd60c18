// The lab cluster's names and addresses, documentation ranges only: the nodes, the API server and a client
// on one LAN (198.51.100.0/24, the process lab's plan), Pods from 192.0.2.0/25 (the controller manager hands
// each node a /27), ClusterIPs from 192.0.2.128/26 (the first, .129, is the `kubernetes` Service), and the
// Layer 2 pool on the LAN so the client's ARP reaches the speakers.
export const LAN_PREFIX_LEN = 24
export const INFRA_IP = '198.51.100.2'
export const CLIENT_IP = '198.51.100.100'
export const POD_CIDR = '192.0.2.0/25'
export const NODE_CIDR_MASK = 27
export const SERVICE_CIDR = '192.0.2.128/26'
export const POOL_RANGE = '198.51.100.200-198.51.100.209'
export const API_PORT = 6443

export interface NodePlan {
  readonly name: string
  readonly ip: string
}

export const nodePlans = (count: number): NodePlan[] => Array.from({ length: count }, (_, i) => ({ name: `node${i + 1}`, ip: `198.51.100.${11 + i}` }))

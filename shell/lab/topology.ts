// The lab's shape as plain data: which hosts exist, which segment (bridge) each interface sits on, and
// every address, MAC and name. Pure: the network builder (network.ts) turns this into namespaces, and
// the specs read it. A host is a network namespace; a segment is a bridge inside the `lan` namespace, so
// nothing lives in the machine's own namespace. Every address is from a documentation range (RFC 5737,
// RFC 3849): the LAN is 198.51.100.0/24 and 2001:db8:100::/64. With a router (`up --router`) a second
// segment, the edge (203.0.113.0/25, 2001:db8:203::/64), joins the router (.1 on both segments) and the
// client (.100 on both), whose default route then goes through the router: a Service IP outside the LAN
// is reached the way BGP advertises it. The edge is a /25 so that 203.0.113.128/25 and 2001:db8:300::/64
// are on no segment: BGP pools take their IPs from there (BGP_SERVICE_RANGES), and the client reaches
// them only through the router. Service ClusterIPs come from 192.0.2.0/24 and 2001:db8:96::/112.
import { createHash } from 'node:crypto'

export type HostKind = 'infra' | 'node' | 'client' | 'router'

interface Segment {
  readonly name: string
  /** The bridge's name inside the switch namespace. */
  readonly bridge: string
  readonly v4Prefix: string
  readonly v6Prefix: string
}

interface HostLink {
  readonly segment: string
  /** The interface inside the host (eth0 on the LAN: MetalLB's default filter skips veth*). */
  readonly ifname: string
  /** The bridge-side port inside the switch namespace. */
  readonly port: string
  readonly mac: string
  readonly v4: string
  readonly v6: string
  readonly v4Len: number
  readonly v6Len: number
}

interface Host {
  readonly name: string
  readonly kind: HostKind
  readonly links: readonly HostLink[]
}

export interface Topology {
  /** Six hex digits that name this lab's namespaces: `ilab-<id>-<host>`. */
  readonly id: string
  readonly switchHost: string
  readonly segments: readonly Segment[]
  readonly hosts: readonly Host[]
  readonly nodes: readonly string[]
  readonly serviceClusterIPRange: string
}

const LAN: Segment = { name: 'lan', bridge: 'br-lan', v4Prefix: '198.51.100.0/24', v6Prefix: '2001:db8:100::/64' }
const EDGE: Segment = { name: 'edge', bridge: 'br-edge', v4Prefix: '203.0.113.0/25', v6Prefix: '2001:db8:203::/64' }
/** Where a router lab's BGP pools take their IPs: on no segment, so only the router's routes lead there. */
export const BGP_SERVICE_RANGES = { v4: '203.0.113.128/25', v6: '2001:db8:300::/64' } as const
const SWITCH_HOST = 'lan'
const SERVICE_CLUSTER_IP_RANGE = '192.0.2.0/24,2001:db8:96::/112'
export const API_SERVER_PORT = 6443
export const MAX_NODES = 9
export const NS_PREFIX = 'ilab-'

/** The lab id for a state folder: the same folder always names the same namespaces (so `down` finds them). */
export const labIdFor = (stateDir: string): string => createHash('sha256').update(stateDir).digest('hex').slice(0, 6)

export const namespaceOf = (id: string, host: string): string => `${NS_PREFIX}${id}-${host}`

/** The host name inside a namespace name of lab `id`, or undefined when the namespace is not the lab's. */
export const hostOfNamespace = (id: string, ns: string): string | undefined => {
  const prefix = `${NS_PREFIX}${id}-`
  return ns.startsWith(prefix) && ns.length > prefix.length ? ns.slice(prefix.length) : undefined
}

// A locally administered MAC that spells the IPv4 address (02:00:c6:33:64:0b is 198.51.100.11), so a
// capture reads without a lookup table.
const macFor = (v4: string): string => `02:00:${v4.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join(':')}`

const lanLink = (host: string, octet: number): HostLink => ({
  segment: LAN.name,
  ifname: 'eth0',
  port: host,
  mac: macFor(`198.51.100.${octet}`),
  v4: `198.51.100.${octet}`,
  v6: `2001:db8:100::${octet}`,
  v4Len: 24,
  v6Len: 64,
})

// The host's second interface, on the edge segment; its bridge port is named after the host too.
const edgeLink = (host: string, octet: number): HostLink => ({
  segment: EDGE.name,
  ifname: 'eth1',
  port: `${host}-e`,
  mac: macFor(`203.0.113.${octet}`),
  v4: `203.0.113.${octet}`,
  v6: `2001:db8:203::${octet}`,
  v4Len: 25,
  v6Len: 64,
})

/**
 * infra .2, node1..N .11.., client .100 (and the same last group in 2001:db8:100::/64); with `router`, the
 * router at .1 on the LAN and on the edge, and the client on the edge too.
 */
export const topology = (id: string, nodeCount: number, router = false): Topology => {
  if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > MAX_NODES) throw new Error(`nodes must be 1..${MAX_NODES}, not ${nodeCount}`)
  if (!/^[0-9a-f]{6}$/.test(id)) throw new Error(`bad lab id ${id}`)
  const nodes = Array.from({ length: nodeCount }, (_, i) => `node${i + 1}`)
  const hosts: Host[] = [
    { name: 'infra', kind: 'infra', links: [lanLink('infra', 2)] },
    ...nodes.map((name, i): Host => ({ name, kind: 'node', links: [lanLink(name, 11 + i)] })),
    { name: 'client', kind: 'client', links: router ? [lanLink('client', 100), edgeLink('client', 100)] : [lanLink('client', 100)] },
    ...(router ? [{ name: 'router', kind: 'router', links: [lanLink('router', 1), edgeLink('router', 1)] } satisfies Host] : []),
  ]
  return { id, switchHost: SWITCH_HOST, segments: router ? [LAN, EDGE] : [LAN], hosts, nodes, serviceClusterIPRange: SERVICE_CLUSTER_IP_RANGE }
}

/** The host's link on the edge segment, if it has one (the router and, in a router lab, the client). */
export const edgeOf = (host: Host): HostLink | undefined => host.links.find((l) => l.segment === EDGE.name)

const hostNamed = (topo: Topology, name: string): Host | undefined => topo.hosts.find((h) => h.name === name)

export const hostOrThrow = (topo: Topology, name: string): Host => {
  const h = hostNamed(topo, name)
  if (h === undefined) throw new Error(`no host ${name} (hosts: ${topo.hosts.map((x) => x.name).join(', ')})`)
  return h
}

/** The host's LAN link (every host has one). */
export const lanOf = (host: Host): HostLink => {
  const link = host.links.find((l) => l.segment === LAN.name)
  if (link === undefined) throw new Error(`${host.name} has no LAN link`)
  return link
}

export const apiServerAddress = (topo: Topology): string => {
  const infra = hostNamed(topo, 'infra')
  if (infra === undefined) throw new Error('the topology has no infra host')
  return lanOf(infra).v4
}

export const apiServerUrl = (topo: Topology): string => `https://${apiServerAddress(topo)}:${API_SERVER_PORT}`

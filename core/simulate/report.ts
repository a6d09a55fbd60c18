// The report `ironlb simulate` prints. Its JSON form is a contract other tools build on: field
// names, order and sorting stay as they are; later features add new top-level lists only.
import { compareIP, parseIP } from '../net/address.js'

type ServiceStatus = 'assigned' | 'pending' | 'ignored'

export interface ServiceReport {
  readonly namespace: string
  readonly name: string
  readonly status: ServiceStatus
  readonly ips: readonly string[]
  readonly pool: string | null
  readonly reason: string | null
  readonly message: string | null
}

export interface PoolReport {
  readonly name: string
  readonly assignedIPv4: number
  readonly assignedIPv6: number
  readonly availableIPv4: number
  readonly availableIPv6: number
}

export interface ErrorReport {
  readonly kind: string
  readonly namespace: string
  readonly name: string
  readonly field: string
  readonly message: string
}

/** One IP and the node that answers ARP/NDP for it. */
export interface L2AnnouncementReport {
  /** "namespace/name". */
  readonly service: string
  readonly ip: string
  readonly protocol: 'layer2'
  readonly node: string
  /** Interface names, sorted; ["*"] when an advertisement lists none, i.e. every usable interface. */
  readonly interfaces: readonly string[]
}

/** One route a node sends one BGPPeer for one IP (core/bgp/advertise.ts); one row per prefix. */
export interface BgpAnnouncementReport {
  readonly service: string
  readonly ip: string
  readonly protocol: 'bgp'
  readonly node: string
  readonly peer: string
  /** The IP masked to the advertisement's aggregation length, e.g. "198.51.100.0/24". */
  readonly prefix: string
  /** Standard then large, each sorted: "64500:1", "large:64500:1:2". */
  readonly communities: readonly string[]
  /** Sent to iBGP peers only; null towards eBGP peers or when no advertisement sets it. */
  readonly localPref: number | null
}

/** Layer 2 rows and BGP rows, told apart by `protocol`. */
type AnnouncementReport = L2AnnouncementReport | BgpAnnouncementReport

export interface SimulationReport {
  readonly services: readonly ServiceReport[]
  readonly pools: readonly PoolReport[]
  readonly errors: readonly ErrorReport[]
  /** Added after the first three lists: one entry per announced IP (Layer 2) and per route (BGP). */
  readonly announcements: readonly AnnouncementReport[]
}

export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** IP texts in address order (IPv4 first), text order for anything unparsable. */
export const byAddress = (a: string, b: string): number => {
  const x = parseIP(a)
  const y = parseIP(b)
  return x._tag === 'Right' && y._tag === 'Right' ? compareIP(x.right, y.right) : byText(a, b)
}

/**
 * Services by namespace then name, pools by name, announcements by service then IP: the order the
 * contract promises. The sort is stable: for one IP, Layer 2 rows come before BGP rows, and BGP rows
 * keep their node, peer, prefix order.
 */
export const sortReport = (r: SimulationReport): SimulationReport => ({
  services: [...r.services].sort((a, b) => byText(a.namespace, b.namespace) || byText(a.name, b.name)),
  pools: [...r.pools].sort((a, b) => byText(a.name, b.name)),
  errors: r.errors,
  announcements: [...r.announcements].sort((a, b) => byText(a.service, b.service) || byAddress(a.ip, b.ip)),
})

/** JSON on one line with a space after each ':' and ',', as the contract's example is written. */
export const oneLineJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(oneLineJson).join(', ')}]`
  if (typeof value === 'object' && value !== null)
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${oneLineJson(v)}`)
      .join(', ')}}`
  return JSON.stringify(value) ?? 'null'
}

/**
 * One service or pool per line, so the output diffs well and reads like the contract's example;
 * keys in the contract's order (whoever builds the report fixes it with object literals).
 */
export const renderJson = (r: SimulationReport): string => {
  const lines = (items: readonly object[]): string =>
    items.length === 0 ? '[]' : `[\n${items.map((i) => `    ${oneLineJson(i)}`).join(',\n')}\n  ]`
  return `{\n  "services": ${lines(r.services)},\n  "pools": ${lines(r.pools)},\n  "errors": ${lines(r.errors)},\n  "announcements": ${lines(r.announcements)}\n}\n`
}

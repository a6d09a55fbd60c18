// The interop matrix's cells and what each one must leave in a router's RIB. A cell is one MetalLB
// configuration (pool, three BGPAdvertisements, a Community with aliases, one BGPPeer per router and
// node) for two nodes: an address family (IPv4 peer and pool, IPv6 peer and pool, or an
// IPv4 peer with dualStackAddressFamily and a dual-stack pool), eBGP or iBGP, with or without TCP MD5.
// Every cell has its own node addresses and Service prefixes, so all twelve run side by side against
// the three routers. `expectedRoutes` is the oracle: written from the cell's parameters by hand, it never
// calls the code under test (core/config, core/bgp).

export type InteropRouter = 'frr' | 'bird' | 'gobgp'

/** The routers share the LAN and one AS; each has a client network of its own behind it. */
export const ROUTERS: Readonly<Record<InteropRouter, { readonly v4: string; readonly v6: string; readonly client: number }>> = {
  frr: { v4: '198.51.100.1', v6: '2001:db8:100::1', client: 1 },
  bird: { v4: '198.51.100.2', v6: '2001:db8:100::2', client: 2 },
  gobgp: { v4: '198.51.100.3', v6: '2001:db8:100::3', client: 3 },
}
export const INTEROP_ROUTERS = Object.keys(ROUTERS) as InteropRouter[]
export const ROUTER_ASN = 64500

/** A router's client network: the router's and the client's addresses and the prefixes (a /26 and a /64). */
export const clientNet = (r: InteropRouter): { readonly router: { v4: string; v6: string }; readonly client: { v4: string; v6: string }; readonly v4: string; readonly v6: string } => {
  const n = ROUTERS[r].client
  const base = (n - 1) * 64
  return {
    router: { v4: `192.0.2.${base + 1}`, v6: `2001:db8:20${n}::1` },
    client: { v4: `192.0.2.${base + 10}`, v6: `2001:db8:20${n}::10` },
    v4: `192.0.2.${base}/26`,
    v6: `2001:db8:20${n}::/64`,
  }
}
const NODE_EBGP_ASN = 64512
export const NODES = ['node1', 'node2'] as const
/** Where each node's HTTP server answers with its node name. */
export const HTTP_PORT = 8080

type CellFamily = 'ipv4' | 'ipv6' | 'dual'
type CellSession = 'ebgp' | 'ibgp'

export interface Cell {
  readonly index: number
  readonly family: CellFamily
  readonly session: CellSession
  readonly md5: boolean
}

export const CELLS: readonly Cell[] = (['ipv4', 'ipv6', 'dual'] as const).flatMap((family) =>
  (['ebgp', 'ibgp'] as const).flatMap((session) => [false, true].map((md5) => ({ family, session, md5 }))),
).map((c, index) => ({ index, ...c }))

export const cellName = (c: Cell): string => `${c.family} ${c.session === 'ibgp' ? 'iBGP' : 'eBGP'} MD5 ${c.md5 ? 'on' : 'off'}`

/** The node's own addresses in this cell (node 0 or 1): the session's source, next hop and router ID. */
export const nodeAddresses = (c: Cell, node: number): { readonly v4: string; readonly v6: string } => {
  const host = 100 + c.index * 2 + node
  return { v4: `198.51.100.${host}`, v6: `2001:db8:100::${host}` }
}

/** The Service IPs of the cell, by family, inside the cell's pool (a /29 and a /125). */
export const serviceIps = (c: Cell): { readonly v4?: string; readonly v6?: string } => ({
  ...(c.family === 'ipv6' ? {} : { v4: `203.0.113.${c.index * 8 + 1}` }),
  ...(c.family === 'ipv4' ? {} : { v6: `2001:db8:300::${((c.index + 1) * 0x100 + 1).toString(16)}` }),
})

const nodeAsn = (c: Cell): number => (c.session === 'ibgp' ? ROUTER_ASN : NODE_EBGP_ASN)
const password = (c: Cell): string => `md5-cell-${c.index}`

// ---- the configuration, as YAML would hold it ---------------------------------------------------------

const NS = 'metallb-system'
type Obj = Record<string, unknown> & { readonly kind: string }

const meta = (name: string, namespace = NS): Record<string, unknown> => ({ name, namespace })

/** Every object of the cell: MetalLB's kinds and the cluster's (Nodes, Service, EndpointSlice). */
export const cellObjects = (c: Cell): Obj[] => {
  const ips = serviceIps(c)
  const pool = [
    ...(c.family === 'ipv6' ? [] : [`203.0.113.${c.index * 8}/29`]),
    ...(c.family === 'ipv4' ? [] : [`2001:db8:300::${((c.index + 1) * 0x100).toString(16)}/125`]),
  ]
  // Not towards iBGP: the prepended AS is the router's own there, and FRR, BIRD and GoBGP all drop such a
  // route as a loop (tried: every iBGP cell then lacked its host route on all three).
  const prepend = c.session === 'ebgp' ? { asPathPrepend: 2 } : {}
  const ad = (name: string, spec: Record<string, unknown>): Obj => ({ apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: meta(name), spec: { ipAddressPools: ['pool'], ...spec } })
  // One BGPPeer per router and node (sourceAddress is the node's own address in the cell).
  const peer = (router: InteropRouter, node: number): Obj => {
    const own = nodeAddresses(c, node)
    const v6Session = c.family === 'ipv6'
    return {
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: meta(`${router}-${NODES[node]}`),
      spec: {
        myASN: nodeAsn(c),
        peerASN: ROUTER_ASN,
        peerAddress: v6Session ? ROUTERS[router].v6 : ROUTERS[router].v4,
        sourceAddress: v6Session ? own.v6 : own.v4,
        connectTime: '2s',
        nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': NODES[node] } }],
        ...(c.family === 'dual' ? { dualStackAddressFamily: true } : {}),
        ...(c.md5 ? { password: password(c) } : {}),
      },
    }
  }
  return [
    { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: meta('pool'), spec: { addresses: pool } },
    { apiVersion: 'metallb.io/v1beta1', kind: 'Community', metadata: meta('aliases'), spec: { communities: [{ name: 'std-alias', value: '65000:200' }, { name: 'large-alias', value: 'large:64512:1:2' }] } },
    ad('host', { aggregationLength: 32, aggregationLengthV6: 128, communities: ['65000:100', 'std-alias', 'large:64512:7:9'], localPref: 150, ...prepend }),
    ad('host-too', { aggregationLength: 32, aggregationLengthV6: 128, communities: ['65000:400'], localPref: 150, ...prepend }),
    ad('aggregate', { aggregationLength: 30, aggregationLengthV6: 126, communities: ['65000:300', 'large-alias'], localPref: 120 }),
    ...INTEROP_ROUTERS.flatMap((r) => [peer(r, 0), peer(r, 1)]),
    // InternalIPs: the speaker's router ID and its next hop of the family a session's socket is not.
    ...NODES.map((n, i) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: n, labels: { 'kubernetes.io/hostname': n } },
      status: { addresses: [nodeAddresses(c, i).v4, nodeAddresses(c, i).v6].map((address) => ({ type: 'InternalIP', address })) },
    })),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('web', 'default'),
      spec: { type: 'LoadBalancer', ports: [{ port: HTTP_PORT }], externalTrafficPolicy: 'Cluster' },
      status: { loadBalancer: { ingress: [ips.v4, ips.v6].flatMap((ip) => (ip === undefined ? [] : [{ ip }])) } },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { ...meta('web-x', 'default'), labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: NODES.map((n) => ({ addresses: ['10.244.0.1'], nodeName: n, conditions: { ready: true } })),
    },
  ]
}

// ---- the oracle -------------------------------------------------------------------------------------

/** A route as shell/testbed/router.ts's RibRoute reports it (the same shape, written out here). */
export interface ExpectedRoute {
  readonly prefix: string
  readonly nexthops: readonly string[]
  readonly asPath: readonly number[]
  readonly communities: readonly string[]
  readonly largeCommunities: readonly string[]
  readonly localPref?: number
}

/**
 * What the router must hold for the cell: per Service IP the host route (advertisements "host" and
 * "host-too": their communities unioned, the aliases resolved, the AS prepended twice towards eBGP)
 * and the aggregate (/30, /126), each via both nodes; localPref only over iBGP; over iBGP the AS path
 * is empty (no prepend is configured there).
 */
export const expectedRoutes = (c: Cell): ExpectedRoute[] => {
  const ibgp = c.session === 'ibgp'
  const ips = serviceIps(c)
  const hops = (family: 'v4' | 'v6'): string[] => [0, 1].map((n) => nodeAddresses(c, n)[family]).sort()
  const asPath = (prepend: number): number[] => (ibgp ? [] : Array.from({ length: 1 + prepend }, () => NODE_EBGP_ASN))
  const host = (prefix: string, family: 'v4' | 'v6'): ExpectedRoute => ({
    prefix,
    nexthops: hops(family),
    asPath: asPath(2),
    communities: ['65000:100', '65000:200', '65000:400'],
    largeCommunities: ['64512:7:9'],
    ...(ibgp ? { localPref: 150 } : {}),
  })
  const aggregate = (prefix: string, family: 'v4' | 'v6'): ExpectedRoute => ({
    prefix,
    nexthops: hops(family),
    asPath: asPath(0),
    communities: ['65000:300'],
    largeCommunities: ['64512:1:2'],
    ...(ibgp ? { localPref: 120 } : {}),
  })
  return [
    ...(ips.v4 === undefined ? [] : [host(`${ips.v4}/32`, 'v4'), aggregate(`203.0.113.${c.index * 8}/30`, 'v4')]),
    ...(ips.v6 === undefined ? [] : [host(`${ips.v6}/128`, 'v6'), aggregate(`2001:db8:300::${((c.index + 1) * 0x100).toString(16)}/126`, 'v6')]),
  ]
}

/** The neighbour every router is configured with for each node of each cell. */
export const routerNeighbors = (c: Cell): { readonly address: string; readonly asn: number; readonly password?: string }[] =>
  [0, 1].map((n) => ({
    address: c.family === 'ipv6' ? nodeAddresses(c, n).v6 : nodeAddresses(c, n).v4,
    asn: nodeAsn(c),
    ...(c.md5 ? { password: password(c) } : {}),
  }))

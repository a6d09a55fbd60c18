// GoBGP 3.10 as a lab router: gobgpd with its TOML config in the router's folder and its gRPC API on the
// namespace's own loopback, queried with `gobgp -j`. GoBGP holds routes in its RIB only: it installs
// nothing in the kernel, and its zebra client (the way it would, through FRR's zebra) crashes on FRR
// 8.4's interface messages (gobgpd 3.10 panics decoding zebra's interfaceAdd, tried with software-name
// frr8.2 and frr8). So a GoBGP router's FIB stays empty: its interop rows check the RIB only. It has no BFD.
import { join } from 'node:path'
import type { Neighbor, NeighborState, RibPath, RouterConfig, RouterPlan, RouterQueries } from './router.js'
import { communityText, sessionState } from './router.js'
import { run } from './sys.js'

/** The API port inside the router's namespace (each namespace has its own loopback). */
const API_PORT = 50051

const peerAsOf = (c: RouterConfig, n: Neighbor, at: string): number => {
  if (typeof n.peerAs === 'number') return n.peerAs
  if (n.peerAs === 'internal') return c.asn
  throw new Error(`${at}.peerAs: GoBGP needs the peer's AS number, not "external"`)
}

const AFI_SAFIS = ['ipv4-unicast', 'ipv6-unicast']

/** The TOML sections shared by a neighbour and a peer group (`kind`: neighbors or peer-groups). */
const commonToml = (kind: string, n: Neighbor): string[] => [
  ...(n.passive === true || !('address' in n.peer) ? [`  [${kind}.transport.config]`, '    passive-mode = true'] : []),
  ...(n.multihop === undefined ? [] : [`  [${kind}.ebgp-multihop.config]`, '    enabled = true', `    multihop-ttl = ${n.multihop}`]),
  ...AFI_SAFIS.flatMap((afi) => [`  [[${kind}.afi-safis]]`, `    [${kind}.afi-safis.config]`, `      afi-safi-name = "${afi}"`]),
]

export const gobgpToml = (c: RouterConfig): string => {
  const lines = ['[global.config]', `  as = ${c.asn}`, `  router-id = "${c.routerId}"`, '[global.use-multiple-paths.config]', `  enabled = ${c.ecmp !== false}`]
  c.neighbors.forEach((n, i) => {
    const at = `neighbors[${i}]`
    if (n.bfd !== undefined) throw new Error(`${at}.bfd: GoBGP has no BFD`)
    const auth = n.password === undefined ? [] : [`    auth-password = "${n.password}"`]
    const peerAs = peerAsOf(c, n, at)
    if ('address' in n.peer) {
      lines.push('[[neighbors]]', '  [neighbors.config]', `    neighbor-address = "${n.peer.address}"`, `    peer-as = ${peerAs}`, ...auth, ...commonToml('neighbors', n))
    } else {
      lines.push('[[peer-groups]]', '  [peer-groups.config]', `    peer-group-name = "g${i}"`, `    peer-as = ${peerAs}`, ...auth, ...commonToml('peer-groups', n))
      lines.push('[[dynamic-neighbors]]', '  [dynamic-neighbors.config]', `    prefix = "${n.peer.range}"`, `    peer-group = "g${i}"`)
    }
  })
  return `${lines.join('\n')}\n`
}

export const gobgpPlan = (c: RouterConfig, dir: string): RouterPlan => ({
  files: [{ name: 'gobgpd.toml', text: gobgpToml(c) }],
  daemons: [{ name: 'gobgpd', argv: ['gobgpd', '-f', join(dir, 'gobgpd.toml'), '-t', 'toml', '--api-hosts', `127.0.0.1:${API_PORT}`, '--pprof-disable', '-p', '-l', 'info'] }],
})

interface GobgpAttr {
  readonly type: number
  readonly value?: unknown
  readonly nexthop?: string
  readonly as_paths?: readonly { readonly asns?: readonly number[] }[]
  readonly communities?: readonly number[]
  readonly metric?: number
}

interface GobgpPath {
  readonly attrs?: readonly GobgpAttr[]
  readonly 'neighbor-ip'?: string
}

// RFC 4271 attribute type codes, and RFC 4760's MP_REACH_NLRI (14) and RFC 8092's LARGE_COMMUNITY (32).
const AS_PATH = 2
const NEXT_HOP = 3
const MED = 4
const LOCAL_PREF = 5
const COMMUNITIES = 8
const MP_REACH = 14
const LARGE_COMMUNITY = 32

const pathOf = (prefix: string, p: GobgpPath): RibPath | undefined => {
  const attrs = p.attrs ?? []
  const of = (type: number): GobgpAttr | undefined => attrs.find((a) => a.type === type)
  const nexthop = of(NEXT_HOP)?.nexthop ?? of(MP_REACH)?.nexthop
  if (nexthop === undefined) return undefined
  const large = (of(LARGE_COMMUNITY)?.value ?? []) as readonly { ASN: number; LocalData1: number; LocalData2: number }[]
  const med = of(MED)?.metric
  const localPref = of(LOCAL_PREF)?.value
  return {
    prefix,
    nexthop,
    asPath: (of(AS_PATH)?.as_paths ?? []).flatMap((s) => s.asns ?? []),
    communities: (of(COMMUNITIES)?.communities ?? []).map(communityText),
    largeCommunities: large.map((l) => `${l.ASN}:${l.LocalData1}:${l.LocalData2}`),
    ...(typeof localPref === 'number' ? { localPref } : {}),
    ...(med === undefined ? {} : { med }),
    from: p['neighbor-ip'] ?? '',
  }
}

/** `gobgp -j global rib -a ipv4|ipv6`: prefix -> paths. */
export const gobgpPathsOf = (json: string): RibPath[] =>
  Object.entries(JSON.parse(json.trim() === '' ? '{}' : json) as Record<string, readonly GobgpPath[]>).flatMap(([prefix, paths]) =>
    paths.flatMap((p) => pathOf(prefix, p) ?? []),
  )

// GoBGP's FSM states as its API numbers them.
const GOBGP_STATES = ['Unknown', 'Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established']

/** `gobgp -j neighbor`. */
export const gobgpNeighborsOf = (json: string): NeighborState[] =>
  (JSON.parse(json.trim() === '' ? '[]' : json) as readonly { state?: { neighbor_address?: string; peer_asn?: number; session_state?: number } }[])
    .map((n) => {
      const raw = GOBGP_STATES[n.state?.session_state ?? 0] ?? 'Unknown'
      return { address: n.state?.neighbor_address ?? '', remoteAs: n.state?.peer_asn, state: sessionState(raw), raw }
    })
    .sort((a, b) => (a.address < b.address ? -1 : 1))

export const gobgpQueries = (ns: string): RouterQueries => {
  // The API listens on the namespace's loopback: the client runs inside it.
  const gobgp = async (...args: string[]): Promise<string> => {
    const r = await run(['ip', 'netns', 'exec', ns, 'gobgp', '--host', '127.0.0.1', '--port', String(API_PORT), '-j', ...args], { timeoutMs: 10_000 })
    if (r.code !== 0) throw new Error(`gobgp ${args.join(' ')} failed (${r.code ?? 'no exit code'}): ${r.stderr.trim().slice(0, 500)}`)
    return r.stdout
  }
  return {
    ready: async () => (await run(['ip', 'netns', 'exec', ns, 'gobgp', '--host', '127.0.0.1', '--port', String(API_PORT), '-j', 'global'], { timeoutMs: 5_000 })).code === 0,
    paths: async () => [...gobgpPathsOf(await gobgp('global', 'rib', '-a', 'ipv4')), ...gobgpPathsOf(await gobgp('global', 'rib', '-a', 'ipv6'))],
    neighbors: async () => gobgpNeighborsOf(await gobgp('neighbor')),
  }
}

// FRR 8.4 as a lab router: zebra (installs the routes, multipath included, into the namespace's kernel),
// bgpd and bfdd, all three with their config, pid files, vty sockets and zserv socket in the router's own
// folder, so nothing touches the machine's /etc/frr or /var/run/frr. They drop privileges to user frr
// (FRR refuses root without the frrvty group), so the folder is frr's. Queried through vtysh's JSON.
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { BfdTimers, Neighbor, NeighborState, RibPath, RouterConfig, RouterPlan, RouterQueries } from './router.js'
import { sessionState } from './router.js'
import { run } from './sys.js'

const FRR_BIN = '/usr/lib/frr'
const DAEMONS = ['zebra', 'bgpd', 'bfdd'] as const

const remoteAs = (n: Neighbor): string => (typeof n.peerAs === 'number' ? String(n.peerAs) : n.peerAs)

const profileLines = (name: string, b: BfdTimers): string[] => [
  ` profile ${name}`,
  `  receive-interval ${b.receiveMs}`,
  `  transmit-interval ${b.transmitMs}`,
  `  detect-multiplier ${b.multiplier}`,
  ' exit',
]

/** bgpd.conf: every neighbour (or listen range) is a peer group of its own, active in IPv4 and IPv6 unicast. */
export const frrBgpdConf = (c: RouterConfig): string => {
  const paths = c.ecmp === false ? 1 : 64
  const group = (i: number): string => `N${i}`
  const lines = [
    `router bgp ${c.asn}`,
    ` bgp router-id ${c.routerId}`,
    // Without it FRR drops every eBGP route that no policy accepts (RFC 8212).
    ' no bgp ebgp-requires-policy',
    ' no bgp default ipv4-unicast',
    // Equal paths from nodes in different ASes count as multipath too.
    ' bgp bestpath as-path multipath-relax',
  ]
  c.neighbors.forEach((n, i) => {
    const g = group(i)
    lines.push(` neighbor ${g} peer-group`, ` neighbor ${g} remote-as ${remoteAs(n)}`)
    // A lab router and its peer start together: FRR's default 120 s between connect attempts would turn
    // one refused first attempt into minutes of waiting.
    lines.push(` neighbor ${g} timers connect 5`)
    if (n.password !== undefined) lines.push(` neighbor ${g} password ${n.password}`)
    if (n.bfd !== undefined) lines.push(` neighbor ${g} bfd profile P${i}`)
    if (n.multihop !== undefined) lines.push(` neighbor ${g} ebgp-multihop ${n.multihop}`)
    if (n.passive === true) lines.push(` neighbor ${g} passive`)
    if (n.unnumbered !== undefined) lines.push(` neighbor ${n.unnumbered} interface peer-group ${g}`)
    else lines.push('address' in n.peer ? ` neighbor ${n.peer.address} peer-group ${g}` : ` bgp listen range ${n.peer.range} peer-group ${g}`)
  })
  for (const af of ['ipv4', 'ipv6']) {
    lines.push(` address-family ${af} unicast`)
    c.neighbors.forEach((_, i) => lines.push(`  neighbor ${group(i)} activate`))
    lines.push(`  maximum-paths ${paths}`, `  maximum-paths ibgp ${paths}`, ' exit-address-family')
  }
  lines.push('exit', '')
  return lines.join('\n')
}

/** bfdd.conf: one profile per neighbour that asks for BFD (bgpd asks bfdd for the sessions). */
export const frrBfddConf = (c: RouterConfig): string => {
  const profiles = c.neighbors.flatMap((n, i) => (n.bfd === undefined ? [] : profileLines(`P${i}`, n.bfd)))
  return profiles.length === 0 ? '' : ['bfd', ...profiles, 'exit', ''].join('\n')
}

export const frrPlan = (c: RouterConfig, dir: string): RouterPlan => ({
  owner: 'frr',
  files: [
    // IPv4 and IPv6 forwarding on: zebra would otherwise write `no ip forwarding` into the namespace.
    { name: 'zebra.conf', text: 'hostname ironlb-router\nip forwarding\nipv6 forwarding\n' },
    { name: 'bgpd.conf', text: frrBgpdConf(c) },
    { name: 'bfdd.conf', text: frrBfddConf(c) },
  ],
  // bgpd and bfdd start once zebra's socket is there: a client that finds no zebra connects again only
  // 10 s later (FRR replays BFD registrations then, so this saves time, not correctness).
  daemons: DAEMONS.map((d) => ({
    name: d,
    ...(d === 'zebra' ? {} : { after: join(dir, 'zserv.api') }),
    argv: [
      // A router's control plane has CPUs of its own; the lab's shares two with everything else, so it
      // runs at nice -10. bgp.e2e's power-loss medians (withdrawal, v4/v6) moved with the load: without
      // it 351/346 ms at load ~3 and 509/537 ms at load ~12; with it 405/393 ms at load 5-13 (one run each).
      'nice', '-n', '-10',
      join(FRR_BIN, d),
      '-u', 'frr', '-g', 'frr',
      '-f', join(dir, `${d}.conf`),
      '-i', join(dir, `${d}.pid`),
      '--vty_socket', dir,
      '-z', join(dir, 'zserv.api'),
      '-P', '0', // no TCP vty
      '--log', 'stdout',
      ...(d === 'bfdd' ? ['--bfdctl', join(dir, 'bfdd.sock')] : []),
    ],
  })),
})

/** FRR keeps a crash-log folder per daemon and pid under /var/tmp/frr; a killed daemon leaves its folder. */
export const removeFrrLeftovers = (pids: readonly number[]): void => {
  for (const pid of pids) for (const d of DAEMONS) rmSync(`/var/tmp/frr/${d}.${pid}`, { recursive: true, force: true })
}

interface FrrPath {
  readonly valid?: boolean
  readonly aspath?: { readonly segments?: readonly { readonly list?: readonly number[] }[] }
  readonly community?: { readonly list?: readonly string[] }
  readonly largeCommunity?: { readonly list?: readonly string[] }
  readonly locPrf?: number
  readonly metric?: number
  readonly nexthops?: readonly { readonly ip?: string; readonly scope?: string }[]
  readonly peer?: { readonly peerId?: string }
}

/** The paths of `show bgp <af> unicast json detail` (each prefix's first entry is a summary, not a path). */
export const frrPathsOf = (json: string): RibPath[] => {
  const routes = (JSON.parse(json) as { routes?: Record<string, readonly FrrPath[]> }).routes ?? {}
  return Object.entries(routes).flatMap(([prefix, paths]) =>
    paths
      .filter((p) => p.nexthops !== undefined && p.valid === true)
      .flatMap((p) => {
        const hops = (p.nexthops ?? []).filter((h) => h.ip !== undefined && h.scope !== 'link-local')
        return hops.slice(0, 1).map((h) => ({
          prefix,
          nexthop: h.ip ?? '',
          asPath: (p.aspath?.segments ?? []).flatMap((s) => s.list ?? []),
          communities: [...(p.community?.list ?? [])],
          largeCommunities: [...(p.largeCommunity?.list ?? [])],
          ...(p.locPrf === undefined ? {} : { localPref: p.locPrf }),
          ...(p.metric === undefined ? {} : { med: p.metric }),
          from: p.peer?.peerId ?? '',
        }))
      }),
  )
}

/** `show bgp neighbors json`: address -> {remoteAs, bgpState}. */
export const frrNeighborsOf = (json: string): NeighborState[] =>
  Object.entries(JSON.parse(json) as Record<string, { remoteAs?: number; bgpState?: string }>)
    .filter(([address]) => /^[0-9a-f:.]+$/i.test(address) && /[.:]/.test(address))
    .map(([address, n]) => ({ address, remoteAs: n.remoteAs, state: sessionState(n.bgpState ?? ''), raw: n.bgpState ?? '' }))
    .sort((a, b) => (a.address < b.address ? -1 : 1))

export const frrQueries = (_ns: string, dir: string): RouterQueries => {
  const vtysh = async (cmd: string): Promise<string> => {
    const r = await run(['vtysh', '--vty_socket', dir, '--config_dir', dir, '-c', cmd], { timeoutMs: 10_000 })
    if (r.code !== 0) throw new Error(`vtysh -c '${cmd}' failed (${r.code ?? 'no exit code'}): ${(r.stderr + r.stdout).trim().slice(0, 500)}`)
    return r.stdout
  }
  return {
    ready: async () => {
      if (!DAEMONS.every((d) => existsSync(join(dir, `${d}.vty`)))) return false
      const r = await run(['vtysh', '--vty_socket', dir, '--config_dir', dir, '-c', 'show bgp neighbors json'], { timeoutMs: 5_000 })
      // vtysh exits 0 with a warning while a daemon's socket is not up yet; JSON means bgpd answered.
      return r.code === 0 && r.stdout.trim().startsWith('{') && !/is not running|failed to connect/i.test(r.stderr)
    },
    paths: async () => [...frrPathsOf(await vtysh('show bgp ipv4 unicast json detail')), ...frrPathsOf(await vtysh('show bgp ipv6 unicast json detail'))],
    neighbors: async () => frrNeighborsOf(await vtysh('show bgp neighbors json')),
  }
}

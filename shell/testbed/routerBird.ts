// BIRD 2 as a lab router: one bird process with its config, control socket and pid file in the router's
// folder; kernel protocols with `merge paths on` put equal BGP routes into the namespace's FIB as one
// multipath route. BIRD 2.0 has no JSON output: `birdc show route all` and `show protocols all` are read
// as text (the formats are BIRD 2.0's; the specs hold the readers to captured output).
import { join } from 'node:path'
import type { BfdTimers, Neighbor, NeighborState, RibPath, RouterConfig, RouterPlan, RouterQueries } from './router.js'
import { sessionState } from './router.js'
import { run } from './sys.js'

const isInternal = (c: RouterConfig, n: Neighbor): boolean => n.peerAs === 'internal' || n.peerAs === c.asn

const asClause = (n: Neighbor): string => (typeof n.peerAs === 'number' ? `as ${n.peerAs}` : n.peerAs)

const bfdLines = (b: BfdTimers): string => `min rx interval ${b.receiveMs} ms; min tx interval ${b.transmitMs} ms; multiplier ${b.multiplier};`

/** One BFD setting for the whole router: BIRD 2.0 sets timers per interface, not per BGP neighbour. */
const bfdOf = (c: RouterConfig): BfdTimers | undefined => {
  const all = c.neighbors.flatMap((n) => (n.bfd === undefined ? [] : [n.bfd]))
  const first = all[0]
  if (first !== undefined && all.some((b) => JSON.stringify(b) !== JSON.stringify(first)))
    throw new Error('neighbors[].bfd: BIRD takes one BFD timer setting per router; the neighbours ask for different ones')
  return first
}

export const birdConf = (c: RouterConfig): string => {
  const merge = c.ecmp === false ? 'off' : 'on'
  const bfd = bfdOf(c)
  const lines = [
    'log stderr all;',
    `router id ${c.routerId};`,
    'protocol device {}',
    `protocol kernel { ipv4 { import none; export all; }; merge paths ${merge}; }`,
    `protocol kernel { ipv6 { import none; export all; }; merge paths ${merge}; }`,
    ...(bfd === undefined ? [] : [`protocol bfd { interface "*" { ${bfdLines(bfd)} }; multihop { ${bfdLines(bfd)} }; }`]),
  ]
  c.neighbors.forEach((n, i) => {
    // BIRD takes an iBGP session as multihop, its next hops resolved recursively through routes this
    // router does not have: a directly connected iBGP peer is `direct`, its next hop on the link.
    const directIbgp = isInternal(c, n) && n.multihop === undefined
    const gateway = directIbgp ? ' gateway direct;' : ''
    lines.push(
      `protocol bgp n${i} {`,
      `  local as ${c.asn};`,
      'address' in n.peer ? `  neighbor ${n.peer.address} ${asClause(n)};` : `  neighbor range ${n.peer.range} ${asClause(n)};`,
      ...(n.password === undefined ? [] : [`  password "${n.password}";`]),
      // Peers in the lab start together: BIRD's defaults (120 s between attempts, 60 s idle after an
      // error) would turn one refused first attempt into minutes of waiting.
      '  connect retry time 5;',
      '  error wait time 1, 10;',
      ...(n.bfd === undefined ? [] : ['  bfd on;']),
      ...(n.multihop === undefined ? [] : [`  multihop ${n.multihop};`]),
      ...(directIbgp ? ['  direct;'] : []),
      ...(n.passive === true ? ['  passive on;'] : []),
      `  ipv4 { import all; export none;${gateway} };`,
      `  ipv6 { import all; export none;${gateway} };`,
      '}',
    )
  })
  return `${lines.join('\n')}\n`
}

export const birdPlan = (c: RouterConfig, dir: string): RouterPlan => ({
  files: [{ name: 'bird.conf', text: birdConf(c) }],
  daemons: [{ name: 'bird', argv: ['bird', '-f', '-c', join(dir, 'bird.conf'), '-s', join(dir, 'bird.ctl'), '-P', join(dir, 'bird.pid')] }],
})

interface BirdProtocol {
  readonly name: string
  readonly address?: string
  readonly remoteAs?: number
  readonly state: string
}

/** `birdc show protocols all`: the BGP protocols that have a neighbour address (a range's template has none). */
export const birdProtocolsOf = (text: string): BirdProtocol[] => {
  const out: { name: string; bgp: boolean; address?: string; remoteAs?: number; state: string }[] = []
  for (const line of text.split('\n')) {
    const head = /^(\S+)\s+(\S+)\s+\S+\s+\S+\s+\S+/.exec(line)
    if (head !== null && !line.startsWith('BIRD') && head[1] !== 'Name') {
      out.push({ name: head[1] ?? '', bgp: head[2] === 'BGP', state: '' })
      continue
    }
    const cur = out[out.length - 1]
    if (cur === undefined) continue
    const kv = /^\s+(BGP state|Neighbor address|Neighbor AS):\s+(\S+)/.exec(line)
    if (kv === null) continue
    if (kv[1] === 'BGP state') cur.state = kv[2] ?? ''
    else if (kv[1] === 'Neighbor address') cur.address = kv[2] ?? ''
    else cur.remoteAs = Number(kv[2])
  }
  return out.filter((p) => p.bgp && p.address !== undefined)
}

export const birdNeighborsOf = (protocols: readonly BirdProtocol[]): NeighborState[] =>
  protocols
    .map((p) => ({ address: p.address ?? '', remoteAs: p.remoteAs === 0 ? undefined : p.remoteAs, state: sessionState(p.state), raw: p.state }))
    .sort((a, b) => (a.address < b.address ? -1 : 1))

interface Draft {
  prefix: string
  proto: string
  nexthop?: string
  asPath: number[]
  communities: string[]
  largeCommunities: string[]
  localPref?: number
  med?: number
}

const tuples = (text: string): string[][] => [...text.matchAll(/\(([^)]*)\)/g)].map((m) => (m[1] ?? '').split(',').map((x) => x.trim()))

/** Applies one `\tBGP.x: value` line to the path being read. */
const attribute = (d: Draft, key: string, value: string): void => {
  if (key === 'as_path') d.asPath = [...value.matchAll(/\d+/g)].map((m) => Number(m[0]))
  else if (key === 'next_hop') d.nexthop = value.split(/\s+/)[0] ?? ''
  else if (key === 'local_pref') d.localPref = Number(value)
  else if (key === 'med') d.med = Number(value)
  else if (key === 'community') d.communities = tuples(value).map((t) => t.join(':'))
  else if (key === 'large_community') d.largeCommunities = tuples(value).map((t) => t.join(':'))
}

/** `birdc show route all`: every BGP path, its neighbour named by protocol (see birdPathsFrom). */
export const birdDraftsOf = (text: string): Draft[] => {
  const drafts: Draft[] = []
  let prefix = ''
  for (const line of text.split('\n')) {
    // A route's first path starts with its prefix; further paths of the same prefix start with spaces.
    const path = /^(\S+)?\s+\S+\s+\[(\S+)\s/.exec(line)
    if (path !== null && !line.startsWith('\t') && !line.startsWith('Table') && !line.startsWith('BIRD')) {
      if (path[1] !== undefined) prefix = path[1]
      drafts.push({ prefix, proto: path[2] ?? '', asPath: [], communities: [], largeCommunities: [] })
      continue
    }
    const attr = /^\tBGP\.(\w+):\s?(.*)$/.exec(line)
    const cur = drafts[drafts.length - 1]
    if (attr !== null && cur !== undefined) attribute(cur, attr[1] ?? '', (attr[2] ?? '').trim())
  }
  return drafts
}

export const birdPathsFrom = (drafts: readonly Draft[], protocols: readonly BirdProtocol[]): RibPath[] => {
  const addressOf = new Map(protocols.map((p) => [p.name, p.address ?? '']))
  return drafts.flatMap((d) =>
    d.nexthop === undefined || !addressOf.has(d.proto)
      ? []
      : [
          {
            prefix: d.prefix,
            nexthop: d.nexthop,
            asPath: d.asPath,
            communities: d.communities,
            largeCommunities: d.largeCommunities,
            ...(d.localPref === undefined ? {} : { localPref: d.localPref }),
            ...(d.med === undefined ? {} : { med: d.med }),
            from: addressOf.get(d.proto) ?? '',
          },
        ],
  )
}

export const birdQueries = (_ns: string, dir: string): RouterQueries => {
  const birdc = async (...cmd: string[]): Promise<string> => {
    const r = await run(['birdc', '-s', join(dir, 'bird.ctl'), ...cmd], { timeoutMs: 10_000 })
    if (r.code !== 0) throw new Error(`birdc ${cmd.join(' ')} failed (${r.code ?? 'no exit code'}): ${(r.stderr + r.stdout).trim().slice(0, 500)}`)
    return r.stdout
  }
  const protocols = async (): Promise<BirdProtocol[]> => birdProtocolsOf(await birdc('show', 'protocols', 'all'))
  return {
    ready: async () => (await run(['birdc', '-s', join(dir, 'bird.ctl'), 'show', 'status'], { timeoutMs: 5_000 })).stdout.includes('Daemon is up and running'),
    paths: async () => {
      const protos = await protocols()
      return birdPathsFrom(birdDraftsOf(await birdc('show', 'route', 'all')), protos)
    },
    neighbors: async () => birdNeighborsOf(await protocols()),
  }
}

// The lab's wires, built with the shared harness (shell/testbed/netns.ts): the bridge in the switch
// namespace, a veth per host link, addresses, the sysctls each host role needs, and the faults (cut link,
// partition, packet loss). Every command names a lab namespace: nothing is added to the machine's own.
// Partitions move bridge ports onto other bridges in the switch namespace (this kernel has no bridge
// VLAN filtering); loss is an nftables bridge rule in the switch namespace (it has no sch_netem), so it
// drops ARP and NDP too, as a bad cable would.
import { addAddress, addBridge, addVeth, namespacesNamed, setMaster, sysctl } from '../testbed/netns.js'
import { inNs, mustRun, run, sleep } from '../testbed/sys.js'
import { edgeOf, hostOrThrow, lanOf, namespaceOf, NS_PREFIX, type Topology } from './topology.js'

/** The IPVS dummy of kube-proxy. This kernel has no `dummy` driver: an `ifb` is the same for our use
 * (an up, NOARP device that only holds local addresses). */
export const IPVS_IFNAME = 'kube-ipvs0'

const nsOf = (topo: Topology, host: string): string => namespaceOf(topo.id, host)

export const labNamespaces = (topo: Topology): string[] => [nsOf(topo, topo.switchHost), ...topo.hosts.map((h) => nsOf(topo, h.name))]

/** Namespaces of lab `id` that exist now (whatever state.json says). */
export const existingNamespaces = (id: string): string[] => namespacesNamed(`${NS_PREFIX}${id}-`)

// Every host: addresses usable at once (no DAD), no router discovery noise, IPv6 addresses kept while a
// link is down (so `heal` needs no re-addressing).
const HOST_SYSCTLS = [
  'net.ipv6.conf.all.accept_dad=0',
  'net.ipv6.conf.default.accept_dad=0',
  'net.ipv6.conf.all.accept_ra=0',
  'net.ipv6.conf.default.accept_ra=0',
  'net.ipv6.conf.all.router_solicitations=0',
  'net.ipv6.conf.default.router_solicitations=0',
  'net.ipv6.conf.all.keep_addr_on_down=1',
  'net.ipv6.conf.default.keep_addr_on_down=1',
]

// kube-proxy's IPVS mode with strictARP: reply to ARP only for addresses on the receiving interface
// (arp_ignore=1), and never source ARP from an address on another interface (arp_announce=2). The
// kernel takes the larger of `all` and the interface's value, so both are set.
const NODE_ARP_SYSCTLS = [
  'net.ipv4.conf.all.arp_ignore=1',
  'net.ipv4.conf.all.arp_announce=2',
  'net.ipv4.conf.default.arp_ignore=1',
  'net.ipv4.conf.default.arp_announce=2',
]
const ifArpSysctls = (ifname: string): string[] => [`net.ipv4.conf.${ifname}.arp_ignore=1`, `net.ipv4.conf.${ifname}.arp_announce=2`]

/** Everything but the namespaces themselves (made first, by the caller, who records them). */
export const wire = async (topo: Topology): Promise<void> => {
  const sw = nsOf(topo, topo.switchHost)
  // The switch has no addresses and speaks no IPv6 itself (no link-local, no MLD from the bridge).
  await sysctl(sw, ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'])
  for (const seg of topo.segments) await addBridge(sw, seg.bridge)
  for (const host of topo.hosts) {
    const ns = nsOf(topo, host.name)
    await sysctl(ns, HOST_SYSCTLS)
    if (host.kind === 'node') await sysctl(ns, NODE_ARP_SYSCTLS)
    for (const link of host.links) {
      const seg = topo.segments.find((s) => s.name === link.segment)
      if (seg === undefined) throw new Error(`${host.name}: no segment ${link.segment}`)
      // Made from inside the switch namespace, the peer created straight into the host's.
      await addVeth({ ns: sw, ifname: link.port }, { ns, ifname: link.ifname, mac: link.mac })
      await setMaster(sw, link.port, seg.bridge)
      if (host.kind === 'node') await sysctl(ns, ifArpSysctls(link.ifname))
      await addAddress(ns, link.ifname, `${link.v4}/${link.v4Len}`)
      await addAddress(ns, link.ifname, `${link.v6}/${link.v6Len}`)
    }
    if (host.kind === 'node') {
      await mustRun(['ip', '-n', ns, 'link', 'add', IPVS_IFNAME, 'type', 'ifb'])
      await mustRun(['ip', '-n', ns, 'link', 'set', IPVS_IFNAME, 'up'])
    }
  }
  if (topo.hosts.some((h) => h.kind === 'router')) await routeThroughRouter(topo)
}

// ECMP by flow (addresses and ports): with the default (addresses only) every connection from the one
// client to a Service IP would take the same node.
const ROUTER_SYSCTLS = [
  'net.ipv4.ip_forward=1',
  'net.ipv6.conf.all.forwarding=1',
  'net.ipv6.conf.default.forwarding=1',
  'net.ipv4.fib_multipath_hash_policy=1',
  'net.ipv6.fib_multipath_hash_policy=1',
]

/**
 * A router lab's routes: the router forwards; the client's default route goes through the router's edge
 * address, and the nodes reach the edge through its LAN address (their answers to the client go back the
 * way the client's packets came).
 */
const routeThroughRouter = async (topo: Topology): Promise<void> => {
  const router = hostOrThrow(topo, 'router')
  const edge = edgeOf(router)
  const edgeSegment = topo.segments.find((s) => s.name === edge?.segment)
  if (edge === undefined || edgeSegment === undefined) throw new Error('the router has no edge link')
  await sysctl(nsOf(topo, 'router'), ROUTER_SYSCTLS)
  const client = nsOf(topo, 'client')
  await mustRun(['ip', '-n', client, 'route', 'add', 'default', 'via', edge.v4])
  await mustRun(['ip', '-6', '-n', client, 'route', 'add', 'default', 'via', edge.v6])
  const lan = lanOf(router)
  for (const node of topo.nodes) {
    await mustRun(['ip', '-n', nsOf(topo, node), 'route', 'add', edgeSegment.v4Prefix, 'via', lan.v4])
    await mustRun(['ip', '-6', '-n', nsOf(topo, node), 'route', 'add', edgeSegment.v6Prefix, 'via', lan.v6])
  }
}

/** Polls (bounded, and stopped by `signal`) until `probe` passes, e.g. an address answering. */
export const waitFor = async (what: string, timeoutMs: number, probe: () => Promise<boolean>, signal?: AbortSignal): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (signal?.aborted === true) throw new Error('interrupted')
    if (await probe()) return
    if (Date.now() >= deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await sleep(200)
  }
}

// ---- faults ----------------------------------------------------------------------------------------------

/** Sets the bridge side of the host's LAN veth down or up: no frame in or out of its eth0 while down. */
export const setLink = async (topo: Topology, host: string, up: boolean): Promise<void> => {
  const link = lanOf(hostOrThrow(topo, host))
  await mustRun(['ip', '-n', nsOf(topo, topo.switchHost), 'link', 'set', link.port, up ? 'up' : 'down'])
}

export const linkIsUp = async (topo: Topology, host: string): Promise<boolean> => {
  const link = lanOf(hostOrThrow(topo, host))
  const out = await run(['ip', '-n', nsOf(topo, topo.switchHost), '-o', 'link', 'show', link.port])
  return out.code === 0 && /[<,]UP[,>]/.test(out.stdout)
}

const partitionBridge = (i: number): string => `br-part${i + 1}`

/**
 * Splits the LAN: each side (a list of hosts) gets a bridge of its own; hosts named nowhere stay on the
 * LAN bridge. Replaces any earlier partition.
 */
export const partition = async (topo: Topology, sides: readonly (readonly string[])[]): Promise<void> => {
  const seen = new Set<string>()
  for (const side of sides)
    for (const h of side) {
      hostOrThrow(topo, h)
      if (seen.has(h)) throw new Error(`${h} is named on two sides`)
      seen.add(h)
    }
  await unpartition(topo)
  const sw = nsOf(topo, topo.switchHost)
  for (const [i, side] of sides.entries()) {
    await addBridge(sw, partitionBridge(i), side.map((h) => lanOf(hostOrThrow(topo, h)).port))
  }
}

/** Every host back on the LAN bridge; the partition bridges removed. Idempotent. */
export const unpartition = async (topo: Topology): Promise<void> => {
  const sw = nsOf(topo, topo.switchHost)
  const lan = topo.segments[0]
  if (lan === undefined) return
  for (const host of topo.hosts) await setMaster(sw, lanOf(host).port, lan.bridge)
  const links = await mustRun(['ip', '-n', sw, '-o', 'link', 'show', 'type', 'bridge'])
  for (const m of links.matchAll(/^\d+: (br-part\d+)[:@]/gm)) if (m[1] !== undefined) await mustRun(['ip', '-n', sw, 'link', 'del', m[1]])
}

const LOSS_TABLE = 'ironlb_lab_loss'

/**
 * Random loss on every frame to and from the host's LAN port, as nftables rules in the switch
 * namespace (`numgen random`). `loss` maps host to per cent; an empty map removes the table.
 */
export const setLoss = async (topo: Topology, loss: Readonly<Record<string, number>>): Promise<void> => {
  const sw = nsOf(topo, topo.switchHost)
  const rules: string[] = []
  for (const [host, pct] of Object.entries(loss)) {
    if (!(pct > 0 && pct <= 100)) throw new Error(`loss for ${host} must be in (0, 100], not ${pct}`)
    const port = lanOf(hostOrThrow(topo, host)).port
    // In tenths of a per cent, so 0.5% works; 100% is a plain drop (numgen's range ends at 999).
    const cut = Math.round(pct * 10)
    const draw = cut >= 1000 ? '' : ` numgen random mod 1000 < ${cut}`
    rules.push(`    iifname "${port}"${draw} drop`, `    oifname "${port}"${draw} drop`)
  }
  await run(inNs(sw, ['nft', 'delete', 'table', 'bridge', LOSS_TABLE]))
  if (rules.length === 0) return
  const script = [
    `table bridge ${LOSS_TABLE} {`,
    '  chain forward {',
    '    type filter hook forward priority 0; policy accept;',
    ...rules,
    '  }',
    '}',
    '',
  ].join('\n')
  await mustRun(inNs(sw, ['nft', '-f', '-']), { stdin: script })
}

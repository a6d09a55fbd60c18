// The one network-namespace harness of the lab and the netns/e2e specs: namespaces, veth pairs, bridges and
// addresses. Every command names a namespace (`ip -n`, `ip netns exec`): a link is created from inside one
// namespace with its peer sent straight into another, so nothing is ever added to the machine's own
// namespace, and only documentation addresses (RFC 5737, RFC 3849) are put on an interface. Who owns a
// namespace and when it goes is the caller's: the lab records its namespaces in its state folder, a spec's
// namespaces go with the spec (specs/support/netns.ts).
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { inNs, mustRun } from './sys.js'

// RFC 5737 (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) and RFC 3849 (2001:db8::/32).
const DOC_V4 = /^(192\.0\.2|198\.51\.100|203\.0\.113)\.(25[0-5]|2[0-4]\d|1?\d?\d)$/
const DOC_V6 = /^2001:0?db8(:|$)/i

/** Only documentation addresses are ever put on a lab interface. */
export const isDocumentationAddress = (ip: string): boolean => DOC_V4.test(ip) || (ip.includes(':') && DOC_V6.test(ip))

export const namespaceExists = (ns: string): boolean => existsSync(`/run/netns/${ns}`) || existsSync(`/var/run/netns/${ns}`)

/** Namespaces whose names start with `prefix` that exist now. */
export const namespacesNamed = (prefix: string): string[] =>
  execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n !== '' && n.startsWith(prefix))

/** Creates one namespace (an existing one is reused) with loopback up. */
export const makeNamespace = async (ns: string): Promise<void> => {
  if (!namespaceExists(ns)) await mustRun(['ip', 'netns', 'add', ns])
  await mustRun(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
}

/**
 * Deletes a namespace and with it every link, bridge and nftables rule in it; true when it is gone. It does
 * not end processes inside: the caller ends them first. Synchronous, so exit handlers can call it.
 */
export const deleteNamespace = (ns: string): boolean => {
  try {
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: 15_000 })
  } catch {
    // Already gone, or busy: the answer below says which.
  }
  return !namespaceExists(ns)
}

/** Applies sysctls inside `ns` (`sysctl -qw`). */
export const sysctl = (ns: string, settings: readonly string[]): Promise<string> => mustRun(inNs(ns, ['sysctl', '-qw', ...settings]))

export interface VethEnd {
  readonly ns: string
  readonly ifname: string
  readonly mac?: string
}

/** A veth pair created from inside `a.ns` with its peer sent into `b.ns` (never the machine's namespace); MACs set, both ends up. */
export const addVeth = async (a: VethEnd, b: VethEnd): Promise<void> => {
  await mustRun(['ip', '-n', a.ns, 'link', 'add', a.ifname, 'type', 'veth', 'peer', 'name', b.ifname, 'netns', b.ns])
  for (const end of [a, b]) {
    if (end.mac !== undefined) await mustRun(['ip', '-n', end.ns, 'link', 'set', end.ifname, 'address', end.mac])
    await mustRun(['ip', '-n', end.ns, 'link', 'set', end.ifname, 'up'])
  }
}

/**
 * A bridge in `ns`, up, with the given ports. No multicast snooping: a lab has no MLD querier, and snooping
 * would then drop NDP to solicited-node groups some of the time. STP is off by default: ports forward at once.
 */
export const addBridge = async (ns: string, name: string, ports: readonly string[] = []): Promise<void> => {
  await mustRun(['ip', '-n', ns, 'link', 'add', name, 'type', 'bridge', 'mcast_snooping', '0'])
  for (const port of ports) await setMaster(ns, port, name)
  await mustRun(['ip', '-n', ns, 'link', 'set', name, 'up'])
}

/** Moves a port onto a bridge (from any other it was on). */
export const setMaster = async (ns: string, port: string, bridge: string): Promise<void> => {
  await mustRun(['ip', '-n', ns, 'link', 'set', port, 'master', bridge])
}

/** Adds `ip` or `ip/len` to an interface inside `ns`; refuses anything but a documentation address. IPv6 without DAD (usable at once). */
export const addAddress = async (ns: string, ifname: string, cidr: string): Promise<void> => {
  const [ip = '', len, ...rest] = cidr.split('/')
  if (!isDocumentationAddress(ip)) throw new Error(`${cidr} is not a documentation address`)
  if (rest.length > 0 || (len !== undefined && !(/^\d{1,3}$/.test(len) && Number(len) <= (ip.includes(':') ? 128 : 32))))
    throw new Error(`${cidr}: not an address with an optional prefix length`)
  await mustRun(['ip', '-n', ns, 'addr', 'add', cidr, 'dev', ifname, ...(ip.includes(':') ? ['nodad'] : [])])
}

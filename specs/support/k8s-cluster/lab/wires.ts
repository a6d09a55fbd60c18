// The lab cluster's wires: a `lan` namespace holding the bridge, and infra, each node and the client with
// an eth0 on it (documentation addresses only, through the spec harness's Lab). Nodes forward (Pods,
// kube-proxy's DNAT) and route the Service range toward infra; once a node has its podCIDR, every other node and infra route it via that node.
import type { Lab } from '../../netns.js'
import { CLIENT_IP, CLIENT_IP6, INFRA_IP, INFRA_IP6, LAN6_PREFIX_LEN, LAN_PREFIX_LEN, SERVICE_CIDR, SERVICE_CIDR6, type NodePlan } from './plan.js'

export interface Wires {
  /** The bridge's namespace: node N's cable is its port `p-<name>` there. */
  readonly lan: string
  readonly infra: string
  readonly client: string
  readonly nodes: ReadonlyMap<string, string>
}

export const wireUp = async (lab: Lab, nodes: readonly NodePlan[]): Promise<Wires> => {
  const lan = await lab.namespace('lan')
  const hosts: [string, string, string][] = [
    ['infra', INFRA_IP, INFRA_IP6],
    ...nodes.map((n): [string, string, string] => [n.name, n.ip, n.ip6]),
    ['client', CLIENT_IP, CLIENT_IP6],
  ]
  const names = new Map<string, string>()
  for (const [role, ip, ip6] of hosts) {
    const ns = await lab.namespace(role)
    names.set(role, ns)
    await lab.veth({ ns, ifname: 'eth0' }, { ns: lan, ifname: `p-${role}` })
    await lab.address(ns, 'eth0', `${ip}/${LAN_PREFIX_LEN}`)
    await lab.address(ns, 'eth0', `${ip6}/${LAN6_PREFIX_LEN}`)
  }
  await lab.bridge(lan, 'br0', hosts.map(([role]) => `p-${role}`))
  for (const n of nodes) {
    const ns = names.get(n.name) ?? ''
    await lab.exec(ns, ['sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1'])
    // No default route in the lab: a node's own connections to a ClusterIP need a route before kube-proxy's DNAT rewrites them.
    await lab.exec(ns, ['ip', 'route', 'add', SERVICE_CIDR, 'via', INFRA_IP])
    await lab.exec(ns, ['ip', '-6', 'route', 'add', SERVICE_CIDR6, 'via', INFRA_IP6])
  }
  return { lan, infra: names.get('infra') ?? '', client: names.get('client') ?? '', nodes: new Map(nodes.map((n) => [n.name, names.get(n.name) ?? ''])) }
}

/** Each of the node's `podCidrs` (one per family) via the node's address of that family, in infra and every other node. */
export const routePods = async (lab: Lab, wires: Wires, node: NodePlan, podCidrs: readonly string[]): Promise<void> => {
  const others = [wires.infra, ...[...wires.nodes].filter(([name]) => name !== node.name).map(([, ns]) => ns)]
  for (const cidr of podCidrs)
    for (const ns of others) {
      const via = cidr.includes(':') ? node.ip6 : node.ip
      const r = await lab.exec(ns, ['ip', 'route', 'replace', cidr, 'via', via])
      if (r.code !== 0) throw new Error(`route ${cidr} via ${via} in ${ns}: ${r.stderr.trim()}`)
    }
}

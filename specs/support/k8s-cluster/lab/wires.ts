// The lab cluster's wires: a `lan` namespace holding the bridge, and infra, each node and the client with
// an eth0 on it (documentation addresses only, through the spec harness's Lab). Nodes forward (Pods,
// kube-proxy's DNAT) and route the Service range toward infra; once a node has its podCIDR, every other node and infra route it via that node.
import type { Lab } from '../../netns.js'
import { CLIENT_IP, INFRA_IP, LAN_PREFIX_LEN, SERVICE_CIDR, type NodePlan } from './plan.js'

export interface Wires {
  readonly infra: string
  readonly client: string
  readonly nodes: ReadonlyMap<string, string>
}

export const wireUp = async (lab: Lab, nodes: readonly NodePlan[]): Promise<Wires> => {
  const lan = await lab.namespace('lan')
  const hosts: [string, string][] = [
    ['infra', INFRA_IP],
    ...nodes.map((n): [string, string] => [n.name, n.ip]),
    ['client', CLIENT_IP],
  ]
  const names = new Map<string, string>()
  for (const [role, ip] of hosts) {
    const ns = await lab.namespace(role)
    names.set(role, ns)
    await lab.veth({ ns, ifname: 'eth0' }, { ns: lan, ifname: `p-${role}` })
    await lab.address(ns, 'eth0', `${ip}/${LAN_PREFIX_LEN}`)
  }
  await lab.bridge(lan, 'br0', hosts.map(([role]) => `p-${role}`))
  for (const n of nodes) {
    const ns = names.get(n.name) ?? ''
    await lab.exec(ns, ['sysctl', '-qw', 'net.ipv4.ip_forward=1'])
    // No default route in the lab: a node's own connections to a ClusterIP need a route before kube-proxy's DNAT rewrites them.
    await lab.exec(ns, ['ip', 'route', 'add', SERVICE_CIDR, 'via', INFRA_IP])
  }
  return { infra: names.get('infra') ?? '', client: names.get('client') ?? '', nodes: new Map(nodes.map((n) => [n.name, names.get(n.name) ?? ''])) }
}

/** `podCidr` via `node` in infra and every other node. */
export const routePods = async (lab: Lab, wires: Wires, node: NodePlan, podCidr: string): Promise<void> => {
  const others = [wires.infra, ...[...wires.nodes].filter(([name]) => name !== node.name).map(([, ns]) => ns)]
  for (const ns of others) {
    const r = await lab.exec(ns, ['ip', 'route', 'replace', podCidr, 'via', node.ip])
    if (r.code !== 0) throw new Error(`route ${podCidr} via ${node.ip} in ${ns}: ${r.stderr.trim()}`)
  }
}

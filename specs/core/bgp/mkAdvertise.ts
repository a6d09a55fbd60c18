// Builders for the BGP advertisement specs: MetalLB objects and cluster objects as YAML would hold
// them, decoded through the real decoders (core/config, core/cluster), and a one-line rendering of
// the node plan so table rows read like what the speaker would send.
import { whatShouldNodeAdvertise, type BgpNodePlan } from '../../../core/bgp/advertise.js'
import { decodeClusterObjects } from '../../../core/cluster/decodeCluster.js'
import { buildConfig } from '../../../core/config/buildConfig.js'
import { assignedFromIngress } from '../../../core/l2/assigned.js'
import { asNodeName } from '../../../core/model/names.js'
import { formatCommunity } from '../../../core/model/community.js'
import { formatIP } from '../../../core/net/address.js'
import { formatPrefix } from '../../../core/net/prefix.js'
import type { Route } from '../../../core/bgp/route.js'

export const NS = 'metallb-system'

type Obj = Record<string, unknown> & { kind: string }

export const mkNode = (name: string, labels: Record<string, string> = {}, networkUnavailable = false): Obj => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
  status: networkUnavailable ? { conditions: [{ type: 'NetworkUnavailable', status: 'True' }] } : {},
})

export const mkPool = (name: string, addresses: readonly string[], labels: Record<string, string> = {}): Obj => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name, namespace: NS, labels },
  spec: { addresses },
})

export const mkBgpAd = (name: string, spec: Record<string, unknown> = {}): Obj => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'BGPAdvertisement',
  metadata: { name, namespace: NS },
  spec,
})

export const mkPeer = (name: string, spec: Record<string, unknown>): Obj => ({
  apiVersion: 'metallb.io/v1beta2',
  kind: 'BGPPeer',
  metadata: { name, namespace: NS },
  spec: { myASN: 64500, ...spec },
})

export const mkCommunity = (name: string, aliases: Record<string, string>): Obj => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'Community',
  metadata: { name, namespace: NS },
  spec: { communities: Object.entries(aliases).map(([n, value]) => ({ name: n, value })) },
})

export interface SvcOpts {
  readonly ips?: readonly string[]
  readonly type?: string
  readonly local?: boolean
  readonly lbClass?: string
  readonly labels?: Record<string, string>
}

export const mkService = (name: string, o: SvcOpts = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default', labels: o.labels ?? {} },
  spec: {
    type: o.type ?? 'LoadBalancer',
    ports: [{ port: 80 }],
    externalTrafficPolicy: o.local === true ? 'Local' : 'Cluster',
    ...(o.lbClass === undefined ? {} : { loadBalancerClass: o.lbClass }),
  },
  status: { loadBalancer: { ingress: (o.ips ?? []).map((ip) => ({ ip })) } },
})

/** A ready endpoint on each node named (none: a Service whose endpoints all run nowhere known). */
export const mkSlice = (service: string, nodes: readonly string[], ready = true): Obj => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${service}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  endpoints: nodes.map((n) => ({ addresses: ['10.244.0.1'], nodeName: n, conditions: { ready } })),
})

const CLUSTER_KINDS = ['Node', 'Service', 'EndpointSlice']

/** The node plan for `node` from raw objects; throws when the MetalLB objects are invalid (a spec bug). */
export const planFor = (node: string, objects: readonly Obj[], lbClass?: string): BgpNodePlan => {
  const config = buildConfig(
    objects.filter((o) => !CLUSTER_KINDS.includes(o.kind)),
    { namespace: NS },
  )
  if (config._tag === 'Invalid') throw new Error(`spec objects invalid: ${JSON.stringify(config.errors)}`)
  const cluster = decodeClusterObjects(objects.filter((o) => CLUSTER_KINDS.includes(o.kind)))
  return whatShouldNodeAdvertise(asNodeName(node), {
    config: config.config,
    services: cluster.services,
    assigned: assignedFromIngress(cluster.services),
    nodes: cluster.nodes,
    endpointSlices: cluster.endpointSlices,
    loadBalancerClass: lbClass,
  })
}

export const showRoute = (r: Route): string => {
  const attrs = [
    ...[...r.communities, ...r.largeCommunities].map(formatCommunity),
    ...(r.localPref === undefined ? [] : [`lp=${r.localPref}`]),
    ...(r.prepend === undefined ? [] : [`prepend=${r.prepend.count}x${r.prepend.asn}`]),
  ]
  return attrs.length === 0 ? formatPrefix(r.prefix) : `${formatPrefix(r.prefix)} [${attrs.join(' ')}]`
}

/** "service ip -> peer: route" for every route, "service ip -/-> peer: Reason" for every reason. */
export const showPlan = (plan: BgpNodePlan): string[] => [
  ...plan.advertised.map((a) => `${a.service} ${formatIP(a.ip)} -> ${a.peer}: ${showRoute(a.route)}`),
  ...plan.skipped.map((s) => `${s.service} ${s.ip === undefined ? '-' : formatIP(s.ip)} -/-> ${s.peer}: ${s.reason}`),
]

// Builders for Layer 2 specs: Nodes, L2Advertisements, EndpointSlices and a whole L2Input, with
// defaults for everything a spec does not care about, plus a compact text form of both views.
import type { L2Advertisement, PreferredNodeSelector } from '../../../core/model/advertisement.js'
import type { Endpoint, EndpointSlice } from '../../../core/model/endpoints.js'
import { type NodeName, asNodeName, asPoolName, serviceKey } from '../../../core/model/names.js'
import { EXCLUDE_FROM_LB_LABEL, type Node } from '../../../core/model/node.js'
import type { Pool } from '../../../core/model/pool.js'
import type { LabelSelector } from '../../../core/model/selector.js'
import type { Service } from '../../../core/model/service.js'
import { formatIP } from '../../../core/net/address.js'
import type { InterfaceChoice, L2Plan, NodeEntry } from '../../../core/l2/decision.js'
import type { L2Input } from '../../../core/l2/plan.js'
import { ip, mkPool, mkSelector, mkService } from '../alloc/mk.js'

export { ip, mkPool, mkSelector, mkService }

export const nn = (name: string): NodeName => asNodeName(name)

export interface NodeOpts {
  readonly labels?: Record<string, string>
  readonly networkUnavailable?: boolean
  readonly excluded?: boolean
}

export const mkNode = (name: string, o: NodeOpts = {}): Node => {
  const labels = { ...(o.labels ?? {}), ...(o.excluded === true ? { [EXCLUDE_FROM_LB_LABEL]: '' } : {}) }
  return { name: nn(name), labels, networkUnavailable: o.networkUnavailable ?? false, excludedFromLoadBalancers: o.excluded === true }
}

export interface AdOpts {
  readonly pools?: readonly string[]
  readonly nodeSelectors?: readonly LabelSelector[]
  readonly interfaces?: readonly string[]
  readonly serviceSelectors?: readonly LabelSelector[]
  readonly preferred?: readonly PreferredNodeSelector[]
}

export const mkAd = (name: string, o: AdOpts = {}): L2Advertisement => ({
  name,
  pools: (o.pools ?? ['p']).map(asPoolName),
  nodeSelectors: o.nodeSelectors ?? [],
  interfaces: o.interfaces ?? [],
  serviceSelectors: o.serviceSelectors ?? [],
  preferredNodeSelectors: o.preferred ?? [],
})

export const prefer = (weight: number, labels: Record<string, string>): PreferredNodeSelector => ({ weight, preference: mkSelector(labels) })

export interface EndpointOpts {
  readonly node?: string
  readonly ready?: boolean
  readonly serving?: boolean
  readonly terminating?: boolean
}

export const mkEndpoint = (o: EndpointOpts = {}): Endpoint => {
  const ready = o.ready ?? true
  return { addresses: ['10.244.0.1'], nodeName: o.node === undefined ? undefined : nn(o.node), ready, serving: o.serving ?? ready, terminating: o.terminating ?? false }
}

/** A slice for Service `svc` ("ns/name" or a name in default) with these endpoints. */
export const mkSlice = (svc: string, endpoints: readonly Endpoint[], name = `${svc.replace('/', '-')}-x`): EndpointSlice => {
  const [ns, n] = svc.includes('/') ? (svc.split('/') as [string, string]) : ['default', svc]
  return { namespace: ns, name, service: serviceKey(ns, n), endpoints }
}

/** One ready endpoint on each named node. */
export const servedOn = (svc: string, ...nodes: string[]): EndpointSlice => mkSlice(svc, nodes.map((node) => mkEndpoint({ node })))

export interface ClusterOpts {
  readonly pools?: readonly Pool[]
  readonly ads?: readonly L2Advertisement[]
  readonly nodes?: readonly Node[]
  readonly services?: readonly Service[]
  readonly slices?: readonly EndpointSlice[]
  /** Node names; every node when left out. */
  readonly live?: readonly string[]
  readonly loadBalancerClass?: string
  readonly ignoreExcludeLB?: boolean
}

export const DEFAULT_POOL = mkPool('p', ['10.0.0.0/24', 'fd00::/120'])

/** An input where each Service holds its `holds` IPs (ingressIPs), every node live by default. */
export const mkL2Input = (o: ClusterOpts): L2Input => {
  const nodes = o.nodes ?? []
  const services = o.services ?? []
  return {
    config: { pools: new Map((o.pools ?? [DEFAULT_POOL]).map((p) => [p.name, p])), l2Advertisements: o.ads ?? [] },
    services,
    assigned: new Map(services.filter((s) => s.ingressIPs.length > 0).map((s) => [s.key, s.ingressIPs])),
    nodes,
    endpointSlices: o.slices ?? [],
    live: new Set((o.live ?? nodes.map((n) => n.name)).map(nn)),
    loadBalancerClass: o.loadBalancerClass,
    ...(o.ignoreExcludeLB === undefined ? {} : { ignoreExcludeLB: o.ignoreExcludeLB }),
  }
}

export const showInterfaces = (i: InterfaceChoice): string => (i._tag === 'AllInterfaces' ? '*' : i.names.join('+'))

/** The cluster view as "ip -> node" lines (with "[ifs]" when not every interface) and "ip: Reason" lines. */
export const showPlan = (p: L2Plan): string[] => [
  ...p.announcements.map((a) => `${a.service} ${formatIP(a.ip)} -> ${a.node}${a.interfaces._tag === 'AllInterfaces' ? '' : ` [${showInterfaces(a.interfaces)}]`}`),
  ...p.skipped.map((s) => `${s.service} ${s.ip === undefined ? '-' : formatIP(s.ip)}: ${s.reason}`),
]

/** One node's view as "ip: Announce[ifs]" or "ip: Reason" lines. */
export const showNode = (entries: readonly NodeEntry[]): string[] =>
  entries.map((e) => `${e.service} ${e.ip === undefined ? '-' : formatIP(e.ip)}: ${e.decision._tag === 'Announce' ? `Announce[${showInterfaces(e.decision.interfaces)}]` : e.decision.reason}`)

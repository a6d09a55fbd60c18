// Small builders for allocation specs: Config, Pool, Service and Namespace values as the decoders
// would produce them, with defaults for everything a spec does not care about.
import * as E from 'fp-ts/lib/Either.js'
import type { AllocationConfig, AllocationInput, AllocationPlan, ServiceOutcome } from '../../../core/alloc/outcome.js'
import { asPoolName, serviceKey, type PoolName, type ServiceKey } from '../../../core/model/names.js'
import type { Pool, ServiceAllocation } from '../../../core/model/pool.js'
import type { LabelSelector } from '../../../core/model/selector.js'
import type { Namespace, Service } from '../../../core/model/service.js'
import { type IP, formatIP, parseIP } from '../../../core/net/address.js'
import { type AddressRange, parseAddressEntry } from '../../../core/net/range.js'

export const ip = (text: string): IP => {
  const r = parseIP(text)
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
}

export const range = (text: string): AddressRange => {
  const r = parseAddressEntry(text)
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
}

export const mkSelector = (matchLabels: Record<string, string>): LabelSelector => ({ matchLabels, matchExpressions: [] })

export const mkAllocation = (over: Partial<ServiceAllocation> = {}): ServiceAllocation => ({
  priority: 0,
  namespaces: [],
  namespaceSelectors: [],
  serviceSelectors: [],
  ...over,
})

export interface PoolOpts {
  readonly autoAssign?: boolean
  readonly avoidBuggyIPs?: boolean
  readonly serviceAllocation?: ServiceAllocation
}

export const mkPool = (name: string, addresses: readonly string[], opts: PoolOpts = {}): Pool => ({
  name: asPoolName(name),
  labels: {},
  ranges: addresses.map(range),
  autoAssign: opts.autoAssign ?? true,
  avoidBuggyIPs: opts.avoidBuggyIPs ?? false,
  serviceAllocation: opts.serviceAllocation,
})

export const mkConfig = (pools: readonly Pool[]): AllocationConfig => ({ pools: new Map(pools.map((p) => [p.name, p])) })

export interface ServiceOpts extends Partial<Omit<Service, 'key' | 'request' | 'ingressIPs' | 'pinnedPool'>> {
  readonly ns?: string
  /** Requested IPs, as text. */
  readonly want?: readonly string[]
  readonly invalid?: string
  readonly pool?: string
  /** Held ingress IPs, as text. */
  readonly holds?: readonly string[]
}

/** A single-stack IPv4 TCP/80 LoadBalancer Service by default. */
export const mkService = (name: string, o: ServiceOpts = {}): Service => {
  const namespace = o.ns ?? o.namespace ?? 'default'
  const { ns: _ns, want, invalid, pool, holds, ...rest } = o
  return {
    namespace,
    name,
    labels: {},
    type: 'LoadBalancer',
    loadBalancerClass: undefined,
    ipFamilies: [4],
    ipFamilyPolicy: 'SingleStack',
    clusterIPFamilies: [],
    ports: [{ protocol: 'TCP', port: 80 }],
    externalTrafficPolicy: 'Cluster',
    selector: { app: name },
    sharingKey: undefined,
    creationTimestamp: undefined,
    ...rest,
    key: serviceKey(namespace, name),
    request: invalid !== undefined ? { _tag: 'Invalid', message: invalid } : want !== undefined ? { _tag: 'Specific', ips: want.map(ip) } : { _tag: 'Any' },
    pinnedPool: pool === undefined ? undefined : asPoolName(pool),
    ingressIPs: (holds ?? []).map(ip),
  }
}

export const mkNamespace = (name: string, labels: Record<string, string> = {}): Namespace => ({ name, labels })

export const mkInput = (
  pools: readonly Pool[],
  services: readonly Service[],
  extra: { namespaces?: readonly Namespace[]; loadBalancerClass?: string } = {},
): AllocationInput => ({
  config: mkConfig(pools),
  services,
  namespaces: extra.namespaces ?? [],
  loadBalancerClass: extra.loadBalancerClass,
})

/** An outcome as plain text-friendly data, for example tables and failure messages. */
export type Shown =
  | { readonly assigned: readonly string[]; readonly pool: string }
  | { readonly pending: string; readonly message: string }
  | { readonly ignored: string; readonly message: string }

export const show = (o: ServiceOutcome | undefined): Shown | undefined => {
  if (o === undefined) return undefined
  switch (o._tag) {
    case 'Assigned':
      return { assigned: o.ips.map(formatIP), pool: o.pool }
    case 'Pending':
      return { pending: o.reason, message: o.message }
    case 'Ignored':
      return { ignored: o.reason, message: o.message }
  }
}

export const shownOf = (plan: AllocationPlan, key: string): Shown | undefined => show(plan.outcomes.get(key as ServiceKey))

/** The whole plan as plain data, sorted by key: what equality checks compare. */
export const flatPlan = (plan: AllocationPlan): { outcomes: [string, Shown | undefined][]; pools: AllocationPlan['pools'] } => ({
  outcomes: [...plan.outcomes].map(([k, o]): [string, Shown | undefined] => [k, show(o)]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  pools: plan.pools,
})

export const poolName = (name: string): PoolName => asPoolName(name)

// What the lab's stand-ins for kube-proxy and the EndpointSlice controller want, computed from the
// Services the API server holds. Pure: the agent (agent.ts) lists, calls these, and applies the plan.
//  - Every LoadBalancer ingress IP is bound on each node's kube-ipvs0, as kube-proxy's IPVS mode does,
//    whatever the Service's class or traffic policy; only documentation addresses, by the lab's rule.
//  - Every LoadBalancer Service gets one EndpointSlice per IP family with one endpoint per node (the
//    node's address, nodeName set, ready), unless the annotation `lab.ironlb.dev/endpoints` says
//    otherwise: "node2=notready,node3=absent" (states: ready, notready, terminating, absent), or "none"
//    for no lab-made slices at all (a test then writes its own).
import { isIP } from 'node:net'
import { isDocumentationAddress } from '../testbed/netns.js'

export const ENDPOINTS_ANNOTATION = 'lab.ironlb.dev/endpoints'
export const MANAGED_BY = 'lab.ironlb.dev'
const BACKEND_PORT = 80

interface SlimPort {
  readonly name: string
  readonly protocol: string
}

export interface SlimService {
  readonly namespace: string
  readonly name: string
  readonly uid: string
  readonly type: string
  readonly families: readonly ('IPv4' | 'IPv6')[]
  readonly ports: readonly SlimPort[]
  readonly ingressIPs: readonly string[]
  readonly annotations: Readonly<Record<string, string>>
}

const rec = (x: unknown): Record<string, unknown> => (typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : {})
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : [])
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined)

/** A tolerant decode of a Service as the API returns it; undefined when it has no name. */
export const slimService = (raw: unknown): SlimService | undefined => {
  const meta = rec(rec(raw)['metadata'])
  const spec = rec(rec(raw)['spec'])
  const name = str(meta['name'])
  const namespace = str(meta['namespace'])
  if (name === undefined || namespace === undefined) return undefined
  const families = arr(spec['ipFamilies']).filter((f): f is 'IPv4' | 'IPv6' => f === 'IPv4' || f === 'IPv6')
  const annotations: Record<string, string> = {}
  for (const [k, v] of Object.entries(rec(meta['annotations']))) if (typeof v === 'string') annotations[k] = v
  return {
    namespace,
    name,
    uid: str(meta['uid']) ?? '',
    type: str(spec['type']) ?? 'ClusterIP',
    families: families.length > 0 ? families : ['IPv4'],
    ports: arr(spec['ports']).map((p) => ({ name: str(rec(p)['name']) ?? '', protocol: str(rec(p)['protocol']) ?? 'TCP' })),
    ingressIPs: arr(rec(rec(rec(raw)['status'])['loadBalancer'])['ingress'])
      .map((i) => str(rec(i)['ip']))
      .filter((ip): ip is string => ip !== undefined),
    annotations,
  }
}

/** The canonical text of an address (IPv6 compressed, lower case), or undefined for a non-address. */
export const canonicalIP = (ip: string): string | undefined => {
  const v = isIP(ip)
  if (v === 4) return ip.split('.').map(Number).join('.')
  if (v === 6) return new URL(`http://[${ip}]/`).hostname.slice(1, -1)
  return undefined
}

type IPSkip = { readonly _tag: 'NotAnAddress' | 'NotDocumentationRange'; readonly ip: string; readonly service: string }

/** Every ingress IP of every LoadBalancer Service, canonical and sorted; and the ones left out, with why. */
export const serviceIPs = (services: readonly SlimService[]): { readonly ips: string[]; readonly skipped: IPSkip[] } => {
  const ips = new Set<string>()
  const skipped: IPSkip[] = []
  for (const s of services) {
    if (s.type !== 'LoadBalancer') continue
    for (const raw of s.ingressIPs) {
      const ip = canonicalIP(raw)
      const service = `${s.namespace}/${s.name}`
      if (ip === undefined) skipped.push({ _tag: 'NotAnAddress', ip: raw, service })
      else if (!isDocumentationAddress(ip)) skipped.push({ _tag: 'NotDocumentationRange', ip, service })
      else ips.add(ip)
    }
  }
  return { ips: [...ips].sort(), skipped }
}

/** Addresses to add to and remove from kube-ipvs0 (link-local ones are the kernel's, never touched). */
export const addressPlan = (desired: readonly string[], actual: readonly string[]): { readonly add: string[]; readonly remove: string[] } => {
  const have = new Set(actual.map((a) => canonicalIP(a) ?? a))
  const want = new Set(desired)
  return {
    add: desired.filter((ip) => !have.has(ip)),
    remove: [...have].filter((ip) => !want.has(ip) && !/^fe80:/i.test(ip)).sort(),
  }
}

// ---- endpoints ----------------------------------------------------------------------------------------

export type EndpointState = 'ready' | 'notready' | 'terminating' | 'absent'
const STATES: readonly string[] = ['ready', 'notready', 'terminating', 'absent']

type Overrides =
  | { readonly _tag: 'Managed'; readonly states: ReadonlyMap<string, EndpointState>; readonly errors: readonly string[] }
  | { readonly _tag: 'None' }

/** Reads the annotation; unknown nodes and states are reported and ignored, never fatal. */
export const parseOverrides = (text: string | undefined, nodes: readonly string[]): Overrides => {
  if (text !== undefined && text.trim() === 'none') return { _tag: 'None' }
  const states = new Map<string, EndpointState>()
  const errors: string[] = []
  for (const part of (text ?? '').split(',')) {
    const item = part.trim()
    if (item === '') continue
    const [node, state] = item.split('=').map((x) => x.trim())
    if (node === undefined || !nodes.includes(node)) errors.push(`unknown node in "${item}"`)
    else if (state === undefined || !STATES.includes(state)) errors.push(`unknown state in "${item}" (ready, notready, terminating, absent)`)
    else states.set(node, state as EndpointState)
  }
  return { _tag: 'Managed', states, errors }
}

/** The annotation text that sets one node's state (others kept). */
export const withOverride = (text: string | undefined, nodes: readonly string[], node: string, state: EndpointState): string => {
  const o = parseOverrides(text, nodes)
  const states = new Map(o._tag === 'Managed' ? o.states : [])
  if (state === 'ready') states.delete(node)
  else states.set(node, state)
  return [...states].map(([n, s]) => `${n}=${s}`).join(',')
}

export interface LabNode {
  readonly name: string
  readonly v4: string
  readonly v6: string
}

interface SliceEndpoint {
  readonly addresses: readonly string[]
  readonly nodeName: string
  readonly conditions: { readonly ready: boolean; readonly serving: boolean; readonly terminating: boolean }
}

interface Slice {
  readonly namespace: string
  readonly name: string
  readonly service: string
  readonly serviceUid: string
  readonly addressType: 'IPv4' | 'IPv6'
  readonly endpoints: readonly SliceEndpoint[]
  readonly ports: readonly { readonly name: string; readonly port: number; readonly protocol: string }[]
}

const CONDITIONS: Record<Exclude<EndpointState, 'absent'>, SliceEndpoint['conditions']> = {
  ready: { ready: true, serving: true, terminating: false },
  notready: { ready: false, serving: false, terminating: false },
  terminating: { ready: false, serving: true, terminating: true },
}

const sliceName = (service: string, family: 'IPv4' | 'IPv6'): string => `${service}-lab-${family.toLowerCase()}`

export const desiredSlices = (services: readonly SlimService[], nodes: readonly LabNode[]): Slice[] => {
  const out: Slice[] = []
  const names = nodes.map((n) => n.name)
  for (const s of services) {
    if (s.type !== 'LoadBalancer') continue
    const o = parseOverrides(s.annotations[ENDPOINTS_ANNOTATION], names)
    if (o._tag === 'None') continue
    for (const family of s.families) {
      const endpoints: SliceEndpoint[] = []
      for (const n of nodes) {
        const state = o.states.get(n.name) ?? 'ready'
        if (state === 'absent') continue
        endpoints.push({ addresses: [family === 'IPv4' ? n.v4 : n.v6], nodeName: n.name, conditions: CONDITIONS[state] })
      }
      // The lab's backend answers on port 80 whatever the Service's port, so every port maps there.
      const ports = s.ports.map((p) => ({ name: p.name, port: BACKEND_PORT, protocol: p.protocol }))
      out.push({ namespace: s.namespace, name: sliceName(s.name, family), service: s.name, serviceUid: s.uid, addressType: family, endpoints, ports })
    }
  }
  return out
}

/** The API object for a slice (server-side applied by the agent). */
export const sliceObject = (s: Slice): object => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    name: s.name,
    namespace: s.namespace,
    labels: { 'kubernetes.io/service-name': s.service, 'endpointslice.kubernetes.io/managed-by': MANAGED_BY },
    ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: s.service, uid: s.serviceUid, controller: true, blockOwnerDeletion: true }],
  },
  addressType: s.addressType,
  endpoints: s.endpoints,
  ports: s.ports,
})

/** The fields the lab decides, in a stable text: equal texts mean nothing to write. */
const sliceFingerprint = (raw: unknown): string => {
  const meta = rec(rec(raw)['metadata'])
  const labels = rec(meta['labels'])
  const owner = rec(arr(meta['ownerReferences'])[0])
  return JSON.stringify({
    ns: meta['namespace'],
    name: meta['name'],
    service: labels['kubernetes.io/service-name'],
    uid: owner['uid'],
    addressType: rec(raw)['addressType'],
    endpoints: arr(rec(raw)['endpoints']).map((e) => {
      const c = rec(rec(e)['conditions'])
      return { addresses: rec(e)['addresses'], nodeName: rec(e)['nodeName'], c: [c['ready'], c['serving'], c['terminating']] }
    }),
    ports: arr(rec(raw)['ports']).map((p) => [rec(p)['name'] ?? '', rec(p)['port'], rec(p)['protocol'] ?? 'TCP']),
  })
}

interface SlicePlan {
  readonly apply: readonly Slice[]
  readonly remove: readonly { readonly namespace: string; readonly name: string }[]
}

/** What to write so the lab-managed slices in the API (`existing`) become `desired`. */
export const slicePlan = (desired: readonly Slice[], existing: readonly unknown[]): SlicePlan => {
  const have = new Map<string, string>()
  for (const e of existing) {
    const meta = rec(rec(e)['metadata'])
    have.set(`${str(meta['namespace']) ?? ''}/${str(meta['name']) ?? ''}`, sliceFingerprint(e))
  }
  const wanted = new Set(desired.map((d) => `${d.namespace}/${d.name}`))
  return {
    apply: desired.filter((d) => have.get(`${d.namespace}/${d.name}`) !== sliceFingerprint(sliceObject(d))),
    remove: [...have.keys()]
      .filter((k) => !wanted.has(k))
      .sort()
      .map((k) => {
        const [namespace = '', name = ''] = k.split('/')
        return { namespace, name }
      }),
  }
}

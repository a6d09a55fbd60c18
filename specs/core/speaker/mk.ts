// Builders for the speaker reconcile's specs: API objects as the caches hold them (Nodes, Services,
// EndpointSlices, MetalLB kinds, ServiceL2Status), an input with defaults for what a spec does not
// care about, and a run of passes feeding each state into the next.
import { initialSpeakerState, type SpeakerEnv, type SpeakerInput, type SpeakerSnapshot, type SpeakerState, type SpeakerStep } from '../../../core/speaker/speakerPlan.js'
import { reconcileSpeaker } from '../../../core/speaker/reconcile.js'
import type { L2Readiness } from '../../../core/speaker/l2Readiness.js'
import type { MembershipView } from '../../../core/speaker/membershipPlan.js'

export const NS = 'metallb-system'
export const SELF = 'n0'

export const rawNode = (name: string, labels: Record<string, string> = {}, host = `192.0.2.${name.replace(/\D/g, '') || '9'}`) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
  status: { addresses: [{ type: 'InternalIP', address: host }] },
})

export const rawPool = (name: string, addresses: readonly string[]) => ({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name, namespace: NS }, spec: { addresses } })

export const rawL2 = (name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name, namespace: NS }, spec })

export interface ServiceOpts {
  readonly ips?: readonly string[]
  readonly type?: string
  readonly local?: boolean
  readonly lbClass?: string
  readonly labels?: Record<string, string>
}

export const rawService = (name: string, o: ServiceOpts = {}, namespace = 'default') => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace, creationTimestamp: '2026-01-01T00:00:00Z', labels: o.labels ?? {} },
  spec: {
    type: o.type ?? 'LoadBalancer',
    ports: [{ port: 80 }],
    externalTrafficPolicy: o.local === true ? 'Local' : 'Cluster',
    ...(o.lbClass === undefined ? {} : { loadBalancerClass: o.lbClass }),
  },
  status: { loadBalancer: { ingress: (o.ips ?? []).map((ip) => ({ ip })) } },
})

export const rawSlice = (service: string, endpoints: readonly { node?: string; ready?: boolean }[], namespace = 'default', name = `${service}-x`) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name, namespace, labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  endpoints: endpoints.map((e) => ({ addresses: ['10.244.0.1'], ...(e.node === undefined ? {} : { nodeName: e.node }), conditions: { ready: e.ready ?? true } })),
})

export const rawStatus = (name: string, service: string, interfaces: readonly string[], namespace = 'default') => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'ServiceL2Status',
  metadata: { name, namespace: NS, labels: { 'metallb.io/node': SELF, 'metallb.io/service-name': service, 'metallb.io/service-namespace': namespace } },
  status: { node: SELF, serviceName: service, serviceNamespace: namespace, interfaces: interfaces.map((n) => ({ name: n })) },
})

export const ABLE: L2Readiness = { _tag: 'Able', interfaces: ['eth0'] }
export const UNABLE: L2Readiness = { _tag: 'Unable', reason: 'NoPermission', message: 'eth0: socket: Operation not permitted (the speaker needs CAP_NET_RAW)' }

export const member = (...alive: string[]): MembershipView => ({ _tag: 'In', alive: new Set(alive) })

/** Sorts the objects into the snapshot's lists by kind. */
export const snapshotOf = (objects: readonly { kind: string }[], synced = true): SpeakerSnapshot => ({
  synced,
  configObjects: objects.filter((o) => !['Node', 'Service', 'EndpointSlice', 'ServiceL2Status'].includes(o.kind)),
  services: objects.filter((o) => o.kind === 'Service'),
  nodes: objects.filter((o) => o.kind === 'Node'),
  endpointSlices: objects.filter((o) => o.kind === 'EndpointSlice'),
  l2Statuses: objects.filter((o) => o.kind === 'ServiceL2Status'),
})

export interface InputOpts {
  readonly synced?: boolean
  readonly readiness?: L2Readiness
  readonly interfaces?: readonly string[]
  readonly membership?: MembershipView
  readonly goneSince?: ReadonlyMap<string, number>
}

export const mkInput = (objects: readonly { kind: string }[], o: InputOpts = {}): SpeakerInput => ({
  snapshot: snapshotOf(objects, o.synced ?? true),
  readiness: o.readiness ?? ABLE,
  interfaces: o.interfaces ?? ['eth0'],
  membership: o.membership ?? member(SELF),
  goneSince: o.goneSince ?? new Map(),
})

export const ENV: SpeakerEnv = { node: SELF, namespace: NS, loadBalancerClass: undefined, now: 1_000_000 }

/** Reconciles each input in turn from `state`, each pass starting from the last one's state. */
export const run = (inputs: readonly SpeakerInput[], state: SpeakerState = initialSpeakerState, env: SpeakerEnv = ENV): SpeakerStep[] => {
  const out: SpeakerStep[] = []
  for (const input of inputs) {
    const step = reconcileSpeaker(input, state, env)
    out.push(step)
    state = step.state
  }
  return out
}

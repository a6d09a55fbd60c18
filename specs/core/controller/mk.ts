// Builders for the controller's core specs: raw objects as the caches hold them, the snapshot the
// shell builds from them, and what the API server holds after a write (merge patch semantics).
import fc from 'fast-check'
import { decodeClusterObjects } from '../../../core/cluster/decodeCluster.js'
import { admitAcquisitions } from '../../../core/controller/admit.js'
import { type ControllerSnapshot, type ControllerState, reconcileController } from '../../../core/controller/reconcile.js'
import type { ServiceWrite } from '../../../core/controller/serviceStatus.js'

export const NS = 'metallb-system'
export const NOW = '2026-12-02T18:00:00Z'
export const env = { now: NOW, namespace: NS, loadBalancerClass: undefined }

export type Obj = Record<string, unknown> & { metadata: Record<string, unknown> }

export const mkPool = (name: string, addresses: readonly string[], extra: Record<string, unknown> = {}): Obj => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name, namespace: NS },
  spec: { addresses, ...extra },
})

export interface SvcOptions {
  readonly type?: string
  readonly ingress?: readonly string[]
  readonly annotations?: Readonly<Record<string, string>>
  readonly created?: string
  readonly lbClass?: string
}

export const mkSvc = (name: string, o: SvcOptions = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'apps', uid: `uid-${name}`, resourceVersion: '1', annotations: { ...(o.annotations ?? {}) }, creationTimestamp: o.created ?? '2026-01-01T00:00:00Z' },
  spec: { type: o.type ?? 'LoadBalancer', ipFamilies: ['IPv4'], ports: [{ port: 80 }], ...(o.lbClass === undefined ? {} : { loadBalancerClass: o.lbClass }) },
  status: { loadBalancer: { ingress: (o.ingress ?? []).map((ip) => ({ ip })) } },
})

export const snapshotOf = (configObjects: readonly unknown[], clusterObjects: readonly unknown[]): ControllerSnapshot => {
  const cluster = decodeClusterObjects(clusterObjects)
  return { configObjects, services: cluster.services, shown: cluster.shown, namespaces: cluster.namespaces }
}

const annotationsOf = (o: Obj): Record<string, string> => ({ ...((o.metadata['annotations'] as Record<string, string> | undefined) ?? {}) })

/** The object after a write lands: status replaced, annotations merged (null removes), version bumped. */
export const applied = (o: Obj, w: ServiceWrite): Obj => {
  const annotations = annotationsOf(o)
  for (const [k, v] of Object.entries(w.annotations ?? {})) {
    if (v === null) delete annotations[k]
    else annotations[k] = v
  }
  const version = String(Number(o.metadata['resourceVersion'] ?? '0') + 1)
  return { ...o, metadata: { ...o.metadata, annotations, resourceVersion: version }, ...(w.status === undefined ? {} : { status: w.status }) }
}

const IPS = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '198.51.100.9']

/** A few Services over a tiny pool: holders, requests, sharing keys, stale IPs and other classes. */
export const servicesArb = fc
  .array(
    fc.record({
      type: fc.constantFrom('LoadBalancer', 'LoadBalancer', 'LoadBalancer', 'ClusterIP'),
      ingress: fc.subarray(IPS, { maxLength: 1 }),
      held: fc.boolean(),
      request: fc.option(fc.constantFrom(...IPS), { nil: undefined }),
      sharing: fc.option(fc.constantFrom('k1', 'k2'), { nil: undefined }),
      other: fc.boolean(),
      day: fc.integer({ min: 1, max: 9 }),
    }),
    { maxLength: 6 },
  )
  .map((rows) =>
    rows.map((r, i) =>
      mkSvc(`s${i}`, {
        type: r.type,
        ingress: r.ingress,
        created: `2026-01-0${r.day}T00:00:00Z`,
        ...(r.other && i % 3 === 0 ? { lbClass: 'other.io/lb' } : {}),
        annotations: {
          ...(r.held ? { 'metallb.io/ip-allocated-from-pool': 'p' } : {}),
          ...(r.request === undefined ? {} : { 'metallb.io/loadBalancerIPs': r.request }),
          ...(r.sharing === undefined ? {} : { 'metallb.io/allow-shared-ip': r.sharing }),
        },
      }),
    ),
  )

export const poolsArb = fc.constantFrom(
  [mkPool('p', ['203.0.113.0/30'])],
  [mkPool('p', ['203.0.113.1-203.0.113.2']), mkPool('q', ['198.51.100.8/30'])],
  [mkPool('p', ['203.0.113.2/32'])],
  [mkPool('p', ['203.0.113.0/30'], { serviceAllocation: { namespaceSelectors: [{ matchLabels: { team: 'a' } }] } }), mkPool('q', ['198.51.100.8/30'])],
)

/** The Services' namespace, labelled or not (pools may select on it). */
export const namespacesArb = fc.constantFrom([], [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', labels: { team: 'a' } } }], [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', labels: { team: 'b' } } }])

/** One pass applied as the shell applies it, every write landing: releases, then the admitted acquisitions. */
export const applyPass = (config: readonly unknown[], objects: readonly Obj[], prior: ControllerState, others: readonly unknown[] = []): { objects: Obj[]; state: ControllerState; writes: number } => {
  const { plan, state } = reconcileController(snapshotOf(config, [...objects, ...others]), prior, env)
  const byName = new Map(objects.map((o) => [String(o.metadata['name']), o]))
  const services = plan.allocation?.services
  if (services === undefined) return { objects: [...objects], state, writes: 0 }
  for (const r of services.releases) byName.set(r.target.name, applied(byName.get(r.target.name) as Obj, r.write))
  const admitted = admitAcquisitions(services, snapshotOf([], [...byName.values()]).shown, NOW)
  for (const w of admitted.writes) byName.set(w.target.name, applied(byName.get(w.target.name) as Obj, w.write))
  return { objects: [...byName.values()], state, writes: services.releases.length + admitted.writes.length }
}

// One controller pass at 10,000 Services, in process (no API server): the cost of turning the cached
// objects into the core's snapshot and of reconcileController on it, when one Service changed since the
// last pass. Two ways of decoding, on the same objects: every object afresh each pass (what the
// controller did before caches.ts kept a decode per cached object), and once per object reference
// (the same WeakMap as shell/controller/caches.ts; unchanged Services then reach planFrom as the very
// objects it saw last pass). Figures are medians of the passes measured here; nothing is assumed.
import { type DecodedObject, clusterObjectsOf, decodeClusterObject, decodeClusterObjects } from '../../core/cluster/decodeCluster.js'
import { admitAcquisitions } from '../../core/controller/admit.js'
import { projectionOf } from '../../core/cluster/projection.js'
import { type ControllerState, initialControllerState, reconcileController } from '../../core/controller/reconcile.js'
import type { ClusterObjects } from '../../core/cluster/decodeCluster.js'
import { mergePatch, type Json } from '../support/memoryApi.js'

type Raw = Record<string, unknown> & { metadata: Record<string, unknown> }

const NAMESPACE = 'metallb-system'
const ENV = { now: '2026-12-02T23:00:00Z', namespace: NAMESPACE, loadBalancerClass: undefined }
const POOL = { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'bench', namespace: NAMESPACE }, spec: { addresses: ['2001:db8:be00::/112'] } }
const project = projectionOf('Service') as (o: unknown) => Raw

const mkRaw = (i: number): Raw =>
  project({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `s${i}`, namespace: 'bench', uid: `uid-${i}`, resourceVersion: String(1_000 + i), creationTimestamp: '2026-12-02T22:00:00Z', labels: { app: `s${i}` } },
    spec: { type: 'LoadBalancer', ipFamilies: ['IPv6'], ipFamilyPolicy: 'SingleStack', clusterIP: `2001:db8:ff::${i.toString(16)}`, ports: [{ port: 80, protocol: 'TCP' }], selector: { app: `s${i}` } },
  })

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

/** Writes the pass's planned status and annotations into the objects, as the API server would after the writes. */
const settle = (raws: Raw[], state: ControllerState): ControllerState => {
  const c = decodeClusterObjects(raws)
  const { plan, state: next } = reconcileController({ configObjects: [POOL], services: c.services, shown: c.shown, namespaces: c.namespaces }, state, ENV)
  const services = plan.allocation?.services
  if (services === undefined) throw new Error('the bench pool did not load')
  const writes = [...services.releases, ...admitAcquisitions(services, c.shown, ENV.now).writes]
  const byName = new Map(raws.map((r, i) => [r.metadata['name'], i]))
  for (const { target, write } of writes) {
    const i = byName.get(target.name)
    if (i === undefined) continue
    const patch = { ...(write.status === undefined ? {} : { status: write.status }), ...(write.annotations === undefined ? {} : { metadata: { annotations: write.annotations } }) }
    raws[i] = project(mergePatch(raws[i] as unknown as Json, patch as unknown as Json))
  }
  return next
}

const memoized = (): ((raw: unknown) => DecodedObject) => {
  const memo = new WeakMap<object, DecodedObject>()
  return (raw) => {
    const known = memo.get(raw as object)
    if (known !== undefined) return known
    const d = decodeClusterObject(raw)
    memo.set(raw as object, d)
    return d
  }
}

interface PassFigures {
  readonly decodeMs: number
  readonly reconcileMs: number
}

/** `passes` passes, each after one Service's labels changed (a new object, as a watch event brings). */
const measure = (raws: Raw[], start: ControllerState, passes: number, decode: (objects: readonly unknown[]) => ClusterObjects): PassFigures => {
  let state = start
  const decodeMs: number[] = []
  const reconcileMs: number[] = []
  decode(raws)
  for (let p = 0; p < passes; p++) {
    const i = (p * 997) % raws.length
    const was = raws[i] as Raw
    raws[i] = { ...was, metadata: { ...was.metadata, labels: { app: `s${i}`, round: String(p) }, resourceVersion: String(100_000 + p) } }
    const t0 = performance.now()
    const c = decode(raws)
    const t1 = performance.now()
    state = reconcileController({ configObjects: [POOL], services: c.services, shown: c.shown, namespaces: c.namespaces }, state, ENV).state
    const t2 = performance.now()
    decodeMs.push(t1 - t0)
    reconcileMs.push(t2 - t1)
  }
  return { decodeMs: median(decodeMs), reconcileMs: median(reconcileMs) }
}

export async function benchControllerPass(count = 10_000, passes = 20): Promise<void> {
  const raws = Array.from({ length: count }, (_, i) => mkRaw(i))
  // Two passes: the first assigns and its writes land, the second confirms them; from then on a pass is steady.
  let state = settle(raws, initialControllerState)
  state = settle(raws, state)
  const fresh = measure(raws, state, passes, decodeClusterObjects)
  const memo = memoized()
  const once = measure(raws, state, passes, (objects) => clusterObjectsOf(objects.map(memo)))
  const f = (ms: number): string => `${ms.toFixed(1)} ms`
  console.log(`controller pass, ${count.toLocaleString('en-US')} Services, one changed per pass (median of ${passes}):`)
  console.log(`  every object decoded afresh: decode ${f(fresh.decodeMs)}, reconcile ${f(fresh.reconcileMs)}`)
  console.log(`  decoded once per object:     decode ${f(once.decodeMs)}, reconcile ${f(once.reconcileMs)}`)
}

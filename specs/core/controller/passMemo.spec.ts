// The memo a pass hands the next (core/controller/passMemo.ts) changes nothing the pass decides:
// over random sequences of changes, with unchanged objects decoded to the very same objects (as the
// shell's decode memo does, so the memo's shortcuts are taken), every pass equals a pass from no
// state at all: verdicts, planned holders, writes in order, pool figures. Half the sequences go
// through the shell's index (core/cluster/clusterIndex.ts), whose LayeredMap lines let the allocation
// diff and the memo look only at changed keys, and whose holders by IP admit the acquisitions.
import t from 'tap'
import fc from 'fast-check'
import { type ClusterIndex, type ObjectChange, indexCluster } from '../../../core/cluster/clusterIndex.js'
import { type DecodedObject, clusterObjectsOf, decodeClusterObject } from '../../../core/cluster/decodeCluster.js'
import { type ControllerSnapshot, type ControllerState, initialControllerState, reconcileController } from '../../../core/controller/reconcile.js'
import { LayeredMap } from '../../../core/fp/layeredMap.js'
import type { TargetedWrite } from '../../../core/controller/servicePlan.js'
import { admitAcquisitions } from '../../../core/controller/admit.js'
import { type Obj, NOW, applied, env, mkSvc, poolsArb, servicesArb } from './mk.js'

const IPS = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '198.51.100.9']

type Op =
  | { readonly _tag: 'Land'; readonly which: number }
  | { readonly _tag: 'Edit'; readonly at: number; readonly type: string; readonly request: string | undefined; readonly ingress: readonly string[] }
  | { readonly _tag: 'Touch'; readonly at: number }
  | { readonly _tag: 'Delete'; readonly at: number }
  | { readonly _tag: 'Add'; readonly request: string | undefined }
  | { readonly _tag: 'Pools'; readonly pools: readonly unknown[] }

const at = fc.nat({ max: 20 })
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.nat({ max: 7 }).map((which): Op => ({ _tag: 'Land', which })) },
  {
    weight: 3,
    arbitrary: fc
      .record({ at, type: fc.constantFrom('LoadBalancer', 'LoadBalancer', 'ClusterIP'), request: fc.option(fc.constantFrom(...IPS), { nil: undefined }), ingress: fc.subarray(IPS, { maxLength: 1 }) })
      .map((r): Op => ({ _tag: 'Edit', ...r })),
  },
  { weight: 2, arbitrary: at.map((i): Op => ({ _tag: 'Touch', at: i })) },
  { weight: 1, arbitrary: at.map((i): Op => ({ _tag: 'Delete', at: i })) },
  { weight: 1, arbitrary: fc.option(fc.constantFrom(...IPS), { nil: undefined }).map((request): Op => ({ _tag: 'Add', request })) },
  { weight: 1, arbitrary: poolsArb.map((pools): Op => ({ _tag: 'Pools', pools })) },
)

/** One decode per object, as shell/controller/caches.ts: an unchanged object decodes to the same one. */
type Decode = (objects: readonly Obj[], pools: readonly unknown[]) => ControllerSnapshot & { readonly byIP?: ReadonlyMap<string, ReadonlySet<string>> }

const decoder = (): Decode => {
  const memo = new WeakMap<object, DecodedObject>()
  return (objects, pools) => {
    const c = clusterObjectsOf(objects.map((o) => memo.get(o) ?? memo.set(o, decodeClusterObject(o)).get(o) ?? decodeClusterObject(o)))
    return { configObjects: pools, services: c.services, shown: c.shown, namespaces: c.namespaces }
  }
}

/**
 * As shell/controller/caches.ts now does: only the objects that are new references reach the index
 * (core/cluster/clusterIndex.ts), so `shown` is one LayeredMap line and the memo compares only the
 * keys changed between its versions.
 */
const indexedDecoder = (): Decode => {
  const seen = new Map<string, Obj>()
  let index: ClusterIndex | undefined
  return (objects, pools) => {
    const changes: ObjectChange[] = []
    const present = new Set<string>()
    for (const o of objects) {
      const id = `${String(o.metadata['namespace'])}/${String(o.metadata['name'])}`
      present.add(id)
      if (seen.get(id) === o) continue
      seen.set(id, o)
      changes.push([id, decodeClusterObject(o)])
    }
    for (const id of [...seen.keys()])
      if (!present.has(id)) {
        seen.delete(id)
        changes.push([id, undefined])
      }
    index = indexCluster(index, changes)
    const c = index.objects
    return { configObjects: pools, services: c.services, servicesByKey: index.servicesByKey, shown: c.shown, namespaces: c.namespaces, byIP: index.shownByIP }
  }
}

const sortedHolders = (h: ReadonlyMap<string, ReadonlySet<string>> | undefined): unknown => [...(h ?? [])].map(([ip, s]) => [ip, [...s].sort()]).sort()

const decisions = (p: ReturnType<typeof reconcileController>['plan']): string => {
  const a = p.allocation
  return JSON.stringify({
    verdicts: [...(a?.verdicts ?? [])].sort(),
    planned: sortedHolders(a?.services.planned),
    releases: a?.services.releases,
    acquisitions: a?.services.acquisitions,
    pools: a?.pools,
  })
}

/** The objects after the pass's writes land, as the shell applies them, but for those `which` fails (0: none fails). */
const land = (objects: Obj[], p: ReturnType<typeof reconcileController>['plan'], which: number, decode: Decode): Obj[] => {
  const services = p.allocation?.services
  if (services === undefined) return objects
  let n = 0
  const fails = (): boolean => which !== 0 && n++ % which === 1
  const apply = (now: Obj[], w: TargetedWrite): Obj[] => (fails() ? now : now.map((o) => (o.metadata['name'] === w.target.name ? applied(o, w.write) : o)))
  const released = services.releases.reduce(apply, objects)
  const latest = decode(released, [])
  const admitted = admitAcquisitions(services, latest.shown, NOW)
  // With the index's holders by IP (as the shell asks), the same admission.
  if (latest.byIP !== undefined && JSON.stringify(admitAcquisitions(services, latest.shown, NOW, latest.byIP)) !== JSON.stringify(admitted)) throw new Error('admission by the index differs')
  return admitted.writes.reduce(apply, released)
}

const step = (objects: Obj[], op: Op, plan: ReturnType<typeof reconcileController>['plan'], serial: number, decode: Decode): Obj[] => {
  switch (op._tag) {
    case 'Land':
      return land(objects, plan, op.which, decode)
    case 'Edit': {
      const i = op.at % Math.max(1, objects.length)
      const o = objects[i]
      if (o === undefined) return objects
      const annotations = { ...(o.metadata['annotations'] as Record<string, string>), ...(op.request === undefined ? {} : { 'metallb.io/loadBalancerIPs': op.request }) }
      const next = { ...o, metadata: { ...o.metadata, annotations }, spec: { ...(o['spec'] as object), type: op.type }, status: { loadBalancer: { ingress: op.ingress.map((ip) => ({ ip })) } } }
      return objects.map((x, j) => (j === i ? next : x))
    }
    case 'Touch':
      // A new object equal by value (a resync, a label no one reads): the memo must see through it.
      return objects.map((x, j) => (j === op.at % Math.max(1, objects.length) ? { ...x, metadata: { ...x.metadata, labels: { round: String(serial) } } } : x))
    case 'Delete':
      return objects.filter((_, j) => j !== op.at % Math.max(1, objects.length))
    case 'Add':
      return [...objects, mkSvc(`n${serial}`, op.request === undefined ? {} : { annotations: { 'metallb.io/loadBalancerIPs': op.request } })]
    case 'Pools':
      return objects
  }
}

t.test('property: a pass from the memo decides what a pass from no state decides, over random change sequences', async (t) => {
  let fromMemo = 0
  let indexed = 0
  fc.assert(
    fc.property(poolsArb, servicesArb, fc.array(opArb, { minLength: 1, maxLength: 25 }), fc.boolean(), (pools0, services, ops, byIndex) => {
      const decode = byIndex ? indexedDecoder() : decoder()
      if (byIndex) indexed++
      let pools: readonly unknown[] = pools0
      let objects: Obj[] = services
      let state: ControllerState = initialControllerState
      ops.forEach((op, serial) => {
        if (op._tag === 'Pools') pools = op.pools
        const snapshot = decode(objects, pools)
        const carried = reconcileController(snapshot, state, env)
        const fresh = reconcileController(snapshot, initialControllerState, env)
        if (state.derived !== undefined && carried.plan.allocation?.basis._tag === 'Changes') fromMemo++
        if (decisions(carried.plan) !== decisions(fresh.plan)) throw new Error(`after ${JSON.stringify(op)}:\nmemo  ${decisions(carried.plan)}\nfresh ${decisions(fresh.plan)}`)
        state = carried.state
        objects = step(objects, op, carried.plan, serial, decode)
      })
    }),
    { numRuns: 400 },
  )
  t.ok(fromMemo > 1000, `the memo's path was taken (${fromMemo} passes)`)
  t.ok(indexed > 100, `${indexed} sequences decoded through the index`)
})

t.test('LayeredMap: equal to a Map under random sets and removals, older maps unchanged', async () => {
  const change = fc.tuple(fc.nat({ max: 150 }), fc.option(fc.nat(), { nil: undefined }))
  fc.assert(
    fc.property(fc.array(fc.array(change, { maxLength: 40 }), { maxLength: 12 }), (batches) => {
      let layered = LayeredMap.of(new Map<number, number>())
      const model = new Map<number, number>()
      for (const batch of batches) {
        const before = [...layered]
        const next = layered.with(batch)
        for (const [k, v] of batch) {
          if (v === undefined) model.delete(k)
          else model.set(k, v)
        }
        if (JSON.stringify([...layered]) !== JSON.stringify(before)) throw new Error('with changed the older map')
        layered = next
        const entries = JSON.stringify([...layered].sort((a, b) => a[0] - b[0]))
        if (entries !== JSON.stringify([...model].sort((a, b) => a[0] - b[0])) || layered.size !== model.size) throw new Error(`layered ${entries} vs ${JSON.stringify([...model])}`)
        for (let k = 0; k <= 150; k++) if (layered.get(k) !== model.get(k) || layered.has(k) !== model.has(k)) throw new Error(`key ${k}`)
      }
    }),
    { numRuns: 300 },
  )
})

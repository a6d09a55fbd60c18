// `ironlb simulate` is the controller's reconcile, projected: its JSON is the projection of
// reconcileController's plan for the same objects, and each row says what the controller writes.
import t from 'tap'
import fc from 'fast-check'
import { decodeClusterObjects } from '../../../core/cluster/decodeCluster.js'
import { initialControllerState, reconcileController } from '../../../core/controller/reconcile.js'
import { CONDITION_TYPE, POOL_ANNOTATION } from '../../../core/controller/serviceStatus.js'
import { projectSimulation } from '../../../core/simulate/projection.js'
import { renderJson, sortReport } from '../../../core/simulate/report.js'
import { simulate, withServerDefaults } from '../../../core/simulate/simulate.js'
import { type Obj, NS, applyPass, env, namespacesArb, poolsArb, servicesArb } from '../controller/mk.js'

const options = { namespace: NS, loadBalancerClass: undefined }

t.test('property: simulate prints the projection of the controller reconcile', async () => {
  fc.assert(
    fc.property(poolsArb, servicesArb, namespacesArb, (pools, services, namespaces) => {
      const printed = simulate([...pools, ...services, ...namespaces], options).report
      const cluster = decodeClusterObjects([...services, ...namespaces])
      const snapshot = { configObjects: pools, services: cluster.services.map(withServerDefaults), shown: cluster.shown, namespaces: cluster.namespaces }
      const projected = projectSimulation(reconcileController(snapshot, initialControllerState, env).plan)
      const want = sortReport({ ...projected, announcements: printed.announcements })
      if (renderJson(printed) !== renderJson(want)) throw new Error(`simulate printed\n${renderJson(printed)}\nthe projection is\n${renderJson(want)}`)
    }),
    { numRuns: 150 },
  )
})

const conditionOf = (o: Obj | undefined): Record<string, unknown> | undefined =>
  ((o?.['status'] as { conditions?: Record<string, unknown>[] } | undefined)?.conditions ?? []).find((c) => c['type'] === CONDITION_TYPE)
const ingressOf = (o: Obj | undefined): string[] =>
  ((o?.['status'] as { loadBalancer?: { ingress?: { ip?: string }[] } } | undefined)?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip === undefined ? [] : [i.ip]))

t.test('property: each row is what the controller writes on that Service', async () => {
  fc.assert(
    fc.property(poolsArb, servicesArb, namespacesArb, (pools, services, namespaces) => {
      const printed = simulate([...pools, ...services, ...namespaces], options).report
      const written = new Map(applyPass(pools, services, initialControllerState, namespaces).objects.map((o) => [String(o.metadata['name']), o]))
      for (const row of printed.services) {
        const o = written.get(row.name)
        const annotations = (o?.metadata['annotations'] ?? {}) as Record<string, string>
        const c = conditionOf(o)
        const ok =
          row.status === 'assigned'
            ? JSON.stringify([...ingressOf(o)].sort()) === JSON.stringify([...row.ips].sort()) && annotations[POOL_ANNOTATION] === row.pool && c?.['status'] === 'True'
            : row.status === 'pending'
              ? ingressOf(o).length === 0 && c?.['status'] === 'False' && c['reason'] === row.reason && c['message'] === row.message
              : c === undefined
        if (!ok) throw new Error(`${row.name}: simulate says ${JSON.stringify(row)}, the controller wrote ${JSON.stringify(o?.['status'])} ${JSON.stringify(annotations)}`)
      }
    }),
    { numRuns: 150 },
  )
})

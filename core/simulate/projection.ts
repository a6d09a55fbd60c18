// What `ironlb simulate` prints of the controller's decision (core/controller/reconcile.ts): each
// Service's verdict with its reason, each pool's counters, the config errors. Nothing here decides:
// every field is read off the plan, so the report says what the controller would write.
import { absurd } from '../fp/absurd.js'
import type { ControllerPlan } from '../controller/reconcile.js'
import type { Verdict } from '../controller/serviceStatus.js'
import type { ErrorReport, PoolReport, ServiceReport } from './report.js'

interface ProjectedDecision {
  readonly services: readonly ServiceReport[]
  readonly pools: readonly PoolReport[]
  readonly errors: readonly ErrorReport[]
}

const serviceRow = (key: string, v: Verdict): ServiceReport => {
  // A key is "namespace/name" and a namespace has no '/'.
  const slash = key.indexOf('/')
  const namespace = key.slice(0, slash)
  const name = key.slice(slash + 1)
  switch (v._tag) {
    case 'Assigned':
      return { namespace, name, status: 'assigned', ips: v.ips, pool: v.pool, reason: null, message: null }
    case 'Pending':
      return { namespace, name, status: 'pending', ips: [], pool: null, reason: v.reason, message: v.message }
    case 'Ignored':
      return { namespace, name, status: 'ignored', ips: [], pool: null, reason: v.reason, message: v.message }
    default:
      return absurd(v)
  }
}

export const projectSimulation = (plan: ControllerPlan): ProjectedDecision => {
  const a = plan.allocation
  return {
    services: a === undefined ? [] : [...a.verdicts].map(([key, v]) => serviceRow(key, v)),
    pools:
      a === undefined
        ? []
        : a.pools.map((p) => ({ name: p.name, assignedIPv4: p.assignedIPv4, assignedIPv6: p.assignedIPv6, availableIPv4: p.availableIPv4, availableIPv6: p.availableIPv6 })),
    errors: plan.configurationState.errors,
  }
}

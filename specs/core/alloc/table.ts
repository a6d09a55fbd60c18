// Runs example tables: each row plans a small cluster and states, per Service, what it must get in a
// compact text form: "192.0.2.1,2001:db8::1@pool" when assigned, "Pending:Reason" or
// "Ignored:Reason" otherwise. Names without a "/" are in the default namespace. A row may also pin
// message fragments, since messages must name the pool or IP involved.
import type { Test } from 'tap'
import { planAllocation } from '../../../core/alloc/plan.js'
import type { AllocationPlan, ServiceOutcome } from '../../../core/alloc/outcome.js'
import type { ServiceKey } from '../../../core/model/names.js'
import type { Pool } from '../../../core/model/pool.js'
import type { Namespace, Service } from '../../../core/model/service.js'
import { formatIP } from '../../../core/net/address.js'
import { mkInput } from './mk.js'

export const compact = (o: ServiceOutcome | undefined): string => {
  if (o === undefined) return 'absent'
  switch (o._tag) {
    case 'Assigned':
      return `${o.ips.map(formatIP).join(',')}@${o.pool}`
    case 'Pending':
      return `Pending:${o.reason}`
    case 'Ignored':
      return `Ignored:${o.reason}`
  }
}

export interface Row {
  readonly desc: string
  readonly in: {
    readonly pools: readonly Pool[]
    readonly services: readonly Service[]
    readonly namespaces?: readonly Namespace[]
    readonly loadBalancerClass?: string
  }
  readonly want: Readonly<Record<string, string>>
  /** Fragments each Service's message must contain. */
  readonly says?: Readonly<Record<string, string>>
}

const keyOf = (name: string): ServiceKey => (name.includes('/') ? name : `default/${name}`) as ServiceKey

export const planRow = (row: Row): AllocationPlan =>
  planAllocation(
    mkInput(row.in.pools, row.in.services, {
      ...(row.in.namespaces === undefined ? {} : { namespaces: row.in.namespaces }),
      ...(row.in.loadBalancerClass === undefined ? {} : { loadBalancerClass: row.in.loadBalancerClass }),
    }),
  )

export const runTable = (t: Test, rows: readonly Row[]): void => {
  for (const row of rows) {
    const plan = planRow(row)
    for (const [name, want] of Object.entries(row.want)) t.equal(compact(plan.outcomes.get(keyOf(name))), want, `${row.desc}: ${name}`)
    for (const [name, fragment] of Object.entries(row.says ?? {})) {
      const o = plan.outcomes.get(keyOf(name))
      const message = o === undefined || o._tag === 'Assigned' ? '' : o.message
      t.match(message, fragment, `${row.desc}: ${name} says "${fragment}"`)
    }
  }
}

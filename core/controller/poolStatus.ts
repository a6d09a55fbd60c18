// What the controller publishes per IPAddressPool: the status counters MetalLB v0.15+ writes (only
// where the pool shows other figures) and, for metrics, those figures with the Services assigned.
import type { PoolUsage } from '../alloc/outcome.js'

/** A pool's usage and how many Services hold an IP from it (metallb_allocator_services_allocated_total). */
export interface PoolFigures extends PoolUsage {
  readonly services: number
}

const POOL_STATUS_FIELDS = ['assignedIPv4', 'assignedIPv6', 'availableIPv4', 'availableIPv6'] as const

export interface PoolStatusWrite {
  readonly pool: string
  readonly status: Readonly<Record<(typeof POOL_STATUS_FIELDS)[number], number>>
}

/** `assigned`: pool -> Services assigned from it (passMemo.ts keeps it from pass to pass). */
export const poolFigures = (usage: readonly PoolUsage[], assigned: ReadonlyMap<string, number>): PoolFigures[] =>
  usage.map((u) => ({ ...u, services: assigned.get(u.name) ?? 0 }))

const field = (o: unknown, key: string): unknown => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined)

/** Status writes for the IPAddressPool objects among `configObjects` whose counters differ from `usage`. */
export const poolStatusWrites = (configObjects: readonly unknown[], usage: readonly PoolUsage[]): PoolStatusWrite[] => {
  const byName = new Map(usage.map((u) => [u.name as string, u]))
  return configObjects.flatMap((o) => {
    const name = field(field(o, 'metadata'), 'name')
    const u = typeof name === 'string' && field(o, 'kind') === 'IPAddressPool' ? byName.get(name) : undefined
    if (typeof name !== 'string' || u === undefined) return []
    const status = field(o, 'status')
    if (POOL_STATUS_FIELDS.every((f) => field(status, f) === u[f])) return []
    return [{ pool: name, status: Object.fromEntries(POOL_STATUS_FIELDS.map((f) => [f, u[f]])) as PoolStatusWrite['status'] }]
  })
}

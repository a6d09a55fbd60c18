// The report `ironlb simulate` prints. Its JSON form is a contract other tools build on: field
// names, order and sorting stay as they are; later features add new top-level lists only.
export type ServiceStatus = 'assigned' | 'pending' | 'ignored'

export interface ServiceReport {
  readonly namespace: string
  readonly name: string
  readonly status: ServiceStatus
  readonly ips: readonly string[]
  readonly pool: string | null
  readonly reason: string | null
  readonly message: string | null
}

export interface PoolReport {
  readonly name: string
  readonly assignedIPv4: number
  readonly assignedIPv6: number
  readonly availableIPv4: number
  readonly availableIPv6: number
}

export interface ErrorReport {
  readonly kind: string
  readonly namespace: string
  readonly name: string
  readonly field: string
  readonly message: string
}

export interface SimulationReport {
  readonly services: readonly ServiceReport[]
  readonly pools: readonly PoolReport[]
  readonly errors: readonly ErrorReport[]
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** Services by namespace then name, pools by name: the order the contract promises. */
export const sortReport = (r: SimulationReport): SimulationReport => ({
  services: [...r.services].sort((a, b) => byText(a.namespace, b.namespace) || byText(a.name, b.name)),
  pools: [...r.pools].sort((a, b) => byText(a.name, b.name)),
  errors: r.errors,
})

/** JSON on one line with a space after each ':' and ',', as the contract's example is written. */
export const oneLineJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(oneLineJson).join(', ')}]`
  if (typeof value === 'object' && value !== null)
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${oneLineJson(v)}`)
      .join(', ')}}`
  return JSON.stringify(value) ?? 'null'
}

/**
 * One service or pool per line, so the output diffs well and reads like the contract's example;
 * keys in the contract's order (whoever builds the report fixes it with object literals).
 */
export const renderJson = (r: SimulationReport): string => {
  const lines = (items: readonly object[]): string =>
    items.length === 0 ? '[]' : `[\n${items.map((i) => `    ${oneLineJson(i)}`).join(',\n')}\n  ]`
  return `{\n  "services": ${lines(r.services)},\n  "pools": ${lines(r.pools)},\n  "errors": ${lines(r.errors)}\n}\n`
}

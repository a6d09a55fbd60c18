// Writes each IPAddressPool's status counters (MetalLB v0.15+), only where they differ from what
// the pool already shows.
import type { PoolUsage } from '../../core/alloc/outcome.js'
import type { KubeObject } from '../kube/reflector.js'
import type { RestClient } from '../kube/rest.js'
import type { Logger } from '../obs/log.js'

export interface PoolStatusDeps {
  readonly rest: RestClient
  readonly log: Logger
  readonly namespace: string
}

type PoolObject = KubeObject & { readonly status?: Readonly<Record<string, unknown>> }

const FIELDS = ['assignedIPv4', 'assignedIPv6', 'availableIPv4', 'availableIPv6'] as const

export const publishPoolStatus = async (deps: PoolStatusDeps, pools: readonly PoolObject[], usage: readonly PoolUsage[]): Promise<void> => {
  const byName = new Map(usage.map((u) => [u.name as string, u]))
  for (const pool of pools) {
    const name = pool.metadata?.name
    const u = name === undefined ? undefined : byName.get(name)
    if (name === undefined || u === undefined) continue
    if (FIELDS.every((f) => pool.status?.[f] === u[f])) continue
    const res = await deps.rest
      .request('PATCH', `/apis/metallb.io/v1beta1/namespaces/${deps.namespace}/ipaddresspools/${name}/status`, {
        contentType: 'application/merge-patch+json',
        body: { status: Object.fromEntries(FIELDS.map((f) => [f, u[f]])) },
      })
      .catch((err: unknown) => ({ status: 0, body: err }))
    if (res.status >= 300 || res.status === 0) deps.log.warn('pool-status-not-written', { pool: name, status: res.status })
  }
}

// Writes the IPAddressPool status counters the core decided (core/controller/poolStatus.ts: only
// pools whose figures differ), while this replica leads. Best effort: a failure is logged and the
// next pass tries again, since the figures are recomputed every pass.
import type { PoolStatusWrite } from '../../core/controller/poolStatus.js'
import type { RestClient } from '../kube/rest.js'
import type { Logger } from '../obs/log.js'

interface PoolStatusDeps {
  readonly rest: RestClient
  readonly log: Logger
  readonly namespace: string
}

export const publishPoolStatus = async (deps: PoolStatusDeps, writes: readonly PoolStatusWrite[], leading: () => boolean): Promise<void> => {
  for (const w of writes) {
    if (!leading()) return
    const res = await deps.rest
      .request('PATCH', `/apis/metallb.io/v1beta1/namespaces/${deps.namespace}/ipaddresspools/${w.pool}/status`, {
        contentType: 'application/merge-patch+json',
        body: { status: w.status },
      })
      .catch((err: unknown) => ({ status: 0, body: err }))
    if (res.status >= 300 || res.status === 0) deps.log.warn('pool-status-not-written', { pool: w.pool, status: res.status })
  }
}

// Applies a batch of Service writes the core decided, at most `concurrency` in flight, each only while
// this replica still leads (checked before every write, so a lease lost mid-pass stops the rest). It
// counts what happened for the pass's log line and feeds each answer back into the cache.
import type { TargetedWrite } from '../../core/controller/servicePlan.js'
import type { EventQueue } from '../kube/eventQueue.js'
import type { KubeObject } from '../kube/reflector.js'
import type { RestClient } from '../kube/rest.js'
import type { Logger } from '../obs/log.js'
import type { ControllerMetrics } from './metrics.js'
import { applyServiceWrite } from './serviceWriter.js'

export interface ServiceApplierDeps {
  readonly rest: RestClient
  readonly events: EventQueue
  readonly log: Logger
  readonly metrics: Pick<ControllerMetrics, 'updates' | 'updateErrors'>
  /** Puts the API server's answer into the cache, so the next read does not see the pre-write copy. */
  readonly observe: (latest: KubeObject) => void
  readonly concurrency: number
}

/** What a pass's writes came to; logged with `reconciled`. */
export interface WriteTally {
  planned: number
  conflicts: number
  deferred: number
  notLeader: number
  failed: number
}

export const emptyTally = (): WriteTally => ({ planned: 0, conflicts: 0, deferred: 0, notLeader: 0, failed: 0 })

const applyOne = async (deps: ServiceApplierDeps, tw: TargetedWrite, leading: () => boolean, tally: WriteTally): Promise<void> => {
  const key = tw.target.key
  if (!leading()) {
    tally.notLeader++
    return
  }
  try {
    const res = await applyServiceWrite(deps.rest, tw.target, tw.write, deps.events)
    if (res._tag === 'Written') {
      deps.observe(res.latest)
      deps.metrics.updates.inc()
      deps.log.info('service-updated', { service: key, ingress: tw.write.status?.loadBalancer.ingress.map((i) => i.ip) ?? null, events: tw.write.events.map((e) => e.reason) })
    } else if (res._tag === 'Conflict') {
      tally.conflicts++
      deps.log.info('service-write-conflict', { service: key, resourceVersion: tw.target.resourceVersion ?? null })
    }
  } catch (err) {
    tally.failed++
    deps.metrics.updateErrors.inc()
    deps.log.error('service-update-failed', { service: key, error: err })
  }
}

export const applyServiceWrites = async (deps: ServiceApplierDeps, writes: readonly TargetedWrite[], leading: () => boolean, tally: WriteTally): Promise<void> => {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < writes.length) await applyOne(deps, writes[next++] as TargetedWrite, leading, tally)
  }
  await Promise.all(Array.from({ length: Math.min(deps.concurrency, writes.length) }, worker))
}

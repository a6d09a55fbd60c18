// One controller pass, as the loop (shell/loop/reconcileLoop.ts) runs it: read the caches, ask the
// core for everything (core/controller/reconcile.ts), apply the releases, ask the core which
// acquisitions may follow on the latest copies (admit.ts), apply those, publish the pool status and
// the ConfigurationState, and feed the state back. Nothing is decided here.
import { rfc3339Seconds } from '../../core/cluster/timestamp.js'
import { admitAcquisitions } from '../../core/controller/admit.js'
import { type ControllerPlan, type ControllerState, reconcileController } from '../../core/controller/reconcile.js'
import type { ServicePlan } from '../../core/controller/servicePlan.js'
import type { ConfigError } from '../../core/model/config.js'
import type { Clock } from '../loop/clock.js'
import type { PassContext, PassOutcome } from '../loop/reconcileLoop.js'
import type { ControllerCaches } from './caches.js'
import type { ControllerMetrics } from './metrics.js'
import { publishPoolStatus } from './poolStatus.js'
import { type ServiceApplierDeps, type WriteTally, applyServiceWrites, emptyTally } from './serviceApplier.js'

export interface PassDeps extends ServiceApplierDeps {
  readonly caches: ControllerCaches
  readonly metrics: ControllerMetrics
  readonly clock: Clock
  readonly namespace: string
  readonly loadBalancerClass: string | undefined
  readonly publishConfigState: (errors: readonly ConfigError[]) => Promise<void>
}

/** What one pass hands the next (the core's state); the only mutable thing of the controller. */
export interface PassMemory {
  state: ControllerState
}

/** How long a pass waits after one that had to defer an acquisition (the release's watch event usually comes first). */
const DEFERRED_RETRY_MS = 250

const DONE: PassOutcome = { _tag: 'Done' }

const reportConfig = (deps: PassDeps, plan: ControllerPlan, ctx: PassContext): void => {
  deps.metrics.configLoaded.set(plan.config._tag === 'NoValidYet' ? 0 : 1)
  deps.metrics.configStale.set(plan.config._tag === 'Latest' ? 0 : 1)
  const errors = plan.configurationState.errors
  if (errors.length > 0) deps.log.warn('config-invalid', { errors: errors.length, first: errors[0], running: plan.config._tag })
  if (ctx.leading()) void deps.publishConfigState(errors)
}

/** Releases first; then only the acquisitions the core admits on the latest copies. */
const applyServicePlan = async (deps: PassDeps, plan: ServicePlan, now: string, ctx: PassContext, tally: WriteTally): Promise<void> => {
  tally.planned = plan.releases.filter((r) => !r.interim).length + plan.acquisitions.length
  await applyServiceWrites(deps, plan.releases, ctx.leading, tally)
  if (plan.acquisitions.length === 0) return
  const admission = admitAcquisitions(plan, deps.caches.latestShown(), now, deps.caches.latestShownByIP())
  tally.deferred += admission.deferred.length
  for (const d of admission.deferred) deps.log.debug('acquisition-deferred', { service: d.key, blockers: d.blockers })
  await applyServiceWrites(deps, admission.writes, ctx.leading, tally)
}

const outcomeOf = (tally: WriteTally): PassOutcome => {
  if (tally.deferred > 0) return { _tag: 'Again', afterMs: DEFERRED_RETRY_MS, why: 'acquisition-deferred' }
  if (tally.conflicts + tally.failed > 0) return { _tag: 'Again', afterMs: 0, why: tally.failed > 0 ? 'write-failed' : 'write-conflict' }
  return DONE
}

export const runPass = async (deps: PassDeps, memory: PassMemory, ctx: PassContext): Promise<PassOutcome> => {
  if (!deps.caches.synced()) {
    deps.log.debug('not-synced', {})
    return DONE
  }
  const started = performance.now()
  const { snapshot, problems } = deps.caches.snapshot()
  for (const p of problems) deps.log.warn('object-skipped', { problem: p })
  const now = rfc3339Seconds(deps.clock.now())
  const { state, plan } = reconcileController(snapshot, memory.state, { now, namespace: deps.namespace, loadBalancerClass: deps.loadBalancerClass })
  memory.state = state
  reportConfig(deps, plan, ctx)
  const a = plan.allocation
  if (a === undefined) return DONE
  deps.metrics.setPools(a.pools)
  const tally = emptyTally()
  if (ctx.leading()) {
    await applyServicePlan(deps, a.services, now, ctx, tally)
    await publishPoolStatus(deps, a.poolStatus, ctx.leading)
  }
  const ms = performance.now() - started
  deps.metrics.reconcileSeconds.set(ms / 1000)
  const stuck = tally.conflicts + tally.deferred + tally.notLeader + tally.failed > 0
  ;(ms > 1_000 || stuck ? deps.log.info : deps.log.debug)('reconciled', { ms: Math.round(ms), services: snapshot.services.length, leader: ctx.leading(), basis: a.basis._tag, ...tally })
  return outcomeOf(tally)
}

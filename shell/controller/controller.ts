// The controller's reconcile loop. Level-based: any watch event marks the state dirty; a pass
// (batched, at most one at a time) rebuilds the snapshot from the caches, asks the core for the
// config and the plan, and writes only what differs. Only the Lease holder writes. It plans only
// once every cache has synced, so Services that hold IPs are always seen before pending ones are
// served: a restart never moves an IP.
import { buildConfig } from '../../core/config/buildConfig.js'
import { planAllocation } from '../../core/alloc/plan.js'
import { decodeClusterObjects } from '../../core/cluster/decodeCluster.js'
import type { Config, ConfigError } from '../../core/model/config.js'
import { type ServiceWrite, type Verdict, serviceWrite } from '../../core/controller/serviceStatus.js'
import { answeredHolders, plannedHolders } from '../../core/controller/holders.js'
import { type PlannedWrite, blockersOf, orderWrites } from '../../core/controller/writeOrder.js'
import { serviceStateOf } from '../../core/controller/serviceState.js'
import { formatIP } from '../../core/net/address.js'
import type { AllocationPlan, ServiceOutcome } from '../../core/alloc/outcome.js'
import { CONFIG_KINDS, configKindPath } from '../kube/configKinds.js'
import type { EventRecorder } from '../kube/events.js'
import { type KubeObject, type Reflector, startReflector } from '../kube/reflector.js'
import type { RestClient } from '../kube/rest.js'
import type { Logger } from '../obs/log.js'
import type { ControllerMetrics } from './metrics.js'
import { configStatePublisher } from '../kube/configState.js'
import { publishPoolStatus } from './poolStatus.js'
import { type LiveService, applyServiceWrite } from './serviceWriter.js'

export interface ControllerOptions {
  readonly rest: RestClient
  readonly log: Logger
  readonly metrics: ControllerMetrics
  readonly events: EventRecorder
  readonly namespace: string
  readonly loadBalancerClass: string | undefined
  readonly isLeader: () => boolean
  /** Coalesces bursts of events into one pass. */
  readonly batchMs?: number
  /** A full pass at least this often, to repair any drift. */
  readonly resyncMs?: number
  readonly writeConcurrency?: number
}

export interface Controller {
  readonly ready: () => boolean
  readonly kick: () => void
  /** Resolves once a pass has run with nothing left dirty (tests and benchmarks). */
  readonly idle: () => Promise<void>
  readonly stop: () => void
}

export const verdictOf = (o: ServiceOutcome): Verdict => {
  switch (o._tag) {
    case 'Assigned':
      return { _tag: 'Assigned', ips: o.ips.map(formatIP), pool: o.pool }
    case 'Pending':
      return { _tag: 'Pending', reason: o.reason, message: o.message }
    case 'Ignored':
      return { _tag: 'Ignored', reason: o.reason, message: o.message }
  }
}

/** Runs `work` over `items` with at most `limit` in flight. */
const forEachLimited = async <A>(items: readonly A[], limit: number, work: (a: A) => Promise<void>): Promise<void> => {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as A
      await work(item)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

/** How long a pass waits after one that had to defer an acquisition (the release's watch event usually comes first). */
const BLOCKED_RETRY_MS = 250
const FAILED_RETRY_MS = 1_000

export const startController = (opts: ControllerOptions): Controller => {
  const batchMs = opts.batchMs ?? 50
  let dirty = true
  let running = false
  let timer: NodeJS.Timeout | undefined
  let lastValid: Config | undefined
  let idleWaiters: (() => void)[] = []
  const publishConfigState = configStatePublisher(opts)

  // Every pass starts from a timer, never straight after the last one: a pass that keeps finding work
  // (a write conflict, an acquisition waiting for a release) must not starve the Lease renewals and
  // watch reads that share this event loop.
  let retryAfterMs = 0
  /** What the current pass could not write, and why (logged when not zero). */
  let passStats = { planned: 0, conflicts: 0, deferred: 0, notLeader: 0 }
  const schedule = (): void => {
    dirty = true
    if (timer === undefined && !running) timer = setTimeout(run, Math.max(batchMs, retryAfterMs))
  }
  const reflect = <T extends KubeObject>(path: string, typeMeta: { apiVersion: string; kind: string }): Reflector<T> =>
    startReflector<T>({ path, rest: opts.rest, log: opts.log, onChange: schedule, typeMeta })

  const services = reflect<LiveService & KubeObject>('/api/v1/services', { apiVersion: 'v1', kind: 'Service' })
  const namespaces = reflect('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace' })
  const configs = CONFIG_KINDS.map((k) =>
    reflect(configKindPath(opts.namespace, k), { apiVersion: `metallb.io/${k.version}`, kind: k.kind }),
  )
  const reflectors: readonly Pick<Reflector<KubeObject>, 'synced' | 'stop'>[] = [services, namespaces, ...configs]
  const synced = (): boolean => reflectors.every((r) => r.synced())
  const resync = setInterval(schedule, opts.resyncMs ?? 300_000)

  const currentConfig = (): Config | undefined => {
    const result = buildConfig(configs.flatMap((r) => r.list()), { namespace: opts.namespace })
    const errors: readonly ConfigError[] = result._tag === 'Valid' ? [] : result.errors
    if (result._tag === 'Valid') lastValid = result.config
    opts.metrics.configLoaded.set(lastValid === undefined ? 0 : 1)
    opts.metrics.configStale.set(result._tag === 'Invalid' ? 1 : 0)
    if (result._tag === 'Invalid') opts.log.warn('config-invalid', { errors: errors.length, first: errors[0] })
    if (opts.isLeader()) void publishConfigState(errors)
    // The last valid config keeps running: a typo must not release anyone's IP.
    return lastValid
  }

  const writeOne = async (svc: LiveService & KubeObject, write: ServiceWrite): Promise<boolean> => {
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`
    if (!opts.isLeader()) {
      passStats.notLeader++
      return false
    }
    try {
      const res = await applyServiceWrite(opts.rest, svc, write, opts.events)
      if (res._tag === 'Written') {
        services.observeWrite(res.latest as LiveService & KubeObject)
        opts.metrics.updates.inc()
        opts.log.info('service-updated', { service: key, ingress: write.status?.loadBalancer.ingress.map((i) => i.ip) ?? null, events: write.events.map((e) => e.reason) })
        return true
      }
      if (res._tag === 'Conflict') {
        dirty = true
        passStats.conflicts++
        opts.log.info('service-write-conflict', { service: key, resourceVersion: svc.metadata.resourceVersion ?? null })
      }
      return res._tag !== 'Conflict'
    } catch (err) {
      opts.metrics.updateErrors.inc()
      opts.log.error('service-update-failed', { service: key, error: err })
      dirty = true
      return false
    }
  }

  // Releases land before acquisitions, so no observer ever sees an IP on a Service that is losing
  // it together with one that is taking it (core/controller/writeOrder.ts).
  const writeServices = async (plan: AllocationPlan, live: readonly (LiveService & KubeObject)[]): Promise<void> => {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
    const keyOf = (svc: LiveService): string => `${svc.metadata.namespace}/${svc.metadata.name}`
    const verdicts = new Map<string, Verdict>()
    for (const [key, outcome] of plan.outcomes) verdicts.set(key, verdictOf(outcome))
    const planned = plannedHolders(verdicts)
    const byKey = new Map(live.map((svc) => [keyOf(svc), svc]))
    const firstWrites = new Map<string, ServiceWrite>()
    const plannedWrites: PlannedWrite[] = []
    for (const svc of live) {
      const verdict = verdicts.get(keyOf(svc))
      if (verdict === undefined) continue
      const state = serviceStateOf(svc)
      const write = serviceWrite(state, verdict, now)
      if (write.status === undefined && write.annotations === undefined) continue
      firstWrites.set(state.key, write)
      plannedWrites.push({ key: state.key, current: state.ingressIPs, next: write.status?.loadBalancer.ingress.map((i) => i.ip) ?? state.ingressIPs })
    }
    const order = orderWrites(plannedWrites, planned)
    passStats.planned = plannedWrites.length
    const limit = opts.writeConcurrency ?? 16
    await forEachLimited(order.releases, limit, async (r) => {
      const svc = byKey.get(r.key)
      const write = firstWrites.get(r.key)
      if (svc === undefined || write === undefined) return
      const interim: ServiceWrite = {
        status: { loadBalancer: { ingress: r.next.map((ip) => ({ ip })) }, conditions: serviceStateOf(svc).conditions },
        annotations: undefined,
        events: [],
      }
      await writeOne(svc, r.interim ? interim : write)
    })
    const latest = new Map(services.list().map((svc) => [keyOf(svc), svc]))
    const shownNow = answeredHolders([...latest.values()].map(serviceStateOf), verdicts)
    await forEachLimited(order.acquisitions, limit, async (w) => {
      const svc = latest.get(w.key)
      const verdict = verdicts.get(w.key)
      if (svc === undefined || verdict === undefined) return
      if (blockersOf(w, shownNow, planned).length > 0) {
        passStats.deferred++
        dirty = true // a release did not land; the next pass retries
        retryAfterMs = Math.max(retryAfterMs, BLOCKED_RETRY_MS)
        return
      }
      // Recomputed on the latest copy (an interim write changed it); the Events of the whole move.
      const write = serviceWrite(serviceStateOf(svc), verdict, now)
      await writeOne(svc, { ...write, events: firstWrites.get(w.key)?.events ?? write.events })
    })
  }

  const pass = async (): Promise<void> => {
    if (!synced()) {
      opts.log.debug('not-synced', {})
      return
    }
    const started = performance.now()
    passStats = { planned: 0, conflicts: 0, deferred: 0, notLeader: 0 }
    const config = currentConfig()
    if (config === undefined) return
    const liveServices = services.list()
    const cluster = decodeClusterObjects([...liveServices, ...namespaces.list()])
    for (const p of cluster.problems) opts.log.warn('object-skipped', { problem: p })
    const plan = planAllocation({ config, services: cluster.services, namespaces: cluster.namespaces, loadBalancerClass: opts.loadBalancerClass })
    opts.metrics.setPools(
      plan.pools.map((p) => ({ ...p, services: [...plan.outcomes.values()].filter((o) => o._tag === 'Assigned' && o.pool === p.name).length })),
    )
    if (opts.isLeader()) {
      await writeServices(plan, liveServices)
      await publishPoolStatus(opts, configs[0]?.list() ?? [], plan.pools)
    }
    const ms = performance.now() - started
    opts.metrics.reconcileSeconds.set(ms / 1000)
    const stuck = passStats.conflicts + passStats.deferred + passStats.notLeader > 0
    ;(ms > 1_000 || stuck ? opts.log.info : opts.log.debug)('reconciled', { ms: Math.round(ms), services: liveServices.length, leader: opts.isLeader(), ...passStats })
  }

  async function run(): Promise<void> {
    timer = undefined
    if (running) return
    running = true
    retryAfterMs = 0
    try {
      dirty = false
      await pass()
    } catch (err) {
      opts.log.error('reconcile-failed', { error: err })
      dirty = true
      retryAfterMs = FAILED_RETRY_MS
    } finally {
      running = false
      if (dirty) schedule()
      else {
        const waiters = idleWaiters
        idleWaiters = []
        for (const w of waiters) w()
      }
    }
  }

  return {
    ready: synced,
    kick: schedule,
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve)
        schedule()
      }),
    stop: () => {
      clearInterval(resync)
      if (timer !== undefined) clearTimeout(timer)
      for (const r of reflectors) r.stop()
    },
  }
}

// The speaker on one node, as a thin loop: any change (API objects, the failure detector's live set,
// the node's interfaces) kicks it; a pass reads the caches and the node's facts, asks the core for
// the whole decision (core/speaker/reconcile.ts) and applies the plan (applyPlan.ts). The API server
// is only a source of objects: while it is unreachable the caches keep the last known state and the
// speakers still fail over among themselves. A speaker that cannot open a packet socket on any
// usable interface announces nothing, leaves the failure detector so the others take its IPs,
// reports not ready, and says why in its log, metrics and a Node Event (linkWatch.ts). BGP runs
// beside it (bgpApplier.ts) on the addon's sockets (TTL, MD5, VRF device), with BFD.
import { reconcileSpeaker } from '../../core/speaker/reconcile.js'
import { initialSpeakerState, type SpeakerInput } from '../../core/speaker/speakerPlan.js'
import { l2StatusWrites } from '../../core/speaker/l2StatusWrites.js'
import { decodeL2Statuses } from '../../core/speaker/l2StatusCodec.js'
import { decodeBgpStatuses } from '../../core/speaker/bgpStatusCodec.js'
import { bgpStatusWrites } from '../../core/speaker/bgpStatusWrites.js'
import type { LinkFacts } from '../../core/speaker/interfaceFilter.js'
import { sessionConditions } from '../../core/speaker/sessionConditions.js'
import { rfc3339Seconds } from '../../core/cluster/timestamp.js'
import type { ConfigError } from '../../core/model/config.js'
import type { Condition } from '../../core/model/serviceShown.js'
import { configStatePublisher, speakerReporter } from '../kube/configState.js'
import type { EventRecorder } from '../kube/events.js'
import type { RestClient } from '../kube/rest.js'
import { type ReconcileLoop, startReconcileLoop } from '../loop/reconcileLoop.js'
import type { Logger } from '../obs/log.js'
import { startBfd } from '../bfd/bfd.js'
import { bfdMetrics } from '../bfd/metrics.js'
import type { Dialer, Listen } from '../bgp/socketOptions.js'
import { nativeDialer, nativeListen } from '../native/bgpSockets.js'
import { applySpeakerPlan } from './applyPlan.js'
import { startBgpApplier } from './bgpApplier.js'
import { bgpStatusPublisher, writeBgpStatus } from './bgpStatus.js'
import { startSpeakerCaches } from './caches.js'
import { type ResponderIo, startL2Responder } from './l2Responder.js'
import { l2StatusPublisher, writeL2Status } from './l2Status.js'
import { queuedStatusDeps } from './statusObjects.js'
import { startLinkWatch } from './linkWatch.js'
import { membershipApplier } from './membershipApplier.js'
import type { SpeakerMetrics } from './metrics.js'

export interface SpeakerOptions {
  readonly rest: RestClient
  readonly log: Logger
  readonly metrics: SpeakerMetrics
  readonly events: EventRecorder
  readonly node: string
  readonly namespace: string
  readonly loadBalancerClass?: string
  readonly membershipKey: Uint8Array
  /** The mounted Secret's key file: reloaded when the Secret changes (shell/membership/keyFile.ts). */
  readonly membershipKeyFile?: string
  /** After a rotation the previous key still signs and verifies this long. */
  readonly membershipKeyGraceMs?: number
  readonly memberlistBind: string
  readonly memberlistPort: number
  readonly memberlistAdvertise?: string | undefined
  readonly linksPollMs?: number
  readonly batchMs?: number
  /** The node's interfaces and the responder's sockets; the kernel's by default (specs pass their own). */
  readonly listLinks?: () => Promise<readonly LinkFacts[]>
  readonly responderIo?: ResponderIo
  /** BGP sockets: the native addon's by default (specs may pass Node's own). */
  readonly bgpSockets?: { readonly dialer: Dialer; readonly listen: Listen; readonly port?: number }
  /** Where the failure detector runs: its own worker thread (default), or this one (specs run from source). */
  readonly membershipThread?: 'main' | 'worker'
  /** The failure detector's probe period (--memberlist-probe-interval); 100 ms when absent. */
  readonly membershipProbeIntervalMs?: number
}

export interface Speaker {
  readonly ready: () => boolean
  /** Graceful: tell the other speakers first, so they take the IPs over at once. */
  readonly stop: (graceful: boolean) => Promise<void>
}

/** A full pass at least this often, repairing drift. */
const RESYNC_MS = 60_000
/**
 * Under churn an API change waits until the loop has rested 3 times its last pass (at most 2 s): a
 * pass is O(Services), and while 10,000 arrive it must not hold a core the API server needs. The
 * failure detector, the links and the BGP sessions kick urgently: failover never waits.
 */
const COALESCE = { factor: 3, maxMs: 2_000 } as const

export const startSpeaker = async (opts: SpeakerOptions): Promise<Speaker> => {
  const { log, metrics } = opts
  const now = (): number => Date.now()
  let loop: ReconcileLoop | undefined
  const kick = (): void => loop?.kick()
  const urgent = (): void => loop?.kick('urgent')
  const responder = startL2Responder(metrics.counters, log, opts.responderIo)
  const caches = startSpeakerCaches(opts, kick)
  const links = await startLinkWatch({ ...opts, responder, kick: urgent, ...(opts.linksPollMs === undefined ? {} : { pollMs: opts.linksPollMs }) })
  const membership = membershipApplier({ ...opts, now, kick: urgent })
  const statusDeps = queuedStatusDeps({ rest: opts.rest, log, events: opts.events, namespace: opts.namespace, node: opts.node })
  const bfd = startBfd(log, bfdMetrics(metrics.registry))
  const sockets = opts.bgpSockets ?? { dialer: nativeDialer, listen: nativeListen }
  const bgp = startBgpApplier({ log, events: opts.events, node: opts.node, bfd, observe: metrics.bgp, onChange: urgent, ...sockets })
  const publishState = configStatePublisher({ rest: opts.rest, log, events: opts.events, namespace: opts.namespace }, speakerReporter(opts.node))
  let sessionsShown: readonly Condition[] = []
  const appliers = {
    log,
    metrics,
    responder,
    membership,
    bgp,
    now,
    publishStatus: l2StatusPublisher(statusDeps, (o) => caches.statuses.observeWrite(o), kick),
    publishBgpStatus: bgpStatusPublisher(statusDeps, (o) => caches.bgpStatuses.observeWrite(o), kick),
    publishConfigState: (errors: readonly ConfigError[]) => {
      sessionsShown = sessionConditions(bgp.reports(), sessionsShown, rfc3339Seconds(now()))
      return publishState(errors, sessionsShown)
    },
  }
  const env = { node: opts.node, namespace: opts.namespace, loadBalancerClass: opts.loadBalancerClass }
  let state = initialSpeakerState
  const pass = async () => {
    const usable = links.usable()
    const input: SpeakerInput = { snapshot: caches.snapshot(), readiness: links.readiness(), interfaces: [...usable.keys()], membership: membership.view(), goneSince: membership.goneSince() }
    const step = reconcileSpeaker(input, state, { ...env, now: now() })
    const outcome = await applySpeakerPlan(step.plan, usable, appliers)
    state = step.state
    return outcome
  }
  loop = startReconcileLoop({ name: 'speaker', pass, log, batchMs: opts.batchMs ?? 10, resyncMs: RESYNC_MS, backoff: { initialMs: 500, maxMs: 5_000 }, coalesce: COALESCE })

  return {
    ready: () => caches.synced() && membership.view()._tag === 'In' && links.readiness()._tag === 'Able',
    stop: async (graceful) => {
      responder.silence()
      links.stop()
      await loop?.stop()
      const bgpStopped = bgp.stop() // sessions close now; a restart's BFD wait (bgpApplier.ts) runs beside the handover
      await membership.stop(graceful)
      await bgpStopped.then(() => bfd.close())
      await responder.close()
      caches.stop()
      // The new owners write their own records; ours go, best effort and bounded.
      if (graceful) await writeL2Status(statusDeps, l2StatusWrites([], decodeL2Statuses(caches.statuses.list()))).catch(() => undefined)
      // MetalLB's go with the speaker Pod (owner reference); ours go here, likewise best effort.
      if (graceful) await writeBgpStatus(statusDeps, bgpStatusWrites([], decodeBgpStatuses(caches.bgpStatuses.list()))).catch(() => undefined)
    },
  }
}

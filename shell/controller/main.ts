// Wires the controller binary: settings (flags.ts), the kubeconfig, leader election, the reconcile
// loop, metrics, health and the webhook. The only file that knows all the parts.
import * as E from 'fp-ts/lib/Either.js'
import { type OwnerReference, ownerReferences } from '../../core/controller/installOwner.js'
import { eventRecorder } from '../kube/events.js'
import { loadKubeConfig } from '../kube/kubeConfig.js'
import { type LeaseElector, startLeaseElector } from '../kube/leaseElector.js'
import { type RestClient, restClient } from '../kube/rest.js'
import { type Logger, jsonLogger } from '../obs/log.js'
import { startObservability } from '../obs/observability.js'
import { keepWebhook } from '../webhook/run.js'
import { type StopSignal, catchStopSignal } from '../cli/stopSignal.js'
import { type Controller, startController } from './controller.js'
import { type ControllerSettings, controllerSettings } from './flags.js'
import { adoptLeftovers, leftovers } from './adopt.js'
import { findInstallOwner } from './installOwner.js'
import { ensureMemberlistSecret } from './memberlistSecret.js'
import { type ControllerMetrics, controllerMetrics } from './metrics.js'

interface Clients {
  readonly rest: RestClient
  /** Its own connections: Lease renewals must never queue behind a burst of Service writes. */
  readonly leaseRest: RestClient
}

const connect = async (kubeconfig: string | undefined): Promise<Clients> => {
  const kc = loadKubeConfig(kubeconfig)
  return { rest: await restClient(kc), leaseRest: await restClient(kc) }
}

/** Leader election and the controller, each kicking the other's side: a new leader passes at once. */
const startLeading = (s: ControllerSettings, c: Clients, log: Logger, metrics: ControllerMetrics, owners: readonly OwnerReference[]): { elector: LeaseElector; controller: Controller } => {
  let kick = (): void => undefined
  const elector = startLeaseElector({
    rest: c.leaseRest,
    namespace: s.namespace,
    name: s.leaseName,
    ownerReferences: owners,
    identity: s.identity,
    timing: s.timing,
    log,
    onStartedLeading: () => {
      metrics.leader.set(1)
      kick()
    },
    onStoppedLeading: () => metrics.leader.set(0),
  })
  const events = eventRecorder(c.rest, 'metallb-controller', s.identity, log)
  const controller = startController({ rest: c.rest, log, metrics, events, namespace: s.namespace, loadBalancerClass: s.lbClass, isLeader: elector.isLeader })
  kick = controller.kick
  return { elector, controller }
}

const stopAll = async (parts: { elector: LeaseElector; controller: Controller }, c: Clients): Promise<void> => {
  await parts.controller.stop()
  await parts.elector.stop()
  c.rest.close()
  c.leaseRest.close()
}

/** `stop`: the stop signals, caught by the command before this module loaded (shell/cli/stopSignal.ts). */
export const runController = async (argv: readonly string[], stop: StopSignal = catchStopSignal()): Promise<number> => {
  const settings = controllerSettings(argv)
  if (!settings.ok) {
    process.stderr.write(`ironlb controller: ${settings.error}\n`)
    return 2
  }
  const s = settings.value
  const log = jsonLogger(s.level, undefined, { component: 'controller' })
  // Stopped while it loaded: nothing taken yet (no Lease, no writes), nothing to hand over.
  const early = stop.received()
  if (early !== undefined) {
    log.info('controller-stopping', { signal: early, phase: 'starting' })
    return 0
  }
  const clients = await connect(s.kubeconfig)
  const metrics = controllerMetrics()
  // What it creates goes with the install: owned by its ServiceAccount (core/controller/installOwner.ts).
  const owners = ownerReferences(await findInstallOwner(clients.rest, s.namespace, log))
  const webhookOptions = s.webhook.enabled ? s.webhook.options(clients.rest, log, s.namespace) : undefined
  // What an IronLB from before owner references left: adopted first, so it goes with this install too.
  await adoptLeftovers(clients.rest, leftovers(s.namespace, s.leaseName, s.mlSecret, webhookOptions?.secretName), owners, log)
  if (s.mlSecret !== undefined && s.mlSecret !== '')
    await ensureMemberlistSecret(clients.rest, s.namespace, s.mlSecret, owners, log).catch((err: unknown) => log.error('memberlist-secret-failed', { error: err }))
  const parts = startLeading(s, clients, log, metrics, owners)
  const obs = await startObservability(s.obs, { component: 'controller', rest: clients.rest, registry: metrics.registry, health: { ready: parts.controller.ready }, log })
  if (E.isLeft(obs)) {
    log.error('controller-start-failed', { error: obs.left })
    await stopAll(parts, clients)
    return 1
  }
  // Every replica serves the webhook, leader or not: the Service sends reviews to any of them.
  const webhookServer = webhookOptions === undefined ? undefined : keepWebhook({ ...webhookOptions, ownerReferences: owners })
  log.info('controller-started', { namespace: s.namespace, identity: s.identity, lbClass: s.lbClass ?? null, port: s.obs.metricsPort })
  // A signal that came during the start resolved `next` already: the controller stops at once.
  const signal = await stop.next
  log.info('controller-stopping', { signal })
  obs.right.close()
  void webhookServer?.stop()
  await stopAll(parts, clients)
  return 0
}

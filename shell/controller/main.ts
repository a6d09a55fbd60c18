// Wires the controller binary: flags and env (as MetalLB's controller reads them), the kubeconfig,
// leader election, the reconcile loop, metrics and health. The only file that knows all the parts.
import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { hostname } from 'node:os'
import { KubeConfig } from '@kubernetes/client-node'
import { parseArgs } from '../cli/args.js'
import { eventRecorder } from '../kube/events.js'
import { startLeaseElector } from '../kube/leaseElector.js'
import { restClient } from '../kube/rest.js'
import { isLogLevel, jsonLogger } from '../obs/log.js'
import { OBSERVABILITY_FLAGS, observabilitySettings, startObservability } from '../obs/observability.js'
import { startController } from './controller.js'
import { ensureMemberlistSecret } from './memberlistSecret.js'
import { controllerMetrics } from './metrics.js'
import { WEBHOOK_FLAGS, webhookSettings } from '../webhook/flags.js'
import { keepWebhook } from '../webhook/run.js'

const FLAGS = ['ml-secret-name', 'namespace', 'lb-class', 'log-level', ...OBSERVABILITY_FLAGS, 'kubeconfig', 'pod-name', 'lease-name', 'lease-duration', 'renew-deadline', 'retry-period', ...WEBHOOK_FLAGS]

const SA_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace'

const secondsFlag = (text: string | undefined, fallback: number, name: string): number => {
  if (text === undefined) return fallback
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text)
  if (m === null) throw new Error(`--${name}: "${text}" is not a duration like 15s or 500ms`)
  return Number(m[1]) * (m[2] === 'ms' ? 1 : 1000)
}

const defaultNamespace = (): string => {
  if (process.env['METALLB_NAMESPACE'] !== undefined && process.env['METALLB_NAMESPACE'] !== '') return process.env['METALLB_NAMESPACE']
  try {
    return readFileSync(SA_NAMESPACE_FILE, 'utf8').trim()
  } catch {
    return 'metallb-system'
  }
}

export const runController = async (argv: readonly string[]): Promise<number> => {
  const parsed = parseArgs(argv, FLAGS)
  if (!parsed.ok) {
    process.stderr.write(`ironlb controller: ${parsed.error}\n`)
    return 2
  }
  const flag = (name: string): string | undefined => parsed.args.flags.get(name)
  const level = flag('log-level') ?? 'info'
  if (!isLogLevel(level)) {
    process.stderr.write(`ironlb controller: --log-level must be one of all, debug, info, warn, error, none\n`)
    return 2
  }
  const log = jsonLogger(level, undefined, { component: 'controller' })
  const namespace = flag('namespace') ?? defaultNamespace()
  const identity = flag('pod-name') ?? process.env['METALLB_POD_NAME'] ?? `${hostname()}-${process.pid}`
  const timing = {
    leaseDurationMs: secondsFlag(flag('lease-duration'), 15_000, 'lease-duration'),
    renewDeadlineMs: secondsFlag(flag('renew-deadline'), 10_000, 'renew-deadline'),
    retryPeriodMs: secondsFlag(flag('retry-period'), 2_000, 'retry-period'),
  }
  if (timing.renewDeadlineMs >= timing.leaseDurationMs) {
    process.stderr.write('ironlb controller: --renew-deadline must be shorter than --lease-duration\n')
    return 2
  }
  const obsSettings = observabilitySettings(flag)
  if (!obsSettings.ok) {
    process.stderr.write(`ironlb controller: ${obsSettings.error}\n`)
    return 2
  }
  const webhook = webhookSettings(flag)
  if (!webhook.ok) {
    process.stderr.write(`ironlb controller: ${webhook.error}\n`)
    return 2
  }

  const kc = new KubeConfig()
  const kubeconfig = flag('kubeconfig')
  if (kubeconfig !== undefined) kc.loadFromFile(kubeconfig)
  else kc.loadFromDefault()
  const rest = await restClient(kc)
  // Its own connections: Lease renewals must never queue behind a burst of Service writes.
  const leaseRest = await restClient(kc)
  const metrics = controllerMetrics()
  const mlSecret = flag('ml-secret-name') ?? process.env['METALLB_ML_SECRET_NAME']
  if (mlSecret !== undefined && mlSecret !== '')
    await ensureMemberlistSecret(rest, namespace, mlSecret, log).catch((err: unknown) => log.error('memberlist-secret-failed', { error: err }))
  const events = eventRecorder(rest, 'metallb-controller', identity, log)

  let controllerKick = (): void => undefined
  const elector = startLeaseElector({
    rest: leaseRest,
    namespace,
    name: flag('lease-name') ?? 'ironlb-controller',
    identity,
    timing,
    log,
    onStartedLeading: () => {
      metrics.leader.set(1)
      controllerKick()
    },
    onStoppedLeading: () => metrics.leader.set(0),
  })
  const lbClass = flag('lb-class')
  const controller = startController({
    rest,
    log,
    metrics,
    events,
    namespace,
    loadBalancerClass: lbClass === '' ? undefined : lbClass,
    isLeader: elector.isLeader,
  })
  controllerKick = controller.kick
  const obs = await startObservability(obsSettings.value, { component: 'controller', rest, registry: metrics.registry, health: { ready: controller.ready }, log })
  if (E.isLeft(obs)) {
    log.error('controller-start-failed', { error: obs.left })
    controller.stop()
    await elector.stop()
    rest.close()
    leaseRest.close()
    return 1
  }
  // Every replica serves the webhook, leader or not: the Service sends reviews to any of them.
  const webhookServer = webhook.enabled ? keepWebhook(webhook.options(rest, log, namespace)) : undefined
  log.info('controller-started', { namespace, identity, lbClass: lbClass ?? null, port: obsSettings.value.metricsPort })

  return new Promise<number>((resolve) => {
    const shutdown = (signal: string): void => {
      log.info('controller-stopping', { signal })
      controller.stop()
      obs.right.close()
      void webhookServer?.stop()
      void elector.stop().finally(() => {
        rest.close()
        leaseRest.close()
        resolve(0)
      })
    }
    process.once('SIGTERM', () => shutdown('SIGTERM'))
    process.once('SIGINT', () => shutdown('SIGINT'))
  })
}

// Runs the validating webhook inside the controller: certificates first (created or read from the
// Secret), then the HTTPS server, then the caBundle patched into the webhook configuration. A timer
// looks again at the time the plan asks for (at most hourly; every 10 s while the configuration is
// not installed yet), swaps in a renewed certificate and re-patches a caBundle someone reset.
import { servingNames } from '../../core/webhook/servingCert.js'
import type { OwnerReference } from '../../core/controller/installOwner.js'
import type { RestClient } from '../kube/rest.js'
import type { Logger } from '../obs/log.js'
import { type CertificateDeps, ensureCertificates, patchCaBundle } from './certificates.js'
import { serveWebhook } from './server.js'

export interface WebhookOptions {
  readonly rest: RestClient
  readonly log: Logger
  readonly namespace: string
  readonly host: string
  readonly port: number
  /** MetalLB's names, the defaults: Service metallb-webhook-service, Secret metallb-webhook-cert. */
  readonly serviceName: string
  readonly secretName: string
  readonly webhookConfigurationName: string
  readonly clusterDomain: string
  /** More names or addresses for the certificate (a webhook reached by URL). */
  readonly extraHosts: readonly string[]
  /** Set on the certificate Secret when this creates it (the collector then removes it with its owner). */
  readonly ownerReferences?: readonly OwnerReference[]
}

interface RunningWebhook {
  readonly port: () => number
  readonly stop: () => Promise<void>
}

const RETRY_MS = 10_000
const MAX_WAIT_MS = 3_600_000

export const startWebhook = async (o: WebhookOptions): Promise<RunningWebhook> => {
  const log = o.log.child({ op: 'webhook' })
  const deps: CertificateDeps = {
    rest: o.rest,
    log,
    namespace: o.namespace,
    secretName: o.secretName,
    ownerReferences: o.ownerReferences ?? [],
    webhookConfigurationName: o.webhookConfigurationName,
    names: servingNames(o.serviceName, o.namespace, o.clusterDomain, o.extraHosts),
    now: () => new Date(),
  }
  const first = await ensureCertificates(deps)
  const server = await serveWebhook({ rest: o.rest, log, namespace: o.namespace }, o.host, o.port, first.serving)
  let served = first.serving.certPem
  let timer: NodeJS.Timeout | undefined
  let stopped = false

  const look = async (): Promise<number> => {
    const ensured = await ensureCertificates(deps)
    if (ensured.serving.certPem !== served) {
      server.setCertificate(ensured.serving)
      served = ensured.serving.certPem
      log.info('webhook-certificate-loaded', { secret: `${o.namespace}/${o.secretName}` })
    }
    const installed = await patchCaBundle(deps, ensured.caPem)
    if (!installed) return RETRY_MS
    return Math.max(1000, Math.min(MAX_WAIT_MS, ensured.recheckAt * 1000 - Date.now()))
  }
  const schedule = (ms: number): void => {
    if (stopped) return
    timer = setTimeout(() => {
      look().then(schedule, (err: unknown) => {
        log.error('webhook-certificate-check-failed', { error: err })
        schedule(RETRY_MS)
      })
    }, ms)
    timer.unref()
  }
  await look().then(schedule, (err: unknown) => {
    log.error('webhook-certificate-check-failed', { error: err })
    schedule(RETRY_MS)
  })
  log.info('webhook-started', { port: server.port(), service: o.serviceName, secret: o.secretName })
  return {
    port: server.port,
    stop: async () => {
      stopped = true
      if (timer !== undefined) clearTimeout(timer)
      await server.close()
    },
  }
}

/**
 * Starts the webhook in the background, trying again every 10 s while it cannot (the API server
 * unreachable, the port taken): the controller's own work never waits on it.
 */
export const keepWebhook = (o: WebhookOptions): { readonly stop: () => Promise<void> } => {
  let running: RunningWebhook | undefined
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  const attempt = (): void => {
    startWebhook(o).then(
      (w) => {
        if (stopped) void w.stop()
        else running = w
      },
      (err: unknown) => {
        o.log.error('webhook-start-failed', { op: 'webhook', error: err })
        if (!stopped) timer = setTimeout(attempt, RETRY_MS)
      },
    )
  }
  attempt()
  return {
    stop: async () => {
      stopped = true
      if (timer !== undefined) clearTimeout(timer)
      await running?.stop()
    },
  }
}

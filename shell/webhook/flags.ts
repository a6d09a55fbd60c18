// The controller's webhook flags, with MetalLB's names where it has them (--webhook-mode,
// --cert-service-name) and MetalLB's object names as defaults. Read here so the controller's wiring
// only forwards them.
import type { RestClient } from '../kube/rest.js'
import type { Logger } from '../obs/log.js'
import type { WebhookOptions } from './run.js'

export const WEBHOOK_FLAGS = [
  'webhook-mode',
  'webhook-port',
  'webhook-host',
  'cert-service-name',
  'webhook-cert-secret',
  'webhook-configuration',
  'webhook-extra-hosts',
  'cluster-domain',
] as const

type WebhookSettings = { readonly ok: true; readonly enabled: false } | { readonly ok: true; readonly enabled: true; readonly options: (rest: RestClient, log: Logger, namespace: string) => WebhookOptions } | { readonly ok: false; readonly error: string }

/** `--webhook-mode=enabled` serves the webhook; disabled (the default) does not. */
export const webhookSettings = (flag: (name: string) => string | undefined): WebhookSettings => {
  const mode = flag('webhook-mode') ?? 'disabled'
  if (mode === 'disabled') return { ok: true, enabled: false }
  if (mode !== 'enabled') return { ok: false, error: `--webhook-mode must be enabled or disabled, not "${mode}"` }
  const portText = flag('webhook-port') ?? '9443'
  const port = Number(portText)
  if (!Number.isInteger(port) || port < 0 || port > 65535) return { ok: false, error: `--webhook-port: "${portText}" is not a port` }
  const extra = (flag('webhook-extra-hosts') ?? '').split(',').map((h) => h.trim()).filter((h) => h !== '')
  return {
    ok: true,
    enabled: true,
    options: (rest, log, namespace) => ({
      rest,
      log,
      namespace,
      host: flag('webhook-host') ?? '0.0.0.0',
      port,
      serviceName: flag('cert-service-name') ?? 'metallb-webhook-service',
      secretName: flag('webhook-cert-secret') ?? 'metallb-webhook-cert',
      webhookConfigurationName: flag('webhook-configuration') ?? 'metallb-webhook-configuration',
      clusterDomain: flag('cluster-domain') ?? 'cluster.local',
      extraHosts: extra,
    }),
  }
}

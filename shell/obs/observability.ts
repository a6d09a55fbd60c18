// The flags and start-up both daemons share for metrics and health: /metrics over TLS behind the
// API server's authentication and authorization on --host:--port (MetalLB's flag names, default
// port 7472, and --metrics-cert-dir and --tls-min-version as MetalLB v0.16 names them), liveness
// and readiness in plain HTTP on --health-probe-bind-address (controller-runtime's name; default
// :7473). One place, so the controller and the speaker cannot drift apart.
import { hostname } from 'node:os'
import { isIP } from 'node:net'
import type { Server } from 'node:http'
import type { Registry } from 'prom-client'
import * as E from 'fp-ts/lib/Either.js'
import { isDnsName } from '../../core/x509/certificate.js'
import type { RestClient } from '../kube/rest.js'
import { apiServerReviews } from './accessReview.js'
import { parseBindAddress, parsePort, type BindAddress } from './bindAddress.js'
import { serveHealth, type HealthChecks } from './healthServer.js'
import type { Logger } from './log.js'
import { DEFAULT_GATE_TTL_MS, DEFAULT_STALE_GRANT_MS, metricsGate } from './metricsGate.js'
import { serveMetrics, type MetricsServer, type TlsMinVersion } from './metricsServer.js'
import { mountedCertificate, selfSignedCertificate, type ServingCertificate } from './servingCertificate.js'

export const OBSERVABILITY_FLAGS = ['host', 'port', 'health-probe-bind-address', 'metrics-cert-dir', 'tls-min-version'] as const

const DEFAULT_METRICS_PORT = 7472
const DEFAULT_HEALTH_ADDRESS = ':7473'

interface ObservabilitySettings {
  /** undefined: every address. */
  readonly metricsHost: string | undefined
  readonly metricsPort: number
  readonly health: BindAddress
  readonly certDir: string | undefined
  readonly minVersion: TlsMinVersion
}

const TLS_VERSIONS: Readonly<Record<string, TlsMinVersion>> = { VersionTLS12: 'TLSv1.2', VersionTLS13: 'TLSv1.3' }

/** Reads the flags (and the speaker's METALLB_HOST fallback for --host, as MetalLB's speaker does). */
export const observabilitySettings = (flag: (name: string) => string | undefined, hostFallback?: string): { ok: true; value: ObservabilitySettings } | { ok: false; error: string } => {
  const port = parsePort(flag('port') ?? String(DEFAULT_METRICS_PORT), 'port')
  if (!port.ok) return port
  const health = parseBindAddress(flag('health-probe-bind-address') ?? DEFAULT_HEALTH_ADDRESS, 'health-probe-bind-address')
  if (!health.ok) return health
  const tls = flag('tls-min-version') ?? 'VersionTLS12'
  const minVersion = TLS_VERSIONS[tls]
  if (minVersion === undefined) return { ok: false, error: `--tls-min-version: "${tls}" is not VersionTLS12 or VersionTLS13` }
  const host = flag('host') ?? hostFallback
  const certDir = flag('metrics-cert-dir')
  return {
    ok: true,
    value: {
      metricsHost: host === undefined || host === '' ? undefined : host.replace(/^\[|\]$/g, ''),
      metricsPort: port.value,
      health: health.value,
      certDir: certDir === '' ? undefined : certDir,
      minVersion,
    },
  }
}

/** The names a self-signed certificate carries: localhost, this host's name, loopback, and the bind address when it is one. */
const selfSignedNames = (component: string, host: string | undefined) => {
  const name = hostname()
  const specific = host !== undefined && isIP(host) !== 0 && host !== '0.0.0.0' && host !== '::' ? [host] : []
  return {
    commonName: `ironlb-${component}`,
    dnsNames: ['localhost', ...(isDnsName(name) && name !== 'localhost' ? [name] : [])],
    ipAddresses: ['127.0.0.1', '::1', ...specific.filter((h) => h !== '127.0.0.1' && h !== '::1')],
  }
}

interface ObservabilityDeps {
  readonly component: 'controller' | 'speaker'
  readonly rest: RestClient
  readonly registry: Registry
  readonly health: HealthChecks
  readonly log: Logger
}

interface Observability {
  readonly certificate: ServingCertificate
  readonly close: () => void
}

/** Starts both servers; a Left names what is wrong (an unreadable or mismatched certificate, a port in use). */
export const startObservability = async (settings: ObservabilitySettings, deps: ObservabilityDeps): Promise<E.Either<string, Observability>> => {
  const certificate = settings.certDir === undefined ? selfSignedCertificate(selfSignedNames(deps.component, settings.metricsHost), new Date()) : mountedCertificate(settings.certDir)
  if (E.isLeft(certificate)) return E.left(`metrics certificate: ${certificate.left}`)
  const gate = metricsGate({ reviews: apiServerReviews(deps.rest), ttlMs: DEFAULT_GATE_TTL_MS, staleGrantMs: DEFAULT_STALE_GRANT_MS, now: () => Date.now(), maxEntries: 1_000 })
  let metrics: MetricsServer
  let health: Server | undefined
  try {
    metrics = await serveMetrics({
      host: settings.metricsHost,
      port: settings.metricsPort,
      registry: deps.registry,
      gate,
      certificate: certificate.right,
      minVersion: settings.minVersion,
      log: deps.log,
      ...(settings.certDir === undefined ? {} : { reload: { certDir: settings.certDir, everyMs: 30_000 } }),
    })
  } catch (err) {
    return E.left(`metrics server on ${settings.metricsHost ?? '*'}:${settings.metricsPort}: ${err instanceof Error ? err.message : String(err)}`)
  }
  if (settings.health._tag === 'Listen') {
    try {
      health = await serveHealth(settings.health.host, settings.health.port, deps.health)
    } catch (err) {
      metrics.close()
      return E.left(`health server on ${settings.health.host ?? '*'}:${settings.health.port}: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  deps.log.info('metrics-serving', {
    metrics: `https://${settings.metricsHost ?? '*'}:${settings.metricsPort}/metrics`,
    health: settings.health._tag === 'Listen' ? `http://${settings.health.host ?? '*'}:${settings.health.port}` : 'off',
    certificate: certificate.right.source,
    notAfter: certificate.right.notAfter,
    fingerprint: certificate.right.fingerprint256,
  })
  return E.right({
    certificate: certificate.right,
    close: () => {
      metrics.close()
      health?.close()
    },
  })
}

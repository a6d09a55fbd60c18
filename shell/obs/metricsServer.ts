// /metrics over TLS, for callers whose bearer token the API server authenticates and authorizes
// (`get` on the non-resource URL /metrics), as controller-runtime's secure metrics serve it.
// Every answer is counted by decision in ironlb_metrics_access_total. A mounted certificate is
// re-read when its files change (cert-manager renews in place); a self-signed one lives as long as
// the process.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer, type Server } from 'node:https'
import { Counter, type Registry } from 'prom-client'
import * as E from 'fp-ts/lib/Either.js'
import { httpStatusOf, reasonOf } from '../../core/access/metricsAccess.js'
import type { Logger } from './log.js'
import type { MetricsGate } from './metricsGate.js'
import { mountedCertificate, mountedVersion, type ServingCertificate } from './servingCertificate.js'

export type TlsMinVersion = 'TLSv1.2' | 'TLSv1.3'

interface MetricsServerOptions {
  readonly host: string | undefined
  readonly port: number
  readonly registry: Registry
  readonly gate: MetricsGate
  readonly certificate: ServingCertificate
  readonly minVersion: TlsMinVersion
  readonly log: Logger
  /** The mounted directory to watch, and how often to look. */
  readonly reload?: { readonly certDir: string; readonly everyMs: number }
}

export interface MetricsServer {
  readonly server: Server
  readonly close: () => void
}

const ACCESS_METRIC = 'ironlb_metrics_access_total'

const accessCounter = (registry: Registry): Counter<'decision'> =>
  (registry.getSingleMetric(ACCESS_METRIC) as Counter<'decision'> | undefined) ??
  new Counter({ name: ACCESS_METRIC, help: 'Requests for /metrics, by decision (Granted, NoBearerToken, TokenNotAuthenticated, NotAuthorized, ReviewFailed)', labelNames: ['decision'], registers: [registry] })

const BODY: Record<401 | 403 | 503, string> = { 401: 'Unauthorized\n', 403: 'Forbidden\n', 503: 'authorization could not be checked\n' }

/** Answers /metrics to a caller the gate lets in, and says why to everyone else. */
const answerMetrics =
  (opts: MetricsServerOptions, counter: Counter<'decision'>) =>
  (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0]
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404)
      res.end()
      return
    }
    void opts.gate(req.headers.authorization).then(async (decision) => {
      counter.inc({ decision: reasonOf(decision) })
      const status = httpStatusOf(decision)
      if (status !== 200) {
        if (decision._tag === 'Failed') opts.log.warn('metrics-access-unchecked', { reason: decision.reason, error: decision.detail })
        else opts.log.debug('metrics-access-refused', { reason: reasonOf(decision), detail: decision._tag === 'Refused' ? decision.detail : '' })
        res.writeHead(status, { 'Content-Type': 'text/plain', ...(status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {}) })
        res.end(BODY[status])
        return
      }
      try {
        const text = await opts.registry.metrics()
        res.writeHead(200, { 'Content-Type': opts.registry.contentType })
        res.end(text)
      } catch (err) {
        res.writeHead(500)
        res.end(String(err))
      }
    })
  }

/** Swaps in the mounted certificate whenever its files change; the timer does not keep the process up. */
const reloadCertificate = (server: Server, opts: MetricsServerOptions, reload: NonNullable<MetricsServerOptions['reload']>): NodeJS.Timeout => {
  let seen = mountedVersion(reload.certDir)
  const timer = setInterval(() => {
    const now = mountedVersion(reload.certDir)
    if (now === undefined || now === seen) return
    seen = now
    const fresh = mountedCertificate(reload.certDir)
    if (E.isLeft(fresh)) {
      opts.log.error('metrics-certificate-reload-failed', { error: fresh.left })
      return
    }
    server.setSecureContext({ key: fresh.right.keyPem, cert: fresh.right.certPem, minVersion: opts.minVersion })
    opts.log.info('metrics-certificate-reloaded', { notAfter: fresh.right.notAfter, fingerprint: fresh.right.fingerprint256 })
  }, reload.everyMs)
  timer.unref()
  return timer
}

export const serveMetrics = (opts: MetricsServerOptions): Promise<MetricsServer> => {
  const counter = accessCounter(opts.registry)
  const server = createServer({ key: opts.certificate.keyPem, cert: opts.certificate.certPem, minVersion: opts.minVersion }, answerMetrics(opts, counter))
  const timer = opts.reload === undefined ? undefined : reloadCertificate(server, opts, opts.reload)
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () =>
      resolve({
        server,
        close: () => {
          if (timer !== undefined) clearInterval(timer)
          server.close()
          server.closeAllConnections()
        },
      }),
    )
  })
}

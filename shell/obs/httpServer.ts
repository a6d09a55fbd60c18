// The metrics and health endpoint every IronLB process serves: /metrics (Prometheus text),
// /healthz (the process is alive) and /readyz (it has synced and can do its job).
import { createServer, type Server } from 'node:http'
import type { Registry } from 'prom-client'

export interface HealthChecks {
  readonly ready: () => boolean
}

export const serveObservability = (host: string, port: number, registry: Registry, health: HealthChecks): Promise<Server> => {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/metrics') {
      registry
        .metrics()
        .then((text) => {
          res.writeHead(200, { 'Content-Type': registry.contentType })
          res.end(text)
        })
        .catch((err: unknown) => {
          res.writeHead(500)
          res.end(String(err))
        })
      return
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' })
      res.end('ok\n')
      return
    }
    if (path === '/readyz') {
      const ok = health.ready()
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' })
      res.end(ok ? 'ok\n' : 'not ready\n')
      return
    }
    res.writeHead(404)
    res.end()
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve(server))
  })
}

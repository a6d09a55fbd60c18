// Liveness and readiness on their own plain-HTTP port: /healthz (the process answers) and /readyz
// (it has synced and can do its job). Nothing here is secret, so the kubelet probes it without TLS
// or a token; /metrics lives on the authenticated port (metricsServer.ts).
import { createServer, type Server } from 'node:http'

export interface HealthChecks {
  readonly ready: () => boolean
}

export const serveHealth = (host: string | undefined, port: number, health: HealthChecks): Promise<Server> => {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/healthz' || path === '/livez') {
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

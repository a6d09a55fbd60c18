// Reflectors through an API outage, against the real API server: a speaker's 11 reflectors (here 11
// ConfigMap watches, one label each) reach it through a TCP relay on loopback that the spec closes for
// 25 s (connections refused, open ones reset) and opens again; an object made for each during the
// outage must be in every cache within 1.5 s of the reopening. A speaker restarted during an outage
// joins the failure detector only once all its caches are filled, so the slowest of the 11 is its
// wait (README: a cache that waited out a grown backoff was 25 s of the API outage row's settle).
// Before shell/kube/reachability.ts each reflector backed off to 30 s on refused connections, and
// after 25 s of them its next try was 8-30 s away.
import { type Server, type Socket, createConnection, createServer } from 'node:net'
import { KubeConfig } from '@kubernetes/client-node'
import t from 'tap'
import { apiReachability } from '../../../shell/kube/reachability.js'
import { type KubeObject, type Reflector, startReflector } from '../../../shell/kube/reflector.js'
import { ensureOk, restClient } from '../../../shell/kube/rest.js'
import { silentLogger } from '../../../shell/obs/log.js'
import { create, randomSuffix, testKubeconfig, testRest } from '../../support/kube.js'

// The outage alone is 25 s; the wait after it is bounded at about 10 s.
t.setTimeout(90_000)

const REFLECTORS = 11
const OUTAGE_MS = 25_000
const BAR_MS = 1_500

interface Relay {
  readonly port: number
  /** No new connection (refused) and every open one reset. */
  readonly close: () => Promise<void>
  readonly open: () => Promise<void>
}

/** A TCP relay on 127.0.0.1 to the API server, on one port for its life. */
const relay = async (target: URL): Promise<Relay> => {
  const sockets = new Set<Socket>()
  let server: Server | undefined
  let port = 0
  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = createServer((inbound) => {
        const outbound = createConnection({ host: target.hostname, port: Number(target.port) })
        for (const x of [inbound, outbound]) {
          sockets.add(x)
          x.on('close', () => sockets.delete(x))
          x.on('error', () => undefined)
        }
        inbound.pipe(outbound).pipe(inbound)
      })
      s.once('error', reject)
      s.listen(port, '127.0.0.1', () => {
        const a = s.address()
        if (a !== null && typeof a === 'object') port = a.port
        server = s
        resolve()
      })
    })
  await listen()
  return {
    port,
    close: async () => {
      const s = server
      server = undefined
      const closed = new Promise<void>((r) => (s === undefined ? r() : void s.close(() => r())))
      for (const x of sockets) x.destroy()
      await closed
    },
    open: listen,
  }
}

/** The test kubeconfig's credentials, its server replaced by the relay. */
const restVia = async (port: number) => {
  const kc = new KubeConfig()
  kc.loadFromFile(testKubeconfig())
  return restClient({ getCurrentCluster: () => ({ server: `https://127.0.0.1:${port}` }), applyToHTTPSOptions: (o) => kc.applyToHTTPSOptions(o) })
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

t.test(`${REFLECTORS} reflectors refill within ${BAR_MS} ms of the API server reachable again after ${OUTAGE_MS / 1000} s`, async (t) => {
  const direct = await testRest()
  const r = await relay(new URL(readServer()))
  const ns = `outage-${randomSuffix()}`
  await create(direct, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })
  const rest = await restVia(r.port)
  const reachability = apiReachability()
  const reflectors: Reflector<KubeObject>[] = []
  for (let i = 0; i < REFLECTORS; i++)
    reflectors.push(startReflector<KubeObject>({ path: `/api/v1/namespaces/${ns}/configmaps`, labelSelector: `r=${i}`, rest, log: silentLogger, onChange: () => undefined, reachability }))
  t.teardown(async () => {
    for (const x of reflectors) x.stop()
    rest.close()
    await r.close()
    await direct.request('DELETE', `/api/v1/namespaces/${ns}`).catch(() => undefined)
    direct.close()
  })
  for (let i = 0; i < 100 && !reflectors.every((x) => x.synced()); i++) await sleep(100)
  t.ok(reflectors.every((x) => x.synced()), 'all synced through the relay')
  await sleep(1_000)

  await r.close()
  const before = reflectors.map((x) => x.restarts().error)
  for (let i = 0; i < REFLECTORS; i++)
    ensureOk(
      await direct.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `made-in-outage-${i}`, labels: { r: String(i) } }, data: { i: String(i) } } }),
      'create a ConfigMap',
    )
  await sleep(OUTAGE_MS)
  const failed = reflectors.map((x, i) => x.restarts().error - (before[i] ?? 0))
  t.ok(failed.every((n) => n >= 1), `every reflector failed meanwhile (failures: ${failed.join(', ')})`)

  const tOpen = Date.now()
  await r.open()
  const seen: (number | undefined)[] = reflectors.map(() => undefined)
  for (let k = 0; k < 400 && seen.some((x) => x === undefined); k++) {
    reflectors.forEach((x, i) => {
      if (seen[i] === undefined && x.list().some((o) => o.metadata?.name === `made-in-outage-${i}`)) seen[i] = Date.now() - tOpen
    })
    await sleep(25)
  }
  const worst = Math.max(...seen.map((x) => x ?? Infinity))
  t.comment(`after reopening, each cache had its object after (ms): ${seen.join(', ')}`)
  t.ok(worst <= BAR_MS, `the last cache refilled ${worst} ms after the reopening (bar ${BAR_MS} ms)`)
})

/** The API server's URL from the test kubeconfig. */
function readServer(): string {
  const kc = new KubeConfig()
  kc.loadFromFile(testKubeconfig())
  const c = kc.getCurrentCluster()
  if (c === null) throw new Error('the test kubeconfig has no current cluster')
  return c.server
}

// A burst workload for the controller: 1,000 Services created, changed (a requested IP, a type
// change) and deleted in bursts, then 200 more, with an observer checking at every watch event that
// no IP is shown by two Services. Shared by the single-controller and the leader-kill tests.
import { ensureOk } from '../../../shell/kube/rest.js'
import { eventually, list, remove } from '../../support/kube.js'
import { type ServiceObserver, observeServices } from '../../support/serviceObserver.js'
import { type Fixture, type LiveService, ingressOf } from './fixture.js'

export const CHURN_POOLS = async (f: Fixture): Promise<void> => {
  await f.applyPool('auto', { addresses: ['2001:db8:ca00::/116'] })
  await f.applyPool('fixed', { addresses: ['2001:db8:f00d::/116'], autoAssign: false })
}

const inParallel = async <A>(items: readonly A[], limit: number, work: (a: A) => Promise<void>): Promise<void> => {
  let next = 0
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++] as A)
    }),
  )
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i)
const nameOf = (i: number): string => `s${String(i).padStart(4, '0')}`
const requestedIP = (i: number): string => `2001:db8:f00d::${(i + 1).toString(16)}`

export interface ChurnResult {
  readonly observer: ServiceObserver
  readonly seconds: number
}

export const runChurn = async (f: Fixture, ns: string, log: (s: string) => void): Promise<ChurnResult> => {
  const observer = await observeServices(f.rest, ns)
  const started = Date.now()
  const mk = (i: number) => f.mkService(ns, nameOf(i), { ipFamilies: ['IPv6'], ipFamilyPolicy: 'SingleStack' }).then(() => undefined)
  for (const burst of range(0, 10)) {
    await inParallel(range(burst * 100, burst * 100 + 100), 20, mk)
    await new Promise((r) => setTimeout(r, 200))
  }
  log(`created 1000 in ${Date.now() - started} ms`)
  await inParallel(range(0, 200), 20, async (i) => {
    const res = await f.rest.request('PATCH', `/api/v1/namespaces/${ns}/services/${nameOf(i)}`, {
      contentType: 'application/merge-patch+json',
      body: { metadata: { annotations: { 'metallb.io/loadBalancerIPs': requestedIP(i) } } },
    })
    ensureOk(res, `request an IP for ${nameOf(i)}`)
  })
  await inParallel(range(200, 300), 20, async (i) => {
    const res = await f.rest.request('PATCH', `/api/v1/namespaces/${ns}/services/${nameOf(i)}`, {
      contentType: 'application/merge-patch+json',
      body: { spec: { type: 'ClusterIP', loadBalancerClass: null, externalTrafficPolicy: null, allocateLoadBalancerNodePorts: null } },
    })
    ensureOk(res, `make ${nameOf(i)} a ClusterIP Service`)
  })
  await inParallel(range(300, 600), 20, (i) => remove(f.rest, { apiVersion: 'v1', kind: 'Service', metadata: { name: nameOf(i), namespace: ns } }))
  await inParallel(range(1000, 1200), 20, mk)
  log(`churn written in ${Date.now() - started} ms`)

  // 1,000 made, 100 turned ClusterIP, 300 deleted, 200 more made: 800 LoadBalancers remain.
  let last = ''
  await eventually('every Service converged', 240_000, async () => {
    const all = await list<LiveService>(f.rest, 'v1', 'Service', ns)
    const lbs = all.filter((s) => s.spec.type === 'LoadBalancer')
    const unassigned = lbs.filter((s) => ingressOf(s).length !== 1).map((s) => s.metadata.name)
    const stale = all.filter((s) => s.spec.type !== 'LoadBalancer' && ingressOf(s).length > 0).map((s) => s.metadata.name)
    last = `${lbs.length} LoadBalancers, ${unassigned.length} without one IP (${unassigned.slice(0, 5).join(' ')}), ${stale.length} non-LB with IPs`
    return unassigned.length === 0 && stale.length === 0 && lbs.length === 800 ? true : undefined
  }, 500).catch((err: unknown) => {
    throw new Error(`${String(err)}; last seen: ${last}`)
  })
  return { observer, seconds: (Date.now() - started) / 1000 }
}

/** After convergence: requested IPs honoured, all IPs distinct. */
export const checkFinal = async (f: Fixture, ns: string): Promise<string[]> => {
  const problems: string[] = []
  const all = await list<LiveService>(f.rest, 'v1', 'Service', ns)
  const seen = new Map<string, string>()
  for (const s of all) {
    const i = Number(s.metadata.name.slice(1))
    const ips = ingressOf(s)
    if (i < 200 && ips[0] !== requestedIP(i)) problems.push(`${s.metadata.name} shows ${ips.join(',')} instead of ${requestedIP(i)}`)
    for (const ip of ips) {
      const other = seen.get(ip)
      if (other !== undefined) problems.push(`${ip} on ${other} and ${s.metadata.name}`)
      seen.set(ip, s.metadata.name)
    }
  }
  return problems
}

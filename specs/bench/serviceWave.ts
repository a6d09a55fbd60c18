// Services for the controller benches: LoadBalancer Services created through the API a fixed number in
// flight, and a wait until an observer's watch shows every one of a range with its IP. Shared by
// controller.bench.ts (IronLB alone) and metallb.bench.ts (IronLB beside MetalLB) so both do the same work.
import type { RestClient } from '../../shell/kube/rest.js'
import type { ServiceObserver } from '../support/serviceObserver.js'

export const BENCH_NAMESPACE = 'bench'
/** 65,536 addresses: every size the benches create fits, and a /64 would cost IronLB nothing more. */
export const BENCH_POOL = { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'bench', namespace: 'metallb-system' }, spec: { addresses: ['2001:db8:be00::/112'] } }

const inParallel = async (count: number, limit: number, work: (i: number) => Promise<void>): Promise<void> => {
  let next = 0
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) await work(next++)
    }),
  )
}

/** The test API server's IPv6 Service range (specs/support/controlPlane.ts: fd00:10:96::/112, 65,536 addresses). */
const CLUSTER_IP_PREFIX = 'fd00:10:96::'
/** Wave Service s<i> gets ClusterIP prefix + 0x100 + i: every size up to 60,000 fits below the two named ones. */
const waveClusterIP = (i: number): string => `${CLUSTER_IP_PREFIX}${(0x100 + i).toString(16)}`
/** ClusterIPs of the Services outside a wave (warm-up, after a restart), above any wave's. */
export const spareClusterIP = (k: number): string => `${CLUSTER_IP_PREFIX}${(0xfff0 + k).toString(16)}`

/** One create; retried (at most 3 tries) when the API server does not answer in time, as a loaded one may not:
 * the first try may have landed, so AlreadyExists counts as created. The ClusterIP is named: kube-apiserver
 * 1.36 allocates dynamic ones one at a time (about 50 a second at most, README), which would set the pace of
 * a 50,000-Service bench instead of the API server's writes and the controller. */
export const createService = async (rest: RestClient, name: string, clusterIP: string): Promise<void> => {
  const body = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: BENCH_NAMESPACE },
    // No NodePorts: 10,000 Services would exhaust the 2,768-port default range (kube-proxy's job anyway).
    spec: { type: 'LoadBalancer', clusterIP, clusterIPs: [clusterIP], allocateLoadBalancerNodePorts: false, ipFamilies: ['IPv6'], ipFamilyPolicy: 'SingleStack', ports: [{ port: 80, protocol: 'TCP' }], selector: { app: name } },
  }
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await rest.request('POST', `/api/v1/namespaces/${BENCH_NAMESPACE}/services`, { body, timeoutMs: 60_000 })
      if (res.status === 201 || (res.status === 409 && attempt > 1)) return
      throw new Error(`create Service ${name}: HTTP ${res.status}`)
    } catch (err) {
      if (attempt >= 3 || !String(err).includes('no answer within')) throw err
    }
  }
}

/** Creates s<from> .. s<from+count-1>, `inFlight` at a time; returns when the last create returned. */
export const createWave = (rest: RestClient, from: number, count: number, inFlight = 32): Promise<void> => inParallel(count, inFlight, (i) => createService(rest, `s${from + i}`, waveClusterIP(from + i)))

export const assigned = (observer: ServiceObserver, from: number, to: number): number => {
  let n = 0
  for (let i = from; i < to; i++) if ((observer.ipsOf(`s${i}`)?.length ?? 0) === 1) n++
  return n
}

/** Waits (polling every `everyMs`, at most `boundMs`) until s<from> .. s<to-1> each show one IP; returns Date.now() then. */
export const waitAssigned = async (observer: ServiceObserver, from: number, to: number, boundMs: number, everyMs = 200): Promise<number> => {
  const deadline = Date.now() + boundMs
  // Counted on from where the last look stopped (nothing here takes an IP away): cheap at 25 ms steps.
  let done = from
  for (;;) {
    while (done < to && (observer.ipsOf(`s${done}`)?.length ?? 0) === 1) done++
    if (done === to) return Date.now()
    if (Date.now() > deadline) throw new Error(`only ${assigned(observer, from, to)} of ${to - from} Services got IPs within ${boundMs} ms`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

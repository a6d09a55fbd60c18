// A toy world for the loop's race specs: Services in memoryApi, some holding an IP another one wants,
// and a toy two-phase pass like the controller's (releases first, then acquisitions whose IP no other
// Service still shows). Every request reaches the API and is answered at moments fc.scheduler picks.
import type fc from 'fast-check'
import type { RestResponse } from '../../../shell/kube/rest.js'
import type { PassContext, PassOutcome } from '../../../shell/loop/reconcileLoop.js'
import { type MemoryApi, type ServiceObject, type WatchEvent, memoryApi } from '../../support/memoryApi.js'

export const NS = 'toy'
export const COLL = `/api/v1/namespaces/${NS}/services`
/** The annotation naming the IP a Service should show (absent: none). */
export const WANTS = 'spec.ironlb.io/wants'
export const ipOf = (i: number): string => `192.0.2.${10 + i}`

export const shownIPs = (svc: ServiceObject): string[] =>
  ((svc['status'] as { loadBalancer?: { ingress?: { ip: string }[] } } | undefined)?.loadBalancer?.ingress ?? []).map((i) => i.ip)
export const wantedIPs = (svc: ServiceObject): string[] => {
  const w = (svc.metadata['annotations'] as Record<string, string> | undefined)?.[WANTS]
  return w === undefined || w === '' ? [] : [w]
}

export interface SentWrite {
  readonly service: string
  readonly ips: readonly string[]
  /** Whether the lease was held (isLeader) when the request was sent. */
  readonly leaderAtSend: boolean
}

export interface MoveWorld {
  readonly api: MemoryApi
  /** Called with the count of requests so far as each one is sent (specs schedule events from here). */
  onRequest: (n: number) => void
  /** A request whose arrival and answer are each a task the scheduler orders. */
  readonly request: (method: string, path: string, body?: unknown) => Promise<RestResponse>
  readonly sent: SentWrite[]
  /** Creates a Service directly (not through the scheduler). */
  readonly seed: (name: string, wants: string | undefined, shows: readonly string[]) => Promise<void>
  /** The pass: releases, then acquisitions whose IP nobody else shows; throws when a write failed. */
  readonly pass: (ctx: PassContext) => Promise<PassOutcome>
  /** Every moment of the history at which an IP showed on two Services. */
  readonly doubleHolders: () => string[]
  /** Whether every Service shows exactly what it wants. */
  readonly converged: () => boolean
}

const MERGE = 'application/merge-patch+json'

export const moveWorld = (s: fc.Scheduler, isLeader: () => boolean): MoveWorld => {
  const api = memoryApi()
  const sent: SentWrite[] = []
  let requests = 0
  const request = async (method: string, path: string, body?: unknown): Promise<RestResponse> => {
    world.onRequest(++requests)
    await s.schedule(Promise.resolve(), `arrive ${method} ${path}`)
    const res = await api.request(method, path, body === undefined ? {} : { body, contentType: MERGE })
    return s.schedule(Promise.resolve(res), `answer ${method} ${path} ${res.status}`)
  }

  const pass = async (ctx: PassContext): Promise<PassOutcome> => {
    const items = ((await request('GET', COLL)).body as { items: ServiceObject[] }).items
    let failed = 0
    let conflicts = 0
    /** Which Service shows each IP, as far as this pass knows. */
    const holders = new Map<string, string>()
    for (const svc of items) for (const ip of shownIPs(svc)) holders.set(ip, svc.metadata.name)
    const write = async (svc: ServiceObject, ips: string[]): Promise<boolean> => {
      if (!ctx.leading()) return false
      sent.push({ service: svc.metadata.name, ips, leaderAtSend: isLeader() })
      const body = { metadata: { resourceVersion: svc.metadata.resourceVersion }, status: { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } } }
      const res = await request('PATCH', `${COLL}/${svc.metadata.name}/status`, body)
      if (res.status === 409) conflicts++
      else if (res.status >= 300) failed++
      return res.status < 300
    }
    const releases = items.filter((svc) => shownIPs(svc).some((ip) => !wantedIPs(svc).includes(ip)))
    await Promise.all(
      releases.map(async (svc) => {
        const keep = shownIPs(svc).filter((ip) => wantedIPs(svc).includes(ip))
        if (await write(svc, keep)) for (const ip of shownIPs(svc)) if (!keep.includes(ip)) holders.delete(ip)
      }),
    )
    let deferred = 0
    const acquisitions = items.filter((svc) => wantedIPs(svc).some((ip) => !shownIPs(svc).includes(ip)))
    await Promise.all(
      acquisitions.map(async (svc) => {
        const ips = wantedIPs(svc)
        if (ips.some((ip) => (holders.get(ip) ?? svc.metadata.name) !== svc.metadata.name)) deferred++
        else await write(svc, ips)
      }),
    )
    if (failed > 0) throw new Error(`${failed} write(s) failed`)
    if (!ctx.leading()) return { _tag: 'Done' }
    if (conflicts > 0) return { _tag: 'Again', afterMs: 0, why: `${conflicts} conflict(s)` }
    if (deferred > 0) return { _tag: 'Again', afterMs: 250, why: `${deferred} acquisition(s) wait for a release` }
    return { _tag: 'Done' }
  }

  const seed = async (name: string, wants: string | undefined, shows: readonly string[]): Promise<void> => {
    const annotations = wants === undefined ? {} : { [WANTS]: wants }
    await api.request('POST', COLL, { body: { apiVersion: 'v1', kind: 'Service', metadata: { name, annotations } } })
    if (shows.length > 0) await api.request('PATCH', `${COLL}/${name}/status`, { contentType: MERGE, body: { status: { loadBalancer: { ingress: shows.map((ip) => ({ ip })) } } } })
  }

  const doubleHolders = (): string[] => {
    const shows = new Map<string, readonly string[]>()
    const found: string[] = []
    api.history().forEach((ev: WatchEvent, at) => {
      if (ev.type === 'DELETED') shows.delete(ev.object.metadata.name)
      else shows.set(ev.object.metadata.name, shownIPs(ev.object))
      const seen = new Map<string, string>()
      for (const [name, ips] of shows)
        for (const ip of ips) {
          const other = seen.get(ip)
          if (other !== undefined) found.push(`event ${at}: ${ip} on ${other} and ${name}`)
          seen.set(ip, name)
        }
    })
    return found
  }

  const converged = (): boolean =>
    api.history().length > 0 &&
    ((): boolean => {
      const latest = new Map<string, ServiceObject>()
      for (const ev of api.history()) latest.set(ev.object.metadata.name, ev.object)
      return [...latest.values()].every((svc) => JSON.stringify(shownIPs(svc)) === JSON.stringify(wantedIPs(svc)))
    })()

  const world: MoveWorld = { api, request, sent, seed, pass, doubleHolders, converged, onRequest: () => undefined }
  return world
}

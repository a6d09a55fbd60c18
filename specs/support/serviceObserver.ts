// Watches the Services of one namespace and checks an invariant at every observed moment: no IP is
// shown by two Services unless both carry the same sharing key. The watch stream is the API
// server's own order of writes, so a violation here is one any client could have seen.
import type { RestClient } from '../../shell/kube/rest.js'
import { ensureOk } from '../../shell/kube/rest.js'

interface WatchedService {
  readonly metadata: { readonly name: string; readonly resourceVersion: string; readonly annotations?: Record<string, string> }
  readonly status?: { readonly loadBalancer?: { readonly ingress?: readonly { readonly ip?: string }[] } }
}

export interface ServiceObserver {
  readonly violations: () => readonly string[]
  readonly events: () => number
  readonly ipsOf: (name: string) => readonly string[] | undefined
  readonly stop: () => void
}

const ipsOf = (s: WatchedService): string[] => (s.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip === undefined ? [] : [i.ip]))
const keyOf = (s: WatchedService): string | undefined => s.metadata.annotations?.['metallb.io/allow-shared-ip']

export const observeServices = async (rest: RestClient, namespace: string): Promise<ServiceObserver> => {
  const path = `/api/v1/namespaces/${namespace}/services`
  const listed = ensureOk(await rest.request('GET', path), 'list services').body as { items: WatchedService[]; metadata: { resourceVersion: string } }
  const current = new Map<string, WatchedService>(listed.items.map((s) => [s.metadata.name, s]))
  const violations: string[] = []
  let events = 0
  let resourceVersion = listed.metadata.resourceVersion
  const stopper = new AbortController()

  // Holders per IP, kept as events arrive: only the changed Service's IPs can start a violation, so each
  // event checks those (a check over every Service per event made a 20,000-Service wave quadratic).
  const holders = new Map<string, Set<string>>()
  const index = (s: WatchedService, add: boolean): void => {
    for (const ip of ipsOf(s)) {
      const names = holders.get(ip) ?? new Set<string>()
      if (add) names.add(s.metadata.name)
      else names.delete(s.metadata.name)
      if (names.size === 0) holders.delete(ip)
      else holders.set(ip, names)
    }
  }
  for (const s of current.values()) index(s, true)

  const check = (ips: readonly string[]): void => {
    for (const ip of ips) {
      const hs = [...(holders.get(ip) ?? [])].flatMap((name) => current.get(name) ?? [])
      if (hs.length < 2) continue
      const key = keyOf(hs[0] as WatchedService)
      if (key === undefined || hs.some((h) => keyOf(h) !== key)) violations.push(`${ip} shown by ${hs.map((h) => h.metadata.name).join(', ')} at resourceVersion ${resourceVersion}`)
    }
  }

  const loop = async (): Promise<void> => {
    while (!stopper.signal.aborted) {
      try {
        await rest.stream(
          path,
          { watch: true, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 60 },
          (raw) => {
            const ev = raw as { type: string; object: WatchedService }
            if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') return
            events++
            const before = current.get(ev.object.metadata.name)
            if (before !== undefined) index(before, false)
            if (ev.type === 'DELETED') current.delete(ev.object.metadata.name)
            else {
              current.set(ev.object.metadata.name, ev.object)
              index(ev.object, true)
            }
            resourceVersion = ev.object.metadata.resourceVersion
            check(ev.type === 'DELETED' ? [] : ipsOf(ev.object))
          },
          stopper.signal,
        )
      } catch (err) {
        if (!stopper.signal.aborted) violations.push(`observer lost its watch: ${String(err)}`)
        return
      }
    }
  }
  void loop()
  return {
    violations: () => violations,
    events: () => events,
    ipsOf: (name) => {
      const s = current.get(name)
      return s === undefined ? undefined : ipsOf(s)
    },
    stop: () => stopper.abort(),
  }
}

// The ServiceBGPStatus writes that bring this node's objects to what it advertises, as MetalLB's
// speaker keeps them (its ServiceBGPStatusReconciler): one object per (Service, node) listing, sorted,
// the BGPPeers the Service is advertised to from this node; none for a Service advertised to no
// peer; duplicates deleted (the oldest name is kept). Creates, then updates, then deletes.
// Level-based: from the advertised routes and the objects that exist, nothing remembered.
import type { ServiceKey } from '../model/names.js'

/** One of this node's ServiceBGPStatus objects, decoded (bgpStatusCodec.ts). */
export interface BgpStatusObject {
  readonly name: string
  readonly serviceNamespace: string
  readonly serviceName: string
  readonly peers: readonly string[]
}

export interface DesiredBgpStatus {
  readonly serviceNamespace: string
  readonly serviceName: string
  /** BGPPeer names, sorted, without repeats, never empty. */
  readonly peers: readonly string[]
}

export type BgpStatusWrite =
  | ({ readonly _tag: 'Create' } & DesiredBgpStatus)
  | ({ readonly _tag: 'Update'; readonly name: string } & DesiredBgpStatus)
  | { readonly _tag: 'Delete'; readonly name: string }

/** What core/speaker/bgpAdvertise.ts's BgpPlan.advertised holds per route: enough of it. */
interface Advertised {
  readonly service: ServiceKey
  readonly peer: string
}

const splitKey = (key: ServiceKey): { readonly serviceNamespace: string; readonly serviceName: string } => {
  const at = key.indexOf('/')
  return { serviceNamespace: key.slice(0, at), serviceName: key.slice(at + 1) }
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** One record per Service advertised to at least one peer, sorted by Service key. */
export const desiredBgpStatus = (advertised: readonly Advertised[]): readonly DesiredBgpStatus[] => {
  const peersOf = new Map<ServiceKey, Set<string>>()
  for (const a of advertised) {
    const set = peersOf.get(a.service) ?? new Set<string>()
    set.add(a.peer)
    peersOf.set(a.service, set)
  }
  return [...peersOf.entries()]
    .sort(([a], [b]) => byText(a, b))
    .map(([key, peers]) => ({ ...splitKey(key), peers: [...peers].sort(byText) }))
}

const keyOf = (o: { readonly serviceNamespace: string; readonly serviceName: string }): string => `${o.serviceNamespace}/${o.serviceName}`
const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i])

export const bgpStatusWrites = (advertised: readonly Advertised[], existing: readonly BgpStatusObject[]): readonly BgpStatusWrite[] => {
  const want = new Map(desiredBgpStatus(advertised).map((d) => [keyOf(d), d]))
  const kept = new Set<string>()
  const updates: BgpStatusWrite[] = []
  const deletes: BgpStatusWrite[] = []
  // Oldest name first, so the same object survives whichever duplicates appear.
  for (const obj of [...existing].sort((a, b) => byText(a.name, b.name))) {
    const key = keyOf(obj)
    const d = want.get(key)
    if (d === undefined || kept.has(key)) {
      deletes.push({ _tag: 'Delete', name: obj.name })
      continue
    }
    kept.add(key)
    if (!sameList([...obj.peers].sort(byText), d.peers)) updates.push({ _tag: 'Update', name: obj.name, ...d })
  }
  const creates = [...want.values()].filter((d) => !kept.has(keyOf(d))).map((d): BgpStatusWrite => ({ _tag: 'Create', ...d }))
  return [...creates, ...updates, ...deletes]
}

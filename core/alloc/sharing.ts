// IP sharing (`metallb.io/allow-shared-ip`), as MetalLB's allocator checks it (sharingOK, checkSharing,
// k8salloc.BackendKey): Services may hold one IP only when both carry the same non-empty sharing key,
// the same backend key, and no (protocol, port) is used twice. The backend key is empty for
// externalTrafficPolicy Cluster and the pod selector for Local, so Local Services share only with
// identical selectors (and, as in MetalLB, a Local Service with an empty selector counts as Cluster).
import type { ServiceKey } from '../model/names.js'
import type { Service } from '../model/service.js'

/** What an IP's occupants must agree on, and the ports each one uses. */
export interface Claimant {
  readonly key: ServiceKey
  /** Undefined (or empty in the annotation) means "does not share". */
  readonly sharing: string | undefined
  readonly backend: string
  /** "TCP/80" etc. */
  readonly ports: readonly string[]
}

/** The selector as labels.Set.String() renders it: keys sorted, "k=v" joined by commas. */
const selectorText = (selector: Readonly<Record<string, string>>): string =>
  Object.keys(selector)
    .sort()
    .map((k) => `${k}=${selector[k] ?? ''}`)
    .join(',')

/** Undefined for no key; an empty annotation value does not share either. */
export const sharingOf = (svc: Service): string | undefined => (svc.sharingKey === '' ? undefined : svc.sharingKey)

export const backendOf = (svc: Service): string => (svc.externalTrafficPolicy === 'Local' ? selectorText(svc.selector) : '')

/**
 * "TCP/80"-style names. `interned` lets a caller share one list among Services with the same ports
 * (100,000 Services mostly use a handful), keyed by the list's text.
 */
export const portsOf = (svc: Service, interned?: Map<string, readonly string[]>): readonly string[] => {
  const ports = svc.ports.map((p) => `${p.protocol}/${p.port}`)
  if (interned === undefined) return ports
  const sig = ports.length === 1 ? (ports[0] ?? '') : ports.join(' ')
  const known = interned.get(sig)
  if (known !== undefined) return known
  interned.set(sig, ports)
  return ports
}

export const claimantOf = (svc: Service): Claimant => ({ key: svc.key, sharing: sharingOf(svc), backend: backendOf(svc), ports: portsOf(svc) })

/** The occupants of one IP, as far as sharing goes. */
export interface Occupants {
  readonly sharing: string | undefined
  readonly backend: string
  /** One occupant, and the others when the IP is shared (no array for the common unshared case). */
  readonly first: ServiceKey
  readonly rest: readonly ServiceKey[] | undefined
  /** Port -> the Service using it on this IP; kept only for IPs with a sharing key. */
  readonly ports: ReadonlyMap<string, ServiceKey> | undefined
}

export type SharingVerdict =
  | { readonly _tag: 'Shareable' }
  | { readonly _tag: 'NotShared'; readonly holder: ServiceKey }
  | { readonly _tag: 'OtherKey'; readonly holder: ServiceKey; readonly theirs: string }
  | { readonly _tag: 'BackendMismatch'; readonly holder: ServiceKey }
  | { readonly _tag: 'PortClash'; readonly holder: ServiceKey; readonly port: string }

const SHAREABLE: SharingVerdict = { _tag: 'Shareable' }

/**
 * The occupant a refusal names: the least key other than the claimant's. Occupants are listed in the
 * order they took the address, which differs between a first plan, a replan and the plan after the
 * statuses are written; naming by key keeps the message a function of who holds the address.
 */
const namedHolder = (c: Claimant, o: Occupants): ServiceKey | undefined => {
  let named = o.first !== c.key ? o.first : undefined
  for (const h of o.rest ?? []) if (h !== c.key && (named === undefined || h < named)) named = h
  return named
}

/** May the claimant join the IP's occupants? (An IP without occupants is simply free.) */
export const sharingVerdict = (c: Claimant, o: Occupants): SharingVerdict => {
  const other = namedHolder(c, o)
  if (other === undefined) return SHAREABLE
  if (c.sharing === undefined || o.sharing === undefined) return { _tag: 'NotShared', holder: other }
  if (c.sharing !== o.sharing) return { _tag: 'OtherKey', holder: other, theirs: o.sharing }
  if (c.backend !== o.backend) return { _tag: 'BackendMismatch', holder: other }
  for (const port of c.ports) {
    const user = o.ports?.get(port)
    if (user !== undefined && user !== c.key) return { _tag: 'PortClash', holder: user, port }
  }
  return SHAREABLE
}

// Which address families a Service needs, from `ipFamilyPolicy` and its families, and whether a set
// of IPs (held or requested) fits that need. Mirrors MetalLB's ipfamily.ForService and
// serviceFamilyChanged, with `spec.ipFamilies` read first (it carries the same families, in the
// order the API server chose, as `spec.clusterIPs`).
import type { Service } from '../model/service.js'
import type { Family, IP } from '../net/address.js'

export type FamilyNeed =
  | { readonly _tag: 'Single'; readonly family: Family }
  /** `required` is RequireDualStack (both from one pool or nothing); otherwise PreferDualStack. */
  | { readonly _tag: 'Dual'; readonly primary: Family; readonly required: boolean }

export const otherFamily = (f: Family): Family => (f === 4 ? 6 : 4)
export const familyName = (f: Family): string => `IPv${f}`

// The six possible needs, shared by every Service rather than built per Service.
const SINGLE: Record<Family, FamilyNeed> = { 4: { _tag: 'Single', family: 4 }, 6: { _tag: 'Single', family: 6 } }
const PREFER: Record<Family, FamilyNeed> = { 4: { _tag: 'Dual', primary: 4, required: false }, 6: { _tag: 'Dual', primary: 6, required: false } }
const REQUIRE: Record<Family, FamilyNeed> = { 4: { _tag: 'Dual', primary: 4, required: true }, 6: { _tag: 'Dual', primary: 6, required: true } }

/** Undefined when the Service names no family at all: MetalLB then refuses to allocate. */
export const familyNeedOf = (svc: Service): FamilyNeed | undefined => {
  const listed = svc.ipFamilies.length > 0 ? svc.ipFamilies : svc.clusterIPFamilies
  const first = listed[0]
  if (first === undefined) return undefined
  // A dual policy on a single-stack cluster gets one family, as MetalLB (driven by clusterIPs) does.
  if (svc.ipFamilyPolicy === 'SingleStack' || listed.every((f) => f === first)) return SINGLE[first]
  return svc.ipFamilyPolicy === 'RequireDualStack' ? REQUIRE[first] : PREFER[first]
}

export const needName = (need: FamilyNeed): string =>
  need._tag === 'Single' ? familyName(need.family) : 'IPv4 and IPv6'

/** At most one address per family, at most two: MetalLB's dual-stack constraint on any IP list. */
export const wellFormedIPs = (ips: readonly IP[]): boolean =>
  ips.length >= 1 && ips.length <= 2 && (ips.length === 1 || ips[0]?.family !== ips[1]?.family)

/** True when the IPs are exactly what the need asks for (a request must match exactly). */
export const ipsMatchNeed = (ips: readonly IP[], need: FamilyNeed): boolean =>
  wellFormedIPs(ips) && (need._tag === 'Single' ? ips.length === 1 && ips[0]?.family === need.family : ips.length === 2)

/**
 * Held IPs survive when they match the need, or, for PreferDualStack, when they are one family of
 * the two (MetalLB's serviceFamilyChanged accepts that and later tries to add the other family).
 */
export const heldFitsNeed = (ips: readonly IP[], need: FamilyNeed): boolean =>
  ipsMatchNeed(ips, need) || (need._tag === 'Dual' && !need.required && ips.length === 1)

/** IPv4 first, as the status lists them. */
export const ipv4First = (ips: readonly IP[]): readonly IP[] =>
  ips.length < 2 || ips.every((ip, i) => i === 0 || (ips[i - 1]?.family ?? 4) <= ip.family) ? ips : [...ips].sort((a, b) => a.family - b.family)

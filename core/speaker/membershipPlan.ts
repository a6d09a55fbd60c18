// Whether this speaker belongs in the failure detector, and with which universe. It joins only once
// every cache is filled: the others yield IPs to a member as soon as it is alive, so joining before
// it can announce would leave those IPs unannounced meanwhile. A speaker unable to answer ARP/NDP
// leaves, so the others take its IPs. The universe is handed over again only when it changed.
import type { MemberAddress } from './memberUniverse.js'

export type MembershipView =
  | { readonly _tag: 'Out' }
  | { readonly _tag: 'In'; readonly alive: ReadonlySet<string> }

export type MembershipPlan =
  | { readonly _tag: 'Keep' }
  | { readonly _tag: 'Join'; readonly members: readonly MemberAddress[] }
  | { readonly _tag: 'SetMembers'; readonly members: readonly MemberAddress[] }
  | { readonly _tag: 'Leave'; readonly reason: 'L2Unable' }

const sameMembers = (a: readonly MemberAddress[] | undefined, b: readonly MemberAddress[]): boolean =>
  a !== undefined && a.length === b.length && a.every((m, i) => m.name === b[i]?.name && m.host === b[i]?.host)

/** `given`: the universe last handed to the detector; undefined while out. */
export const planMembership = (view: MembershipView, members: readonly MemberAddress[], given: readonly MemberAddress[] | undefined): MembershipPlan => {
  if (view._tag === 'Out') return { _tag: 'Join', members }
  return sameMembers(given, members) ? { _tag: 'Keep' } : { _tag: 'SetMembers', members }
}

export const leaveMembership = (view: MembershipView): MembershipPlan => (view._tag === 'In' ? { _tag: 'Leave', reason: 'L2Unable' } : { _tag: 'Keep' })

// Everything about one Service that depends on the configuration but not on other Services: is it
// ours, which families it needs, what it asks for, and whether the IPs it already holds are still
// allowed (MetalLB's convergeBalancer: right families, one pool holding them all that admits the
// Service, the pinned pool if any, exactly the requested IPs if any). Computed once per Service per
// configuration; the engine only adds the checks against other Services.
import type { Labels } from '../model/selector.js'
import type { Service } from '../model/service.js'
import type { IP } from '../net/address.js'
import { poolAdmits } from './candidates.js'
import { ignoredOutcome } from './eligibility.js'
import { type FamilyNeed, familyNeedOf, heldFitsNeed, ipv4First, otherFamily } from './family.js'
import { type ServiceOutcome, pending } from './outcome.js'
import { type PoolSlot, hasFamily, poolHoldingAll } from './poolIndex.js'
import { type Request, type RequestContext, resolveRequest } from './request.js'
import { type Claimant, backendOf, portsOf, sharingOf } from './sharing.js'

interface Held {
  /** IPv4 first. */
  readonly ips: readonly IP[]
  readonly pool: PoolSlot
}

/** Also the Service's claim on addresses (one object per Service rather than two). */
export interface Active extends Claimant {
  readonly _tag: 'Active'
  readonly svc: Service
  readonly need: FamilyNeed
  readonly request: Request
  /** The held IPs when the configuration still allows them (others may still contest them). */
  readonly held: Held | undefined
  /**
   * PreferDualStack holding one family: try to add the other from the same pool. (Only for a Service
   * that has both families: MetalLB also tries on a single-stack cluster, then drops the pair as the
   * wrong family on the next pass, and flaps. Nor for one that requested exactly the IP it holds:
   * held IPs must equal the requested ones, so the pair would be dropped on the next pass too.)
   */
  readonly upgrade: boolean
}

/** Decided without looking at other Services: ignored, or pending whatever they hold. */
interface Settled {
  readonly _tag: 'Settled'
  readonly svc: Service
  readonly outcome: ServiceOutcome
}

type Prepared = Active | Settled

export interface PrepareContext extends RequestContext {
  readonly nsLabels: ReadonlyMap<string, Labels>
  readonly controllerClass: string | undefined
  /** Shared ports lists (see portsOf). */
  readonly portLists: Map<string, readonly string[]>
}

const NO_LABELS: Labels = {}

const sameSet = (a: readonly IP[], b: readonly IP[]): boolean =>
  a.length === b.length && a.every((x) => b.some((y) => x.family === y.family && x.value === y.value))

const heldOf = (ctx: PrepareContext, svc: Service, need: FamilyNeed, nsLabels: Labels): Held | undefined => {
  if (svc.ingressIPs.length === 0 || !heldFitsNeed(svc.ingressIPs, need)) return undefined
  const ips = ipv4First(svc.ingressIPs)
  const pool = poolHoldingAll(ctx.index, ips)
  if (pool === undefined || !poolAdmits(pool.pool, svc, nsLabels)) return undefined
  // MetalLB clears the assignment when the user pins another pool or requests other IPs.
  if (svc.pinnedPool !== undefined && svc.pinnedPool !== pool.name) return undefined
  if (svc.request._tag === 'Specific' && !sameSet(ips, svc.request.ips)) return undefined
  return { ips, pool }
}

export const prepare = (ctx: PrepareContext, svc: Service): Prepared => {
  const skip = ignoredOutcome(svc, ctx.controllerClass)
  if (skip !== undefined) return { _tag: 'Settled', svc, outcome: skip }
  const need = familyNeedOf(svc)
  if (need === undefined)
    return {
      _tag: 'Settled',
      svc,
      outcome: pending('UnknownIPFamily', 'service has neither ipFamilies nor clusterIPs, so its IP family is unknown'),
    }
  const nsLabels = ctx.nsLabels.get(svc.namespace) ?? NO_LABELS
  // Deliberate deviation: MetalLB keeps a held IP while it reports an unreadable request; we release it
  // with the reason, so what the status shows always matches the outcome.
  if (svc.request._tag === 'Invalid') return { _tag: 'Settled', svc, outcome: pending('InvalidIPRequest', svc.request.message) }
  const held = heldOf(ctx, svc, need, nsLabels)
  const resolved = resolveRequest(ctx, svc, need, nsLabels)
  // A request that cannot be met anew still lets the Service keep what it validly holds (an
  // automatic request when no pool is eligible any more, say); without such IPs it is settled.
  if (resolved._tag === 'Refused' && held === undefined) return { _tag: 'Settled', svc, outcome: resolved.outcome }
  const request: Request = resolved._tag === 'Ok' ? resolved.request : { _tag: 'Unavailable', outcome: resolved.outcome }
  return {
    _tag: 'Active',
    key: svc.key,
    sharing: sharingOf(svc),
    backend: backendOf(svc),
    ports: portsOf(svc, ctx.portLists),
    svc,
    need,
    request,
    held,
    // Only where the pool has the other family at all; elsewhere the attempt could never succeed.
    upgrade:
      held !== undefined &&
      held.ips.length === 1 &&
      need._tag === 'Dual' &&
      !need.required &&
      svc.request._tag !== 'Specific' &&
      hasFamily(held.pool, otherFamily(held.ips[0]?.family ?? 4)),
  }
}

// What the controller writes on a Service, decided from the planner's verdict and what the Service
// already shows. Level-based and restart-proof: the Service object itself is the memory, so an
// Event is produced only when what is written changes (MetalLB re-emits on every resync), and a
// Service that already shows the right state gets no write at all.
import type { Condition, IngressExtras, ServiceState } from '../model/serviceShown.js'

/** The annotation MetalLB writes with the pool an IP came from. */
export const POOL_ANNOTATION = 'metallb.io/ip-allocated-from-pool'
export const DEPRECATED_POOL_ANNOTATION = 'metallb.universe.tf/ip-allocated-from-pool'
/** Beyond MetalLB: one condition that answers "why is my IP pending?" or "where did it come from?". */
export const CONDITION_TYPE = 'ironlb.io/IPAllocated'

export type Verdict =
  | { readonly _tag: 'Assigned'; readonly ips: readonly string[]; readonly pool: string }
  | { readonly _tag: 'Pending'; readonly reason: string; readonly message: string }
  | { readonly _tag: 'Ignored'; readonly reason: 'NotLoadBalancer' | 'OtherLoadBalancerClass' | string; readonly message: string }

export type { ServiceState } from '../model/serviceShown.js'

export interface ServiceEvent {
  readonly type: 'Normal' | 'Warning'
  readonly reason: string
  readonly message: string
}

/** One `status.loadBalancer.ingress` entry as written: the IP, and what others set beside it while it stays. */
type IngressEntry = { readonly ip: string } & IngressExtras

export interface ServiceWrite {
  /** New `status` body (loadBalancer and the full conditions list), when it must change. */
  readonly status: { readonly loadBalancer: { readonly ingress: readonly IngressEntry[] }; readonly conditions: readonly Condition[] } | undefined
  /** Annotations to set (string) or remove (null), when any must change. */
  readonly annotations: Readonly<Record<string, string | null>> | undefined
  /** Emitted only after the writes succeed. */
  readonly events: readonly ServiceEvent[]
}

const NO_WRITE: ServiceWrite = { status: undefined, annotations: undefined, events: [] }

/**
 * The ingress list for `ips`: an IP the Service shows keeps the ipMode and ports its entry has (a
 * merge patch replaces the list whole, so what is not written is lost); a new IP has none. MetalLB
 * writes bare `{ip}` entries with an update of the whole status, which drops them on every write;
 * here they survive ours.
 */
export const ingressFor = (state: ServiceState, ips: readonly string[]): IngressEntry[] =>
  ips.map((ip) => ({ ...state.ingressExtras?.[ip], ip }))

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',')

/** Go's %q of a []net.IP, so messages read as MetalLB's do: ["192.0.2.1" "2001:db8::1"]. */
const goQuotedList = (ips: readonly string[]): string => `[${ips.map((ip) => JSON.stringify(ip)).join(' ')}]`

const withCondition = (current: readonly Condition[], next: Omit<Condition, 'lastTransitionTime'> | undefined, now: string): Condition[] => {
  const others = current.filter((c) => c.type !== CONDITION_TYPE)
  if (next === undefined) return others
  const previous = current.find((c) => c.type === CONDITION_TYPE)
  // lastTransitionTime moves only when the status flips, as metav1.Condition requires.
  const lastTransitionTime = previous !== undefined && previous.status === next.status ? previous.lastTransitionTime : now
  return [...others, { ...next, lastTransitionTime }]
}

const conditionFor = (v: Verdict): Omit<Condition, 'lastTransitionTime'> | undefined => {
  switch (v._tag) {
    case 'Assigned':
      return { type: CONDITION_TYPE, status: 'True', reason: 'IPAllocated', message: `assigned ${v.ips.join(', ')} from pool ${v.pool}` }
    case 'Pending':
      return { type: CONDITION_TYPE, status: 'False', reason: v.reason, message: v.message }
    case 'Ignored':
      return undefined
  }
}

const conditionMatches = (current: readonly Condition[], want: Omit<Condition, 'lastTransitionTime'> | undefined): boolean => {
  const have = current.find((c) => c.type === CONDITION_TYPE)
  if (want === undefined) return have === undefined
  return have !== undefined && have.status === want.status && have.reason === want.reason && have.message === want.message
}

const heldByUsOf = (state: ServiceState): boolean =>
  state.annotations[POOL_ANNOTATION] !== undefined || state.annotations[DEPRECATED_POOL_ANNOTATION] !== undefined

/**
 * The IPs a Service shows that this controller answers for: it may take them away. Another class's
 * Service, or a former LoadBalancer whose IP we never gave, shows what it shows; such an IP must not
 * hold up (or be confused with) an assignment of ours.
 */
export const answeredIPs = (state: ServiceState, verdict: Verdict): readonly string[] =>
  verdict._tag !== 'Ignored' || (verdict.reason === 'NotLoadBalancer' && heldByUsOf(state)) ? state.ingressIPs : []

export const serviceWrite = (state: ServiceState, verdict: Verdict, now: string): ServiceWrite => {
  const heldByUs = heldByUsOf(state)
  if (verdict._tag === 'Ignored') {
    // Another class's Service is none of our business. A Service that stopped being a
    // LoadBalancer loses what we gave it (MetalLB's clearServiceState), and only that.
    if (verdict.reason !== 'NotLoadBalancer' || (!heldByUs && conditionMatches(state.conditions, undefined))) return NO_WRITE
  }
  const wantIPs = verdict._tag === 'Assigned' ? verdict.ips : []
  const wantCondition = conditionFor(verdict)
  const keepIngress = verdict._tag === 'Ignored' && !heldByUs
  const ingressChanges = !keepIngress && !sameSet(state.ingressIPs, wantIPs)
  const statusChanges = ingressChanges || !conditionMatches(state.conditions, wantCondition)

  const wantPool = verdict._tag === 'Assigned' ? verdict.pool : undefined
  const annotations: Record<string, string | null> = {}
  if (state.annotations[POOL_ANNOTATION] !== wantPool) annotations[POOL_ANNOTATION] = wantPool ?? null
  // MetalLB drops the deprecated twin whenever it writes the current one.
  if (state.annotations[DEPRECATED_POOL_ANNOTATION] !== undefined) annotations[DEPRECATED_POOL_ANNOTATION] = null

  const events: ServiceEvent[] = []
  const lostIPs = state.ingressIPs.length > 0 && ingressChanges && !state.ingressIPs.every((ip) => wantIPs.includes(ip))
  if (lostIPs && verdict._tag !== 'Ignored')
    events.push({
      type: 'Normal',
      reason: 'ClearAssignment',
      message: `current IP for "${state.key}" not allowed by config, will attempt for new IP assignment`,
    })
  if (verdict._tag === 'Assigned' && ingressChanges)
    events.push({ type: 'Normal', reason: 'IPAllocated', message: `Assigned IP ${goQuotedList(verdict.ips)}` })
  if (verdict._tag === 'Pending' && statusChanges)
    events.push({ type: 'Warning', reason: 'AllocationFailed', message: `Failed to allocate IP for "${state.key}": ${verdict.message}` })

  return {
    status: statusChanges
      ? {
          loadBalancer: { ingress: ingressFor(state, keepIngress ? state.ingressIPs : wantIPs) },
          conditions: withCondition(state.conditions, wantCondition, now),
        }
      : undefined,
    annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
    events,
  }
}

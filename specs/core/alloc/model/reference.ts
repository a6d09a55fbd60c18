// The reference planner: MetalLB's rules transcribed as plainly as possible, for tiny pools. It lists
// every address of every pool, scans lists for the lowest usable one, checks sharing against every
// occupant pairwise and recomputes everything from scratch: no cursors, no indexes, no phases kept
// between calls, no incremental path. It reuses only the small rule helpers that have their own
// example tables (eligibility, family needs, sort keys, label selectors), and answers in the compact
// text of table.ts ("ip,ip@pool", "Pending:Reason", "Ignored:Reason"); messages are not modelled.
import { ignoredOutcome } from '../../../../core/alloc/eligibility.js'
import { type FamilyNeed, familyNeedOf, heldFitsNeed, ipsMatchNeed, wellFormedIPs } from '../../../../core/alloc/family.js'
import type { AllocationInput, PoolUsage } from '../../../../core/alloc/outcome.js'
import { compareSortKeys, sortKeyOf } from '../../../../core/alloc/order.js'
import type { Pool } from '../../../../core/model/pool.js'
import { type Labels, anySelectorMatches } from '../../../../core/model/selector.js'
import type { Service } from '../../../../core/model/service.js'
import { type Family, type IP, formatIP } from '../../../../core/net/address.js'

interface Addr {
  readonly ip: IP
  readonly text: string
}

const avoided = (ip: IP): boolean => ip.family === 4 && (ip.value % 256n === 0n || ip.value % 256n === 255n)

/** The pool's addresses in allocation order (ranges as written, each ascending), avoided ones left out. */
const addressesOf = (p: Pool): Addr[] =>
  p.ranges.flatMap((r) => {
    const out: Addr[] = []
    for (let v = r.first; v <= r.last; v++) {
      const ip = { family: r.family, value: v } as IP
      if (!(p.avoidBuggyIPs && avoided(ip))) out.push({ ip, text: formatIP(ip) })
    }
    return out
  })

const admits = (p: Pool, s: Service, ns: Labels): boolean => {
  const sa = p.serviceAllocation
  if (sa === undefined) return true
  const nsConstrained = sa.namespaces.length > 0 || sa.namespaceSelectors.length > 0
  const nsOk = !nsConstrained || sa.namespaces.includes(s.namespace) || anySelectorMatches(sa.namespaceSelectors, ns)
  const svcOk = sa.serviceSelectors.length === 0 || anySelectorMatches(sa.serviceSelectors, s.labels)
  return nsOk && svcOk
}

const backend = (s: Service): string =>
  s.externalTrafficPolicy === 'Local' ? Object.keys(s.selector).sort().map((k) => `${k}=${s.selector[k]}`).join(',') : ''
const key = (s: Service): string | undefined => (s.sharingKey === '' ? undefined : s.sharingKey)
const portsClash = (a: Service, b: Service): boolean => a.ports.some((p) => b.ports.some((q) => p.protocol === q.protocol && p.port === q.port))

type Block = 'free' | 'RequestedIPInUse' | 'SharingConflict'

export interface RefPlan {
  readonly outcomes: ReadonlyMap<string, string>
  readonly pools: readonly PoolUsage[]
}

export const referencePlan = (input: AllocationInput): RefPlan => {
  const pools = [...input.config.pools.values()].sort((a, b) => (a.name < b.name ? -1 : 1))
  const addrs = new Map(pools.map((p) => [p.name, addressesOf(p)]))
  const nsLabels = (s: Service): Labels => input.namespaces.find((n) => n.name === s.namespace)?.labels ?? {}
  const has = (p: Pool, f: Family): boolean => p.ranges.some((r) => r.family === f)
  const contains = (p: Pool, ip: IP): boolean => (addrs.get(p.name) ?? []).some((a) => a.ip.family === ip.family && a.ip.value === ip.value)
  const poolOfAll = (ips: readonly IP[]): Pool | undefined => pools.find((p) => ips.every((ip) => contains(p, ip)))
  const v4first = (ips: readonly IP[]): IP[] => [...ips].sort((a, b) => a.family - b.family)
  const show = (ips: readonly IP[], p: Pool): string => `${v4first(ips).map(formatIP).join(',')}@${p.name}`

  // Who uses each address, and in which pool.
  const users = new Map<string, Service[]>()
  const usedIn = new Map<string, Pool>()
  const blocked = (s: Service, ip: IP): Block => {
    for (const o of users.get(formatIP(ip)) ?? []) {
      if (o.key === s.key) continue
      if (key(s) === undefined || key(o) === undefined || key(s) !== key(o)) return 'RequestedIPInUse'
      if (backend(s) !== backend(o) || portsClash(s, o)) return 'SharingConflict'
    }
    return 'free'
  }
  const take = (s: Service, ips: readonly IP[], p: Pool): void => {
    for (const ip of ips) {
      const t = formatIP(ip)
      users.set(t, [...(users.get(t) ?? []), s])
      if (!usedIn.has(t)) usedIn.set(t, p)
    }
  }
  const lowest = (p: Pool, f: Family, s: Service): IP | undefined =>
    (addrs.get(p.name) ?? []).find((a) => a.ip.family === f && blocked(s, a.ip) === 'free')?.ip

  const canServe = (p: Pool, need: FamilyNeed): boolean =>
    need._tag === 'Single' ? has(p, need.family) : need.required ? has(p, 4) && has(p, 6) : has(p, 4) || has(p, 6)
  const fromPool = (p: Pool, need: FamilyNeed, s: Service): IP[] | undefined => {
    if (need._tag === 'Single') {
      const a = lowest(p, need.family, s)
      return a === undefined ? undefined : [a]
    }
    const a4 = lowest(p, 4, s)
    const a6 = lowest(p, 6, s)
    if (a4 !== undefined && a6 !== undefined) return [a4, a6]
    if (need.required) return undefined
    const one = a4 ?? a6
    return one === undefined ? undefined : [one]
  }

  const services = [...new Map(input.services.map((s) => [s.key, s])).values()]
  const out = new Map<string, string>()
  type Todo = { s: Service; need: FamilyNeed; refusal: string | undefined; held: { ips: IP[]; pool: Pool } | undefined }
  const todo: Todo[] = []
  for (const s of services) {
    const ignored = ignoredOutcome(s, input.loadBalancerClass)
    if (ignored !== undefined) {
      out.set(s.key, `Ignored:${ignored._tag === 'Ignored' ? ignored.reason : ''}`)
      continue
    }
    const need = familyNeedOf(s)
    if (need === undefined) {
      out.set(s.key, 'Pending:UnknownIPFamily')
      continue
    }
    // An unreadable request releases everything (IronLB's deliberate deviation from MetalLB).
    if (s.request._tag === 'Invalid') {
      out.set(s.key, 'Pending:InvalidIPRequest')
      continue
    }
    // MetalLB first checks what the Service holds, and only allocates when that is gone.
    const heldPool = s.ingressIPs.length > 0 && heldFitsNeed(s.ingressIPs, need) ? poolOfAll(s.ingressIPs) : undefined
    const heldOk =
      heldPool !== undefined &&
      admits(heldPool, s, nsLabels(s)) &&
      (s.pinnedPool === undefined || s.pinnedPool === heldPool.name) &&
      (s.request._tag !== 'Specific' || sameSet(s.request.ips, s.ingressIPs))
    const refusal = staticRefusal(s, need)
    if (refusal !== undefined && !heldOk) {
      out.set(s.key, `Pending:${refusal}`)
      continue
    }
    todo.push({ s, need, refusal, held: heldOk ? { ips: v4first(s.ingressIPs), pool: heldPool } : undefined })
  }
  todo.sort((a, b) => compareSortKeys(sortKeyOf(a.s), sortKeyOf(b.s)))

  function staticRefusal(s: Service, need: FamilyNeed): string | undefined {
    const r = s.request
    if (r._tag === 'Invalid') return 'InvalidIPRequest'
    if (r._tag === 'Specific') {
      if (!wellFormedIPs(r.ips)) return 'InvalidIPRequest'
      if (!ipsMatchNeed(r.ips, need)) return 'RequestedIPFamilyMismatch'
      if (r.ips.some((ip) => !pools.some((p) => contains(p, ip)))) return 'RequestedIPNotInAnyPool'
      const p = poolOfAll(r.ips)
      if (p === undefined) return 'RequestedIPsInDifferentPools'
      if (!admits(p, s, nsLabels(s))) return 'PoolSelectorMismatch'
      if (s.pinnedPool !== undefined && s.pinnedPool !== p.name) return 'RequestedIPNotInPinnedPool'
      return undefined
    }
    if (s.pinnedPool !== undefined) {
      const p = pools.find((q) => q.name === s.pinnedPool)
      if (p === undefined) return 'PoolNotFound'
      if (!admits(p, s, nsLabels(s))) return 'PoolSelectorMismatch'
      return canServe(p, need) ? undefined : 'NoPoolForFamily'
    }
    const { selected, general } = tiersOf(s)
    if (selected.length === 0 && general.length === 0) return 'NoMatchingPool'
    return [...selected, ...general].some((p) => canServe(p, need)) ? undefined : 'NoPoolForFamily'
  }

  function tiersOf(s: Service): { selected: Pool[]; general: Pool[] } {
    const rank = (p: Pool): number => ((p.serviceAllocation?.priority ?? 0) > 0 ? (p.serviceAllocation?.priority ?? 0) : Infinity)
    const selected = pools
      .filter((p) => {
        const sa = p.serviceAllocation
        if (sa === undefined || !p.autoAssign) return false
        // A present but empty serviceAllocation selects every Service (IronLB's rule, not MetalLB's).
        return admits(p, s, nsLabels(s))
      })
      .sort((a, b) => (rank(a) === rank(b) ? (a.name < b.name ? -1 : 1) : rank(a) - rank(b)))
    const general = pools.filter((p) => p.serviceAllocation === undefined && p.autoAssign)
    return { selected, general }
  }

  const refused: Service[] = []
  // Phase 1: holders keep what the configuration allows and no earlier holder contests.
  const kept = new Set<Todo>()
  for (const t of todo) {
    if (t.held === undefined || t.held.ips.some((ip) => blocked(t.s, ip) !== 'free')) continue
    take(t.s, t.held.ips, t.held.pool)
    kept.add(t)
    out.set(t.s.key, show(t.held.ips, t.held.pool))
  }
  // Phase 2: everyone else, in the same order.
  for (const t of todo) {
    const { s, need } = t
    if (kept.has(t)) {
      // Not when the IP was requested: held IPs must equal the requested ones (IronLB's rule, against a flap).
      if (t.held !== undefined && need._tag === 'Dual' && !need.required && t.held.ips.length === 1 && s.request._tag !== 'Specific') {
        const other: Family = t.held.ips[0]?.family === 4 ? 6 : 4
        const extra = lowest(t.held.pool, other, s)
        if (extra !== undefined) {
          take(s, [extra], t.held.pool)
          out.set(s.key, show([...t.held.ips, extra], t.held.pool))
        }
      }
      continue
    }
    if (t.refusal !== undefined) {
      out.set(s.key, `Pending:${t.refusal}`)
      continue
    }
    const r = s.request
    if (r._tag === 'Specific') {
      const p = poolOfAll(r.ips)
      const why = v4first(r.ips).map((ip) => blocked(s, ip)).find((b) => b !== 'free')
      if (why !== undefined || p === undefined) refused.push(s)
      else {
        take(s, r.ips, p)
        out.set(s.key, show(r.ips, p))
      }
      continue
    }
    let got: { ips: IP[]; pool: Pool } | undefined
    if (s.pinnedPool !== undefined) {
      const p = pools.find((q) => q.name === s.pinnedPool)
      const ips = p === undefined ? undefined : fromPool(p, need, s)
      if (p !== undefined && ips !== undefined) got = { ips, pool: p }
    } else {
      const { selected, general } = tiersOf(s)
      for (const tier of [selected, general]) {
        let primary: { ips: IP[]; pool: Pool } | undefined
        let secondary: { ips: IP[]; pool: Pool } | undefined
        for (const p of tier.filter((q) => canServe(q, need))) {
          const ips = fromPool(p, need, s)
          if (ips === undefined) continue
          if (need._tag === 'Single' || ips.length === 2) {
            got = { ips, pool: p }
            break
          }
          if (ips[0]?.family === need.primary) primary ??= { ips, pool: p }
          else secondary ??= { ips, pool: p }
        }
        got ??= primary ?? secondary
        if (got !== undefined) break
      }
    }
    if (got === undefined) out.set(s.key, 'Pending:NoAvailableIPs')
    else {
      take(s, got.ips, got.pool)
      out.set(s.key, show(got.ips, got.pool))
    }
  }

  // A refused request is worded once the pass is over: whoever holds the address by then.
  for (const s of refused) {
    const ips = s.request._tag === 'Specific' ? s.request.ips : []
    out.set(s.key, `Pending:${v4first(ips).map((ip) => blocked(s, ip)).find((b) => b !== 'free') ?? 'bug'}`)
  }

  const usage = pools.map((p): PoolUsage => {
    const mine = [...usedIn].filter(([, q]) => q.name === p.name).map(([t]) => t)
    const count = (f: Family): number => mine.filter((t) => (f === 4 ? !t.includes(':') : t.includes(':'))).length
    const size = (f: Family): number => (addrs.get(p.name) ?? []).filter((a) => a.ip.family === f).length
    return { name: p.name, assignedIPv4: count(4), assignedIPv6: count(6), availableIPv4: size(4) - count(4), availableIPv6: size(6) - count(6) }
  })
  return { outcomes: out, pools: usage }
}

const sameSet = (a: readonly IP[], b: readonly IP[]): boolean =>
  a.length === b.length && a.every((x) => b.some((y) => x.family === y.family && x.value === y.value))

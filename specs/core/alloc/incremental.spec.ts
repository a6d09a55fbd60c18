// planFrom, the controller's allocation step: over any sequence of whole snapshots (Services added,
// changed, deleted, copied, repeated, statuses written back; pools, namespace labels and the class
// changed; restarts; a pass repeated from an older state) its plan is the full plan of the snapshot,
// `changed` is exactly the keys whose outcome moved, and a replan is given exactly the Services that
// differ from the previous snapshot, no more. The reasons for planning afresh, as a table.
import fc from 'fast-check'
import { isDeepStrictEqual } from 'node:util'
import t from 'tap'
import { planFrom } from '../../../core/alloc/incremental.js'
import type { AllocationInput, AllocationPlan } from '../../../core/alloc/outcome.js'
import { type AllocationBasis, type AllocationState, planAllocation, snapshotOf } from '../../../core/alloc/plan.js'
import { outcomesEqual } from '../../../core/alloc/outcome.js'
import type { ServiceKey } from '../../../core/model/names.js'
import type { Pool } from '../../../core/model/pool.js'
import type { Namespace, Service } from '../../../core/model/service.js'
import { NAMESPACES, poolsArb, serviceArb, servicesArb } from './arbitraries.js'
import { flatPlan, mkAllocation, mkInput, mkNamespace, mkPool, mkSelector, mkService } from './mk.js'

const replacer = (_: string, v: unknown): unknown => (typeof v === 'bigint' ? `${v}n` : v)
const expectSame = (a: unknown, b: unknown, what: string): void => {
  if (!isDeepStrictEqual(a, b)) throw new Error(`${what}:\n${JSON.stringify(a, replacer, 1)}\n!==\n${JSON.stringify(b, replacer, 1)}`)
}

const changedBetween = (a: AllocationPlan | undefined, b: AllocationPlan): string[] =>
  [...new Set([...(a?.outcomes.keys() ?? []), ...b.outcomes.keys()])]
    .filter((k) => {
      const x = a?.outcomes.get(k)
      const y = b.outcomes.get(k)
      return x === undefined || y === undefined ? x !== y : !outcomesEqual(x, y)
    })
    .sort()

const lastByKey = (services: readonly Service[]): Map<ServiceKey, Service> => new Map(services.map((s) => [s.key, s]))

/** What planFrom should say, worked out plainly from the two inputs. */
const expectedBasis = (prior: AllocationInput | undefined, now: AllocationInput): AllocationBasis => {
  if (prior === undefined) return { _tag: 'Fresh', reason: 'NoPrior' }
  if (!isDeepStrictEqual([...prior.config.pools], [...now.config.pools])) return { _tag: 'Fresh', reason: 'ConfigChanged' }
  if (prior.loadBalancerClass !== now.loadBalancerClass) return { _tag: 'Fresh', reason: 'ClassChanged' }
  const bySelector = [...now.config.pools.values()].some((p) => (p.serviceAllocation?.namespaceSelectors.length ?? 0) > 0)
  if (bySelector && !isDeepStrictEqual(prior.namespaces, now.namespaces)) return { _tag: 'Fresh', reason: 'NamespacesChanged' }
  const was = lastByKey(prior.services)
  const is = lastByKey(now.services)
  return {
    _tag: 'Changes',
    upserted: [...is.values()].filter((s) => !isDeepStrictEqual(was.get(s.key), s)).map((s) => s.key).sort(),
    deleted: [...was.keys()].filter((k) => !is.has(k)).sort(),
  }
}

const sortedBasis = (b: AllocationBasis): AllocationBasis =>
  b._tag === 'Fresh' ? b : { _tag: 'Changes', upserted: [...b.upserted].sort(), deleted: [...b.deleted].sort() }

type Pass =
  | { readonly _tag: 'Services'; readonly upserted: readonly Service[]; readonly deleted: readonly number[] }
  | { readonly _tag: 'StatusesWritten' }
  /** The same values as new objects (a decoder that does not reuse them), one key given twice. */
  | { readonly _tag: 'Copies' }
  | { readonly _tag: 'Pools'; readonly pools: readonly Pool[] }
  | { readonly _tag: 'NamespaceLabels'; readonly env: string }
  | { readonly _tag: 'Class'; readonly lbClass: string | undefined }
  | { readonly _tag: 'Restart' }
  /** The last pass is repeated from the state before it (its result was lost). */
  | { readonly _tag: 'FromOlder' }

const passArb = (pools: readonly Pool[]): fc.Arbitrary<Pass> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ _tag: fc.constant('Services' as const), upserted: fc.array(fc.integer({ min: 0, max: 17 }).chain((i) => serviceArb(`s${i}`, pools)), { maxLength: 3 }), deleted: fc.array(fc.nat(), { maxLength: 2 }) }) },
    { weight: 3, arbitrary: fc.constant({ _tag: 'StatusesWritten' as const }) },
    { weight: 1, arbitrary: fc.constant({ _tag: 'Copies' as const }) },
    { weight: 1, arbitrary: poolsArb.map((ps) => ({ _tag: 'Pools' as const, pools: ps })) },
    { weight: 1, arbitrary: fc.constantFrom('prod', 'dev').map((env) => ({ _tag: 'NamespaceLabels' as const, env })) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, 'other.io/lb').map((lbClass) => ({ _tag: 'Class' as const, lbClass })) },
    { weight: 1, arbitrary: fc.constant({ _tag: 'Restart' as const }) },
    { weight: 1, arbitrary: fc.constant({ _tag: 'FromOlder' as const }) },
  )

interface Cluster {
  readonly pools: readonly Pool[]
  readonly services: readonly Service[]
  readonly namespaces: readonly Namespace[]
  readonly lbClass: string | undefined
}

const inputOf = (c: Cluster): AllocationInput => mkInput(c.pools, c.services, { namespaces: c.namespaces, ...(c.lbClass === undefined ? {} : { loadBalancerClass: c.lbClass }) })

/** The cluster after a pass's event (FromOlder and Restart leave it as it is). */
const apply = (c: Cluster, p: Pass, plan: AllocationPlan): Cluster => {
  switch (p._tag) {
    case 'Services': {
      const m = lastByKey(c.services)
      const keys = [...m.keys()].sort()
      for (const i of p.deleted) if (keys.length > 0) m.delete(keys[i % keys.length] as ServiceKey)
      for (const s of p.upserted) m.set(s.key, s)
      return { ...c, services: [...m.values()] }
    }
    case 'StatusesWritten':
      return { ...c, services: c.services.map((s) => { const o = plan.outcomes.get(s.key); return { ...s, ingressIPs: o?._tag === 'Assigned' ? o.ips : [] } }) }
    case 'Copies': {
      const copies = c.services.map((s) => ({ ...s, labels: { ...s.labels } }))
      return { ...c, services: copies.length === 0 ? copies : [...copies, { ...(copies[0] as Service) }] }
    }
    case 'Pools':
      return { ...c, pools: p.pools }
    case 'NamespaceLabels':
      return { ...c, namespaces: c.namespaces.map((n) => (n.name === 'ns2' ? mkNamespace('ns2', { env: p.env }) : n)) }
    case 'Class':
      return { ...c, lbClass: p.lbClass }
    case 'Restart':
    case 'FromOlder':
      return c
  }
}

const scenarioArb = poolsArb.chain((pools) => fc.tuple(fc.constant(pools), servicesArb(10, pools), fc.array(passArb(pools), { maxLength: 12 })))

t.test('planFrom over any sequence of snapshots: the full plan, the exact changes, the exact diff', async (t) => {
  fc.assert(
    fc.property(scenarioArb, ([pools, services, passes]) => {
      let cluster: Cluster = { pools, services, namespaces: NAMESPACES, lbClass: undefined }
      const first = inputOf(cluster)
      const seen: { state: AllocationState; input: AllocationInput; flat: ReturnType<typeof flatPlan> }[] = []
      const record = (state: AllocationState, input: AllocationInput): void => void seen.push({ state, input, flat: flatPlan(state.plan) })
      record(planFrom(undefined, first), first)
      for (const p of passes) {
        const last = seen[seen.length - 1]
        if (last === undefined) throw new Error('no first pass')
        const prior = p._tag === 'Restart' ? undefined : p._tag === 'FromOlder' ? (seen[seen.length - 2] ?? last) : last
        cluster = apply(cluster, p, last.state.plan)
        const next = inputOf(cluster)
        const got = planFrom(prior?.state, next)
        const what = `${p._tag} pass`
        expectSame(flatPlan(got.plan), flatPlan(planAllocation(next)), `${what}: plan = full plan`)
        expectSame([...got.changed].sort(), changedBetween(prior?.state.plan, got.plan), `${what}: changed keys`)
        // A pass from an older state plans afresh inside, but still reports the diff it was given.
        expectSame(sortedBasis(got.basis), expectedBasis(prior?.input, next), `${what}: basis`)
        const recorded = snapshotOf(got)?.recorded ?? Infinity
        if (recorded > 2 * got.plan.outcomes.size + 66) throw new Error(`${what}: ${recorded} records for ${got.plan.outcomes.size} Services`)
        record(got, next)
      }
      for (const h of seen) expectSame(flatPlan(h.state.plan), h.flat, 'an earlier plan reads as it did')
    }),
    { numRuns: 250 },
  )
  t.pass('every sequence planned as a full plan, with the exact changes and diff')
})

t.test('a pass over the same objects replans nothing and changes nothing', async (t) => {
  const pools = [mkPool('a', ['192.0.2.0/28'])]
  const input = mkInput(pools, [mkService('web'), mkService('api', { holds: ['192.0.2.5'] })])
  const first = planFrom(undefined, input)
  const again = planFrom(first, { ...input, config: { pools: new Map(input.config.pools) } })
  t.same(again.basis, { _tag: 'Changes', upserted: [], deleted: [] })
  t.same([...again.changed], [])
  t.same(flatPlan(again.plan), flatPlan(first.plan))
})

t.test('why a pass plans afresh', async (t) => {
  const byLabel = mkPool('a', ['192.0.2.0/28'], { serviceAllocation: mkAllocation({ namespaceSelectors: [mkSelector({ env: 'prod' })] }) })
  const plain = mkPool('a', ['192.0.2.0/28'])
  const base = (pool: Pool, o: { namespaces?: readonly Namespace[]; loadBalancerClass?: string } = {}): AllocationInput =>
    mkInput([pool], [mkService('web', { ns: 'ns1' })], { namespaces: [mkNamespace('ns1', { env: 'prod' })], ...o })
  const cases: { desc: string; in: [AllocationInput, AllocationInput]; want: string }[] = [
    { desc: 'a pool gains a range', in: [base(plain), base(mkPool('a', ['192.0.2.0/28', '198.51.100.0/30']))], want: 'ConfigChanged' },
    { desc: 'a pool is added', in: [base(plain), mkInput([plain, mkPool('b', ['203.0.113.0/30'])], base(plain).services, { namespaces: base(plain).namespaces })], want: 'ConfigChanged' },
    { desc: 'the same pools in a new Map', in: [base(plain), base({ ...plain, labels: {} })], want: 'Changes' },
    { desc: 'the class changes', in: [base(plain), base(plain, { loadBalancerClass: 'other.io/lb' })], want: 'ClassChanged' },
    { desc: 'a namespace label changes and a pool selects by it', in: [base(byLabel), base(byLabel, { namespaces: [mkNamespace('ns1', { env: 'dev' })] })], want: 'NamespacesChanged' },
    { desc: 'a namespace is added and a pool selects by labels', in: [base(byLabel), base(byLabel, { namespaces: [mkNamespace('ns1', { env: 'prod' }), mkNamespace('ns2')] })], want: 'NamespacesChanged' },
    { desc: 'a namespace label changes and no pool selects by labels', in: [base(plain), base(plain, { namespaces: [mkNamespace('ns1', { env: 'dev' })] })], want: 'Changes' },
  ]
  for (const c of cases) {
    const [a, b] = c.in
    const got = planFrom(planFrom(undefined, a), b)
    t.equal(got.basis._tag === 'Fresh' ? got.basis.reason : got.basis._tag, c.want, c.desc)
    t.same(flatPlan(got.plan), flatPlan(planAllocation(b)), `${c.desc}: the full plan`)
  }
})

t.test('a controller that only ever replans carries O(Services) state, never O(changes), and never plans afresh for it', async (t) => {
  const pools = [mkPool('a', ['198.51.100.0/24'])]
  // A bound that is about the claim, not the formula: at most twice the Services, plus a constant.
  const bounded = (state: AllocationState, services: number): boolean => (snapshotOf(state)?.recorded ?? Infinity) <= 2 * services + 66
  const cases: { desc: string; in: { services: number; passes: number; perPass: number }; want: string }[] = [
    { desc: 'one relabel a pass, 20 Services', in: { services: 20, passes: 6_000, perPass: 1 }, want: 'bounded' },
    { desc: 'five relabels a pass, 300 Services', in: { services: 300, passes: 1_500, perPass: 5 }, want: 'bounded' },
    { desc: 'nothing changes, 10 Services', in: { services: 10, passes: 3_000, perPass: 0 }, want: 'bounded' },
  ]
  for (const c of cases) {
    let current = Array.from({ length: c.in.services }, (_, i) => mkService(`s${i}`))
    let state = planFrom(undefined, mkInput(pools, current))
    let worst = 0
    let fresh = 0
    for (let i = 0; i < c.in.passes; i++) {
      const edited = new Set(Array.from({ length: c.in.perPass }, (_, j) => (i * c.in.perPass + j) % c.in.services))
      current = current.map((s, j) => (edited.has(j) ? { ...s, labels: { round: String(i) } } : s))
      state = planFrom(state, mkInput(pools, current))
      if (state.basis._tag === 'Fresh') fresh++
      if (!bounded(state, c.in.services)) worst = Math.max(worst, snapshotOf(state)?.recorded ?? Infinity)
    }
    t.equal(worst === 0 ? 'bounded' : `grew to ${worst} records`, c.want, `${c.desc}: every pass's state within 2 x Services + 66 records`)
    t.equal(fresh, 0, `${c.desc}: no pass planned afresh`)
    t.same(flatPlan(state.plan), flatPlan(planAllocation(mkInput(pools, current))), `${c.desc}: the plan is still the full plan`)
  }
})

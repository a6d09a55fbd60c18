import t from 'tap'
import fc from 'fast-check'
import { admitAcquisitions } from '../../../core/controller/admit.js'
import { initialControllerState, reconcileController } from '../../../core/controller/reconcile.js'
import { NOW, applied, applyPass, env, mkPool, mkSvc, namespacesArb, poolsArb, servicesArb, snapshotOf } from './mk.js'

const pool = mkPool('p', ['203.0.113.0/30'])
const broken = mkPool('p', ['not-a-range'])

t.test('the config it runs on: the latest when valid, else the last valid one, else none', async (t) => {
  const svc = mkSvc('web', { ingress: ['203.0.113.1'], annotations: { 'metallb.io/ip-allocated-from-pool': 'p' } })
  const first = reconcileController(snapshotOf([pool], [svc]), initialControllerState, env)
  t.equal(first.plan.config._tag, 'Latest')
  t.same(first.plan.configurationState, { result: 'Valid', errors: [] })
  t.same(first.plan.allocation?.verdicts.get('apps/web' as never), { _tag: 'Assigned', ips: ['203.0.113.1'], pool: 'p' })

  const typo = reconcileController(snapshotOf([broken], [svc]), first.state, env)
  t.equal(typo.plan.config._tag, 'LastValid', 'a typo keeps the last valid config running')
  t.equal(typo.plan.configurationState.result, 'Invalid')
  t.ok(typo.plan.configurationState.errors.length > 0)
  t.same(typo.plan.allocation?.verdicts.get('apps/web' as never), { _tag: 'Assigned', ips: ['203.0.113.1'], pool: 'p' }, 'and nobody loses an IP')
  t.equal(typo.state.lastValid, first.state.lastValid)

  const never = reconcileController(snapshotOf([broken], [svc]), initialControllerState, env)
  t.equal(never.plan.config._tag, 'NoValidYet')
  t.equal(never.plan.allocation, undefined, 'with no valid config yet it plans nothing')
  t.equal(never.state.lastValid, undefined)
})

t.test('a reason for every Service, writes in their safe order, pool figures and status', async (t) => {
  const services = [
    mkSvc('old', { ingress: ['203.0.113.1'], annotations: { 'metallb.io/ip-allocated-from-pool': 'p' }, type: 'ClusterIP' }),
    mkSvc('new', { annotations: { 'metallb.io/loadBalancerIPs': '203.0.113.1' }, created: '2026-01-02T00:00:00Z' }),
    mkSvc('far', { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.1' } }),
    mkSvc('theirs', { lbClass: 'other.io/lb', ingress: ['203.0.113.2'] }),
  ]
  const withStatus = { ...pool, status: { assignedIPv4: 0, assignedIPv6: 0, availableIPv4: 4, availableIPv6: 0 } }
  const { plan } = reconcileController(snapshotOf([withStatus], services), initialControllerState, env)
  const a = plan.allocation
  if (a === undefined) return t.fail('no allocation')
  t.same(
    [...a.verdicts].map(([k, v]) => [k, v._tag, v._tag === 'Assigned' ? v.ips : v.reason]).sort(),
    [
      ['apps/far', 'Pending', 'RequestedIPNotInAnyPool'],
      ['apps/new', 'Assigned', ['203.0.113.1']],
      ['apps/old', 'Ignored', 'NotLoadBalancer'],
      ['apps/theirs', 'Ignored', 'OtherLoadBalancerClass'],
    ],
  )
  t.same(
    a.services.releases.map((r) => [r.target.key, r.interim, r.write.status?.loadBalancer.ingress]).sort(),
    [['apps/far', false, []], ['apps/old', false, []]],
    'old lets go first (far only gains its pending condition, which takes no IP)',
  )
  t.same(a.services.acquisitions.map((q) => q.planned.key), ['apps/new'])
  t.same(a.services.releases.find((r) => r.target.key === 'apps/old')?.target, { key: 'apps/old', namespace: 'apps', name: 'old', uid: 'uid-old', resourceVersion: '1' })
  t.same(
    a.pools.map((p) => [p.name, p.assignedIPv4, p.services]),
    [['p', 1, 1]],
  )
  t.same(a.poolStatus, [{ pool: 'p', status: { assignedIPv4: 1, assignedIPv6: 0, availableIPv4: 3, availableIPv6: 0 } }])
  const shown = { ...pool, status: { assignedIPv4: 1, assignedIPv6: 0, availableIPv4: 3, availableIPv6: 0 } }
  t.same(reconcileController(snapshotOf([shown], services), initialControllerState, env).plan.allocation?.poolStatus, [], 'a pool that shows its figures gets no write')

  // Before the release lands, new must wait; after, it goes ahead with the Events of the move.
  const before = admitAcquisitions(a.services, snapshotOf([], services).shown, NOW)
  t.same(before, { writes: [], deferred: [{ key: 'apps/new', blockers: ['apps/old'] }] })
  const released = services.map((o) => { const r = a.services.releases.find((x) => x.target.name === o.metadata['name']); return r === undefined ? o : applied(o, r.write) })
  const after = admitAcquisitions(a.services, snapshotOf([], released).shown, NOW)
  t.same(after.deferred, [])
  t.same(after.writes.map((w) => [w.target.key, w.target.resourceVersion, w.write.status?.loadBalancer.ingress, w.write.events.map((e) => e.reason)]), [['apps/new', '1', [{ ip: '203.0.113.1' }], ['IPAllocated']]])
})

t.test('property: when every write lands, one pass settles and the next writes nothing', async () => {
  fc.assert(
    fc.property(poolsArb, servicesArb, namespacesArb, (config, services, namespaces) => {
      const once = applyPass(config, services, initialControllerState, namespaces)
      const twice = applyPass(config, once.objects, once.state, namespaces)
      if (twice.writes !== 0) throw new Error(`second pass wrote ${twice.writes} times`)
    }),
    { numRuns: 150 },
  )
})

t.test('property: reconcile is pure: the same input gives the same plan', async () => {
  fc.assert(
    fc.property(poolsArb, servicesArb, (config, services) => {
      const a = reconcileController(snapshotOf(config, services), initialControllerState, env)
      const b = reconcileController(snapshotOf(config, services), initialControllerState, env)
      return JSON.stringify([...(a.plan.allocation?.verdicts ?? [])], null, 0) === JSON.stringify([...(b.plan.allocation?.verdicts ?? [])]) &&
        JSON.stringify(a.plan.allocation?.services.releases) === JSON.stringify(b.plan.allocation?.services.releases)
    }),
    { numRuns: 50 },
  )
})

t.test('property: the state carried from pass to pass changes no decision (incremental = from scratch)', async () => {
  fc.assert(
    fc.property(poolsArb, fc.array(fc.tuple(servicesArb, namespacesArb), { minLength: 1, maxLength: 4 }), (config, steps) => {
      let state = initialControllerState
      for (const [services, namespaces] of steps) {
        const carried = reconcileController(snapshotOf(config, [...services, ...namespaces]), state, env)
        const fresh = reconcileController(snapshotOf(config, [...services, ...namespaces]), initialControllerState, env)
        const text = (p: typeof carried.plan): string => JSON.stringify([[...(p.allocation?.verdicts ?? [])].sort(), p.allocation?.services.releases, p.allocation?.services.acquisitions, p.allocation?.pools])
        if (text(carried.plan) !== text(fresh.plan)) throw new Error(`carried ${text(carried.plan)}\nfresh ${text(fresh.plan)}`)
        state = carried.state
      }
    }),
    { numRuns: 100 },
  )
})

import t from 'tap'
import fc from 'fast-check'
import { CONDITION_TYPE, POOL_ANNOTATION, DEPRECATED_POOL_ANNOTATION, type ServiceState, type ServiceWrite, type Verdict, answeredIPs, serviceWrite } from '../../../core/controller/serviceStatus.js'

const NOW = '2026-11-27T10:00:00Z'
const mkState = (over: Partial<ServiceState> = {}): ServiceState => ({ key: 'default/web', ingressIPs: [], annotations: {}, conditions: [], ...over })

/** What the API server would hold after the write: the state the next pass reads. */
const applyWrite = (s: ServiceState, w: ServiceWrite): ServiceState => {
  const annotations: Record<string, string> = { ...s.annotations }
  for (const [k, v] of Object.entries(w.annotations ?? {})) {
    if (v === null) delete annotations[k]
    else annotations[k] = v
  }
  return {
    ...s,
    annotations,
    ingressIPs: w.status === undefined ? s.ingressIPs : w.status.loadBalancer.ingress.map((i) => i.ip),
    conditions: w.status === undefined ? s.conditions : w.status.conditions,
  }
}

t.test('verdicts become writes and events', async (t) => {
  const assigned: Verdict = { _tag: 'Assigned', ips: ['192.0.2.1'], pool: 'first-pool' }
  const first = serviceWrite(mkState(), assigned, NOW)
  t.same(first.status?.loadBalancer.ingress, [{ ip: '192.0.2.1' }])
  t.same(first.annotations, { [POOL_ANNOTATION]: 'first-pool' })
  t.same(first.events.map((e) => e.reason), ['IPAllocated'])
  t.equal(first.events[0]?.message, 'Assigned IP ["192.0.2.1"]')
  t.same(first.status?.conditions.map((c) => [c.type, c.status, c.reason]), [[CONDITION_TYPE, 'True', 'IPAllocated']])

  const moved = serviceWrite(applyWrite(mkState(), first), { _tag: 'Assigned', ips: ['192.0.2.9'], pool: 'other' }, NOW)
  t.same(moved.events.map((e) => e.reason), ['ClearAssignment', 'IPAllocated'], 'a move clears, then allocates')

  const pending = serviceWrite(applyWrite(mkState(), first), { _tag: 'Pending', reason: 'NoAvailableIPs', message: 'no available IPs in pool first-pool' }, NOW)
  t.same(pending.status?.loadBalancer.ingress, [], 'pending drops the IP')
  t.same(pending.annotations, { [POOL_ANNOTATION]: null })
  t.same(pending.events.map((e) => [e.type, e.reason]), [['Normal', 'ClearAssignment'], ['Warning', 'AllocationFailed']])
  t.equal(pending.events[1]?.message, 'Failed to allocate IP for "default/web": no available IPs in pool first-pool')
})

t.test("an ingress entry keeps the ipMode and ports others set while its IP stays; a new IP has none", async (t) => {
  const ports = [{ port: 80, protocol: 'TCP' }]
  const dual = mkState({
    ingressIPs: ['192.0.2.1', '2001:db8::1'],
    ingressExtras: { '192.0.2.1': { ipMode: 'Proxy', ports }, '2001:db8::1': { ipMode: 'VIP' } },
    annotations: { [POOL_ANNOTATION]: 'p' },
  })
  const moved = serviceWrite(dual, { _tag: 'Assigned', ips: ['192.0.2.1', '2001:db8::9'], pool: 'p' }, NOW)
  t.same(moved.status?.loadBalancer.ingress, [{ ip: '192.0.2.1', ipMode: 'Proxy', ports }, { ip: '2001:db8::9' }], 'the IPv6 address moved: its entry is new')
  // Only the condition changes (someone removed it): the write still carries the whole ingress list.
  const same = serviceWrite(dual, { _tag: 'Assigned', ips: ['192.0.2.1', '2001:db8::1'], pool: 'p' }, NOW)
  t.same(same.status?.loadBalancer.ingress, [{ ip: '192.0.2.1', ipMode: 'Proxy', ports }, { ip: '2001:db8::1', ipMode: 'VIP' }])
  t.same(same.events, [], 'extras are not ours: no Event, no IP change')
  const written = applyWrite(dual, same)
  t.same(serviceWrite({ ...written, ingressExtras: {} }, { _tag: 'Assigned', ips: ['192.0.2.1', '2001:db8::1'], pool: 'p' }, NOW), { status: undefined, annotations: undefined, events: [] }, 'a change of extras alone is no reason to write')
})

t.test('ignored Services', async (t) => {
  const someoneElses = mkState({ ingressIPs: ['203.0.113.7'] })
  const other = serviceWrite(someoneElses, { _tag: 'Ignored', reason: 'OtherLoadBalancerClass', message: '' }, NOW)
  t.same(other, { status: undefined, annotations: undefined, events: [] }, 'another class: untouched')
  const notOurs = serviceWrite(someoneElses, { _tag: 'Ignored', reason: 'NotLoadBalancer', message: '' }, NOW)
  t.same(notOurs, { status: undefined, annotations: undefined, events: [] }, 'not LB and not ours: untouched')
  const ours = mkState({ ingressIPs: ['192.0.2.1'], annotations: { [POOL_ANNOTATION]: 'p' } })
  const cleared = serviceWrite(ours, { _tag: 'Ignored', reason: 'NotLoadBalancer', message: '' }, NOW)
  t.same(cleared.status?.loadBalancer.ingress, [], 'type changed away from LoadBalancer: our IP is taken back')
  t.same(cleared.annotations, { [POOL_ANNOTATION]: null })
  t.same(cleared.events, [])
})

t.test('the deprecated pool annotation is replaced by the current one', async (t) => {
  const w = serviceWrite(mkState({ ingressIPs: ['192.0.2.1'], annotations: { [DEPRECATED_POOL_ANNOTATION]: 'p' } }), { _tag: 'Assigned', ips: ['192.0.2.1'], pool: 'p' }, NOW)
  t.same(w.annotations, { [POOL_ANNOTATION]: 'p', [DEPRECATED_POOL_ANNOTATION]: null })
  t.same(w.events, [], 'same IP: no event')
})

const ipArb = fc.constantFrom('192.0.2.1', '192.0.2.2', '2001:db8::1', '198.51.100.5')
const verdictArb: fc.Arbitrary<Verdict> = fc.oneof(
  fc.record({ _tag: fc.constant('Assigned' as const), ips: fc.uniqueArray(ipArb, { minLength: 1, maxLength: 2 }), pool: fc.constantFrom('a', 'b') }),
  fc.record({ _tag: fc.constant('Pending' as const), reason: fc.constantFrom('NoAvailableIPs', 'PoolNotFound'), message: fc.constantFrom('x', 'y') }),
  fc.record({ _tag: fc.constant('Ignored' as const), reason: fc.constantFrom('NotLoadBalancer', 'OtherLoadBalancerClass'), message: fc.constant('') }),
)
const stateArb: fc.Arbitrary<ServiceState> = fc.record({
  key: fc.constant('ns/svc'),
  ingressIPs: fc.uniqueArray(ipArb, { maxLength: 2 }),
  annotations: fc.oneof(fc.constant({}), fc.record({ [POOL_ANNOTATION]: fc.constantFrom('a', 'b') }), fc.record({ [DEPRECATED_POOL_ANNOTATION]: fc.constant('a') })),
  conditions: fc.constant([]),
})

t.test('writing converges: the second pass writes nothing and says nothing', async (t) => {
  fc.assert(
    fc.property(stateArb, verdictArb, (state, verdict) => {
      const after = applyWrite(state, serviceWrite(state, verdict, NOW))
      const again = serviceWrite(after, verdict, '2026-11-27T11:00:00Z')
      return again.status === undefined && again.annotations === undefined && again.events.length === 0
    }),
  )
  t.pass('idempotent')
})

t.test('events only accompany a write', async (t) => {
  fc.assert(
    fc.property(stateArb, verdictArb, (state, verdict) => {
      const w = serviceWrite(state, verdict, NOW)
      return w.events.length === 0 || w.status !== undefined || w.annotations !== undefined
    }),
  )
  t.pass('no event without a change')
})

t.test('answeredIPs: the IPs this controller may take away, and no others', async (t) => {
  const shows = mkState({ ingressIPs: ['198.51.100.7'] })
  const ours = mkState({ ingressIPs: ['198.51.100.7'], annotations: { [POOL_ANNOTATION]: 'lan' } })
  const otherClass: Verdict = { _tag: 'Ignored', reason: 'OtherLoadBalancerClass', message: 'x' }
  const notLB: Verdict = { _tag: 'Ignored', reason: 'NotLoadBalancer', message: 'x' }
  t.same(answeredIPs(ours, otherClass), [], "another class's Service: none, even with our pool annotation")
  t.same(answeredIPs(shows, notLB), [], 'a former LoadBalancer showing an IP we never gave: none')
  t.same(answeredIPs(ours, notLB), ['198.51.100.7'], 'a former LoadBalancer holding our IP: we clear it')
  t.same(answeredIPs(shows, { _tag: 'Pending', reason: 'NoAvailableIPs', message: 'x' }), ['198.51.100.7'])
  t.same(answeredIPs(shows, { _tag: 'Assigned', ips: ['198.51.100.8'], pool: 'lan' }), ['198.51.100.7'])
})

t.test('property: an IP the controller does not answer for is never written away', async (t) => {
  const ip = fc.constantFrom('198.51.100.1', '198.51.100.2', '2001:db8::1')
  const state = fc.record({
    ingressIPs: fc.uniqueArray(ip, { maxLength: 2 }),
    annotations: fc.constantFrom({}, { [POOL_ANNOTATION]: 'lan' }, { [DEPRECATED_POOL_ANNOTATION]: 'lan' }),
  })
  const verdict = fc.oneof(
    fc.record({ _tag: fc.constant('Assigned' as const), ips: fc.uniqueArray(ip, { minLength: 1, maxLength: 2 }), pool: fc.constant('lan') }),
    fc.record({ _tag: fc.constant('Pending' as const), reason: fc.constant('NoAvailableIPs'), message: fc.constant('m') }),
    fc.record({ _tag: fc.constant('Ignored' as const), reason: fc.constantFrom('NotLoadBalancer', 'OtherLoadBalancerClass'), message: fc.constant('m') }),
  )
  fc.assert(
    fc.property(state, verdict, (st, v) => {
      const s = mkState(st)
      const w = serviceWrite(s, v, NOW)
      const after = w.status === undefined ? s.ingressIPs : w.status.loadBalancer.ingress.map((i) => i.ip)
      const unanswered = s.ingressIPs.filter((x) => !answeredIPs(s, v).includes(x))
      return unanswered.every((x) => after.includes(x))
    }),
  )
  t.pass('held for every state and verdict tried')
})

t.test('property: every written entry for an IP the Service shows carries its extras, and a new IP none', async (t) => {
  const ip: fc.Arbitrary<string> = ipArb
  const extras = fc.dictionary(ip, fc.record({ ipMode: fc.constantFrom('VIP', 'Proxy'), ports: fc.constant([{ port: 53, protocol: 'UDP' }]) }, { requiredKeys: [] }))
  fc.assert(
    fc.property(fc.uniqueArray(ip, { maxLength: 2 }), extras, verdictArb, fc.boolean(), (shown, ex, v, ours) => {
      // As the decoder reads a Service: extras only for IPs its entries show.
      const s = mkState({ ingressIPs: shown, ingressExtras: Object.fromEntries(Object.entries(ex).filter(([at]) => shown.includes(at))), annotations: ours ? { [POOL_ANNOTATION]: 'a' } : {} })
      const w = serviceWrite(s, v, NOW)
      return (w.status?.loadBalancer.ingress ?? []).every((e) => {
        const { ip: at, ...rest } = e
        return JSON.stringify(rest) === JSON.stringify(shown.includes(at) ? (ex[at] ?? {}) : {})
      })
    }),
  )
  t.pass('held for every state and verdict tried')
})

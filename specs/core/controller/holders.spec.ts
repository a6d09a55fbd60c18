import t from 'tap'
import fc from 'fast-check'
import { answeredHolders, plannedHolders } from '../../../core/controller/holders.js'
import { POOL_ANNOTATION, type ServiceState, type Verdict } from '../../../core/controller/serviceStatus.js'

const state = (key: string, ingressIPs: string[], ours = false): ServiceState => ({ key, ingressIPs, annotations: ours ? { [POOL_ANNOTATION]: 'lan' } : {}, conditions: [] })
const assigned = (...ips: string[]): Verdict => ({ _tag: 'Assigned', ips, pool: 'lan' })
const otherClass: Verdict = { _tag: 'Ignored', reason: 'OtherLoadBalancerClass', message: 'm' }
const asObject = (h: ReadonlyMap<string, ReadonlySet<string>>): Record<string, string[]> => Object.fromEntries([...h].map(([ip, keys]) => [ip, [...keys].sort()]))

t.test('the plan holds what the verdicts assign; pending and ignored hold nothing', async (t) => {
  const verdicts = new Map<string, Verdict>([
    ['a/web', assigned('198.51.100.7', '2001:db8::7')],
    ['a/db', { _tag: 'Pending', reason: 'NoAvailableIPs', message: 'm' }],
    ['b/x', otherClass],
  ])
  t.same(asObject(plannedHolders(verdicts)), { '198.51.100.7': ['a/web'], '2001:db8::7': ['a/web'] })
})

t.test("what is shown now counts our Services only: another class's IP blocks nothing", async (t) => {
  const verdicts = new Map<string, Verdict>([
    ['a/old', { _tag: 'Pending', reason: 'NoAvailableIPs', message: 'm' }],
    ['b/theirs', otherClass],
    ['a/new', assigned('198.51.100.7')],
  ])
  const shown = [state('a/old', ['198.51.100.7']), state('b/theirs', ['198.51.100.7'], true), state('a/new', []), state('a/unknown', ['198.51.100.7'])]
  t.same(asObject(answeredHolders(shown, verdicts)), { '198.51.100.7': ['a/old'] }, 'a Service without a verdict is not counted either')
})

t.test('property: every holder shows the IP, has a verdict, and is not of another class', async (t) => {
  const ip: fc.Arbitrary<string> = fc.constantFrom('198.51.100.1', '198.51.100.2', '2001:db8::1')
  const verdict: fc.Arbitrary<Verdict> = fc.oneof(
    fc.record({ _tag: fc.constant('Assigned' as const), ips: fc.uniqueArray(ip, { minLength: 1, maxLength: 2 }), pool: fc.constant('lan') }),
    fc.record({ _tag: fc.constant('Pending' as const), reason: fc.constant('NoAvailableIPs'), message: fc.constant('m') }),
    fc.record({ _tag: fc.constant('Ignored' as const), reason: fc.constantFrom('NotLoadBalancer', 'OtherLoadBalancerClass'), message: fc.constant('m') }),
  )
  const service = fc.record({ ips: fc.uniqueArray(ip, { maxLength: 2 }), ours: fc.boolean(), verdict: fc.option(verdict, { nil: undefined }) })
  fc.assert(
    fc.property(fc.array(service, { maxLength: 6 }), (list) => {
      const states = list.map((s, i) => state(`ns/s${i}`, s.ips, s.ours))
      const verdicts = new Map(list.flatMap((s, i): [string, Verdict][] => (s.verdict === undefined ? [] : [[`ns/s${i}`, s.verdict]])))
      for (const [held, keys] of answeredHolders(states, verdicts))
        for (const key of keys) {
          const i = Number(key.slice('ns/s'.length))
          const v = verdicts.get(key)
          if (!(list[i]?.ips.includes(held) ?? false) || v === undefined) return false
          if (v._tag === 'Ignored' && v.reason === 'OtherLoadBalancerClass') return false
        }
      return true
    }),
    { numRuns: 500 },
  )
  t.pass('held')
})

t.test('property: asked about some IPs only, the answer is the whole map cut to those IPs', async (t) => {
  const ip: fc.Arbitrary<string> = fc.constantFrom('198.51.100.1', '198.51.100.2', '2001:db8::1', '2001:db8::2')
  const verdict: fc.Arbitrary<Verdict> = fc.oneof(
    fc.record({ _tag: fc.constant('Assigned' as const), ips: fc.uniqueArray(ip, { minLength: 1, maxLength: 2 }), pool: fc.constant('lan') }),
    fc.record({ _tag: fc.constant('Ignored' as const), reason: fc.constantFrom('NotLoadBalancer', 'OtherLoadBalancerClass'), message: fc.constant('m') }),
  )
  const service = fc.record({ ips: fc.uniqueArray(ip, { maxLength: 3 }), ours: fc.boolean(), verdict: fc.option(verdict, { nil: undefined }) })
  fc.assert(
    fc.property(fc.array(service, { maxLength: 8 }), fc.uniqueArray(ip, { maxLength: 3 }), (list, asked) => {
      const states = list.map((s, i) => state(`ns/s${i}`, s.ips, s.ours))
      const verdicts = new Map(list.flatMap((s, i): [string, Verdict][] => (s.verdict === undefined ? [] : [[`ns/s${i}`, s.verdict]])))
      const whole = asObject(answeredHolders(states, verdicts))
      const cut = Object.fromEntries(Object.entries(whole).filter(([held]) => asked.includes(held)))
      t.same(asObject(answeredHolders(states, verdicts, new Set(asked))), cut)
    }),
    { numRuns: 300 },
  )
})

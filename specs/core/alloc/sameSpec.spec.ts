// Telling a status write from a real change, and equal Services from different ones: the comparison
// agrees with deep equality on any two generated Services.
import fc from 'fast-check'
import { isDeepStrictEqual } from 'node:util'
import t from 'tap'
import { sameExceptIngress, sameService, sameValue } from '../../../core/alloc/sameSpec.js'
import { serviceArb } from './arbitraries.js'
import { ip, mkService } from './mk.js'

t.test('sameExceptIngress and sameService', async (t) => {
  const base = mkService('web', { holds: ['192.0.2.1'], labels: { app: 'web' }, want: ['192.0.2.1'] })
  const cases = [
    { desc: 'a copy', in: { ...base, labels: { app: 'web' } }, want: [true, true] },
    { desc: 'only the status differs', in: { ...base, ingressIPs: [ip('192.0.2.9')] }, want: [true, false] },
    { desc: 'a label differs', in: { ...base, labels: { app: 'api' } }, want: [false, false] },
    { desc: 'the requested IP differs', in: { ...base, request: { _tag: 'Specific' as const, ips: [ip('192.0.2.2')] } }, want: [false, false] },
    { desc: 'a port differs', in: { ...base, ports: [{ protocol: 'UDP' as const, port: 80 }] }, want: [false, false] },
    { desc: 'one more label', in: { ...base, labels: { app: 'web', tier: 'edge' } }, want: [false, false] },
    { desc: 'one label fewer', in: { ...base, labels: {} }, want: [false, false] },
    { desc: 'a field only one side has', in: { ...base, extra: 'x' }, want: [false, false] },
    { desc: 'another class', in: { ...base, loadBalancerClass: 'other.io/lb' }, want: [false, false] },
  ]
  for (const c of cases) t.same([sameExceptIngress(base, c.in), sameService(base, c.in)], c.want, c.desc)
})

t.test('sameValue: plain data by value, anything else only as itself', async (t) => {
  const m = new Map([['a', 1]])
  const cases = [
    { desc: 'equal records in another key order', in: [{ a: 1, b: [1n, 'x'] }, { b: [1n, 'x'], a: 1 }], want: true },
    { desc: 'bigints by value', in: [{ v: 10n }, { v: 10n }], want: true },
    { desc: 'a field set to undefined is not a missing field', in: [{ a: undefined }, {}], want: false },
    { desc: 'an array is not a record', in: [[1], { 0: 1 }], want: false },
    { desc: 'two different Maps (no enumerable fields) are not equal', in: [new Map([['a', 1]]), new Map()], want: false },
    { desc: 'a Map is equal to itself', in: [m, m], want: true },
  ]
  for (const c of cases) t.equal(sameValue(c.in[0], c.in[1]), c.want, c.desc)
})

t.test('sameService and sameExceptIngress agree with deep equality', async (t) => {
  // Half the pairs are a Service and a deep copy with at most one field taken from another Service.
  const pairArb = fc.tuple(serviceArb('x'), serviceArb('x'), fc.nat()).map(([a, b, pick]) => {
    if (pick % 2 === 0) return [a, b] as const
    const keys = Object.keys(a) as (keyof typeof a)[]
    const k = keys[pick % keys.length] as keyof typeof a
    return [a, { ...structuredClone(a), [k]: structuredClone(b[k]) }] as const
  })
  fc.assert(
    fc.property(pairArb, ([a, b]) =>
      sameService(a, b) === isDeepStrictEqual(a, b) && sameExceptIngress(a, b) === isDeepStrictEqual({ ...a, ingressIPs: [] }, { ...b, ingressIPs: [] }),
    ),
    { numRuns: 2_000 },
  )
  t.pass('sameService = deep equality')
})

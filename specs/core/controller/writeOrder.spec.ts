import t from 'tap'
import fc from 'fast-check'
import { type PlannedWrite, blockersOf, holdersOf, orderWrites } from '../../../core/controller/writeOrder.js'

t.test('examples', async (t) => {
  const planned = holdersOf([{ key: 'a', ips: ['y'] }, { key: 'b', ips: ['x'] }])
  const moveA: PlannedWrite = { key: 'a', current: ['x'], next: ['y'] }
  const takeX: PlannedWrite = { key: 'b', current: [], next: ['x'] }
  const o = orderWrites([moveA, takeX], planned)
  t.same(o.releases, [{ key: 'a', current: ['x'], next: [], interim: true }], 'a first lets go of x, which b takes')
  t.same(o.acquisitions.map((w) => w.key), ['a', 'b'])

  const alone = orderWrites([moveA], holdersOf([{ key: 'a', ips: ['y'] }]))
  t.same([alone.releases.length, alone.acquisitions.length], [0, 1], 'nobody wants x: one write, no interim')

  const shownAfterFailedRelease = holdersOf([{ key: 'a', ips: ['x'] }])
  t.same(blockersOf(takeX, shownAfterFailedRelease, planned), ['a'], 'if a could not let go, b is blocked')
  const shared = holdersOf([{ key: 'a', ips: ['x'] }, { key: 'b', ips: ['x'] }])
  t.same(blockersOf(takeX, shownAfterFailedRelease, shared), [], 'joining a Service that keeps a shared IP is fine')
})

// Random passes: services show some IPs now and the plan gives each a (possibly different) set.
// Within each group (initial, final) co-holders are compatible by construction. Run the releases
// in any order, then the acquisitions in any order: at every step each IP's holders must be all
// from the initial co-holders or all from the final co-holders.
const passArb = fc
  .record({
    services: fc.integer({ min: 1, max: 6 }),
    initial: fc.array(fc.subarray(['x', 'y', 'z']), { minLength: 6, maxLength: 6 }),
    final: fc.array(fc.subarray(['x', 'y', 'z']), { minLength: 6, maxLength: 6 }),
  })
  .chain((r) => fc.tuple(fc.constant(r), fc.infiniteStream(fc.nat())))

t.test('no observable moment has an IP on incompatible Services', async (t) => {
  fc.assert(
    fc.property(passArb, ([r, randoms]) => {
      const keys = Array.from({ length: r.services }, (_, i) => `s${i}`)
      const current = new Map<string, readonly string[]>(keys.map((k, i) => [k, r.initial[i] ?? []]))
      const next = new Map<string, readonly string[]>(keys.map((k, i) => [k, r.final[i] ?? []]))
      const initialHolders = holdersOf(keys.map((k) => ({ key: k, ips: current.get(k) ?? [] })))
      const planned = holdersOf(keys.map((k) => ({ key: k, ips: next.get(k) ?? [] })))
      const writes: PlannedWrite[] = keys.map((k) => ({ key: k, current: current.get(k) ?? [], next: next.get(k) ?? [] }))
      const order = orderWrites(writes, planned)
      const state = new Map(current)
      const rand = randoms[Symbol.iterator]()
      const shuffled = <A>(xs: readonly A[]): A[] => {
        const a = [...xs]
        for (let i = a.length - 1; i > 0; i--) {
          const j = (rand.next().value as number) % (i + 1)
          ;[a[i], a[j]] = [a[j] as A, a[i] as A]
        }
        return a
      }
      const check = (): void => {
        for (const [ip, holders] of holdersOf([...state].map(([key, ips]) => ({ key, ips })))) {
          if (holders.size < 2) continue
          const allInitial = [...holders].every((h) => initialHolders.get(ip)?.has(h) === true)
          const allFinal = [...holders].every((h) => planned.get(ip)?.has(h) === true)
          if (!allInitial && !allFinal) throw new Error(`${ip} shown by ${[...holders].join(',')}`)
        }
      }
      for (const w of shuffled(order.releases)) {
        state.set(w.key, w.next)
        check()
      }
      for (const w of shuffled(order.acquisitions)) {
        state.set(w.key, w.next)
        check()
      }
      // Progress: one pass reaches the plan.
      return keys.every((k) => (state.get(k) ?? []).join() === (next.get(k) ?? []).join())
    }),
    { numRuns: 2000 },
  )
  t.pass('invariant held at every step')
})

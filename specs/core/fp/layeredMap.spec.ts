// LayeredMap as a persistent map: every version, made from any earlier one (so lines branch), holds
// exactly what a plain Map would after the same changes; and changedSince, between any two versions,
// is either undefined or names every key whose value differs (it may name more), and is defined from
// a parent to its child while no fold came between (so a pass may compare only those keys).
import t from 'tap'
import fc from 'fast-check'
import { LayeredMap } from '../../../core/fp/layeredMap.js'

type Change = readonly [number, number | undefined]
const changeArb: fc.Arbitrary<Change> = fc.tuple(fc.nat({ max: 90 }), fc.option(fc.nat({ max: 3 }), { nil: undefined, freq: 4 }))
const stepArb = fc.record({ from: fc.nat(), changes: fc.array(changeArb, { maxLength: 12 }) })

t.test('property: every version is its plain Map, and changedSince misses no changed key', async (t) => {
  let defined = 0
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat({ max: 90 }), fc.nat({ max: 3 })), { maxLength: 100 }), fc.array(stepArb, { minLength: 1, maxLength: 30 }), (initial, steps) => {
      const plain: Map<number, number>[] = [new Map(initial)]
      const layered: LayeredMap<number, number>[] = [LayeredMap.of(new Map(initial))]
      const parentOf: number[] = [-1]
      for (const { from, changes } of steps) {
        const i = from % layered.length
        const next = new Map(plain[i])
        for (const [k, v] of changes) v === undefined ? next.delete(k) : next.set(k, v)
        plain.push(next)
        layered.push((layered[i] as LayeredMap<number, number>).with(changes))
        parentOf.push(i)
      }
      for (let j = 0; j < layered.length; j++) {
        const l = layered[j] as LayeredMap<number, number>
        const p = plain[j] as Map<number, number>
        if (l.size !== p.size || JSON.stringify([...l].sort()) !== JSON.stringify([...p].sort())) throw new Error(`version ${j} differs from its Map`)
        for (let i = 0; i < layered.length; i++) {
          const named = l.changedSince(layered[i] as LayeredMap<number, number>)
          if (named === undefined) continue
          const earlier = plain[i] as Map<number, number>
          const keys = new Set([...p.keys(), ...earlier.keys()])
          for (const k of keys) if (p.get(k) !== earlier.get(k) && !named.includes(k)) throw new Error(`${j} since ${i}: key ${k} changed but not named`)
        }
        const parent = parentOf[j] ?? -1
        if (parent >= 0 && l.changedSince(layered[parent] as LayeredMap<number, number>) !== undefined) defined++
      }
    }),
    { numRuns: 300 },
  )
  t.ok(defined > 0, `defined from parent to child ${defined} times`)
})

t.test('from parent to child without a fold: exactly the keys the change set', async (t) => {
  const a = LayeredMap.of(new Map(Array.from({ length: 400 }, (_, i) => [i, i])))
  const b = a.with([[1, 10], [2, undefined]])
  const c = b.with([[3, 30]])
  t.same(b.changedSince(a), [1, 2])
  t.same(c.changedSince(a), [1, 2, 3])
  t.same(c.changedSince(b), [3])
  t.equal(a.changedSince(c), undefined, 'not from a later version')
  const sibling = a.with([[5, 50]])
  t.equal(sibling.changedSince(b), undefined, 'not across lines')
  t.equal(sibling.changedSince(a), undefined, "a parent's second child starts a line of its own (its caller compares every key)")
  t.same(sibling.with([[6, 60]]).changedSince(sibling), [6], 'and from there on, a line again')
})

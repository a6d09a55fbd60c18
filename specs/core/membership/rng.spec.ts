import t from 'tap'
import fc from 'fast-check'
import { below, next, seedRng, shuffle, stir } from '../../../core/membership/rng.js'

t.test('shuffle is a permutation and a function of the seed', async (t) => {
  fc.assert(
    fc.property(fc.integer(), fc.array(fc.integer(), { maxLength: 50 }), (seed, xs) => {
      const [, a] = shuffle(seedRng(seed), xs)
      const [, b] = shuffle(seedRng(seed), xs)
      return JSON.stringify([...a].sort()) === JSON.stringify([...xs].sort()) && JSON.stringify(a) === JSON.stringify(b)
    }),
  )
  t.pass('permutation')
})

t.test('below stays in range and spreads', async (t) => {
  let r = seedRng(42)
  const counts = new Array<number>(10).fill(0)
  for (let i = 0; i < 10_000; i++) {
    const [r2, k] = below(r, 10)
    r = r2
    counts[k] = (counts[k] ?? 0) + 1
  }
  t.ok(counts.every((n) => n > 850 && n < 1150), `roughly uniform: ${counts.join(' ')}`)
  t.not(next(stir(seedRng(1), 7))[1], next(seedRng(1))[1], 'entropy changes the stream')
})

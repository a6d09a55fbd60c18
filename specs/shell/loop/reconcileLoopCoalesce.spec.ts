// The reconcile loop's coalescing under churn (the speaker's option), on a hand-turned clock: an
// ordinary kick rests `factor` times the last pass (capped), an urgent one runs batchMs later all the
// same and cuts a rest short, never a backoff; without the option nothing changes.
import t from 'tap'
import fc from 'fast-check'
import { jsonLogger } from '../../../shell/obs/log.js'
import { type PassOutcome, restAfter, startReconcileLoop } from '../../../shell/loop/reconcileLoop.js'
import { fakeClock } from '../../support/fakeClock.js'

const DONE: PassOutcome = { _tag: 'Done' }
const COALESCE = { factor: 3, maxMs: 2_000 } as const

/** A loop whose passes take `passMs` of the fake clock each (or throw, while `failing`). */
const setup = (passMs: number, coalesce = true) => {
  const clock = fakeClock()
  const starts: number[] = []
  let failing = false
  const pass = (): Promise<PassOutcome> => {
    starts.push(clock.now() - t0)
    return new Promise((resolve, reject) => void clock.setTimeout(() => (failing ? reject(new Error('down')) : resolve(DONE)), passMs))
  }
  const t0 = clock.now()
  const loop = startReconcileLoop({ name: 'spec', pass, log: jsonLogger('none'), clock, batchMs: 10, resyncMs: 600_000, backoff: { initialMs: 500, maxMs: 5_000 }, ...(coalesce ? { coalesce: COALESCE } : {}) })
  return { clock, starts, loop, fail: (on: boolean) => void (failing = on) }
}

t.test('restAfter: batchMs without the option; with it, factor x pass within [batchMs, maxMs], never shorter for a longer pass', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }), fc.double({ min: 0, max: 10, noNaN: true }), (batchMs, a, b, factor) => {
      const maxMs = 2_000
      if (restAfter({ batchMs }, a) !== batchMs) return false
      const [lo, hi] = a <= b ? [a, b] : [b, a]
      const r = (ms: number): number => restAfter({ batchMs, coalesce: { factor, maxMs } }, ms)
      return r(lo) <= r(hi) && r(lo) >= batchMs && r(hi) <= Math.max(batchMs, maxMs) && (factor * hi > maxMs || r(hi) >= Math.min(maxMs, factor * hi))
    }),
  )
  t.equal(restAfter({ batchMs: 10, coalesce: COALESCE }, 100), 300)
  t.equal(restAfter({ batchMs: 10, coalesce: COALESCE }, 1_000), 2_000, 'capped')
  t.equal(restAfter({ batchMs: 10, coalesce: COALESCE }, 1), 10, 'never under batchMs')
})

t.test('a kick during a 100 ms pass: the next pass starts 300 ms after it ended, not batchMs', async (t) => {
  const { clock, starts, loop } = setup(100)
  await clock.advance(50) // the first pass runs 10..110
  loop.kick()
  await clock.advance(1_000)
  t.same(starts, [10, 410])
  await loop.stop()
})

t.test('an ordinary kick while resting waits out the rest; an urgent kick cuts it to batchMs', async (t) => {
  const { clock, starts, loop } = setup(100)
  await clock.advance(160) // first pass 10..110
  loop.kick() // at 160: rest until 410
  await clock.advance(40)
  t.same(starts, [10], 'resting at 200')
  loop.kick('urgent') // at 200: runs at 210
  await clock.advance(20)
  t.same(starts, [10, 210], 'urgent: batchMs after the kick')
  await clock.advance(2_000)
  t.same(starts, [10, 210], 'the cut rest does not run a pass of its own')
  await loop.stop()
})

t.test('an urgent kick during a pass: the next pass batchMs after it ends', async (t) => {
  const { clock, starts, loop } = setup(100)
  await clock.advance(50)
  loop.kick()
  loop.kick('urgent')
  loop.kick()
  await clock.advance(1_000)
  t.same(starts, [10, 120])
  await loop.stop()
})

t.test('a long pass rests at most maxMs', async (t) => {
  const { clock, starts, loop } = setup(1_000)
  await clock.advance(500)
  loop.kick()
  await clock.advance(5_000)
  t.same(starts, [10, 3_010], 'pass 10..1010, rest 2,000 (not 3,000)')
  await loop.stop()
})

t.test('an urgent kick never cuts a backoff short', async (t) => {
  const { clock, starts, loop, fail } = setup(100)
  fail(true)
  await clock.advance(120) // first pass 10..110 throws: retry at 610
  loop.kick('urgent')
  await clock.advance(100)
  t.same(starts, [10], 'still backing off at 220')
  fail(false)
  await clock.advance(400)
  t.same(starts, [10, 610])
  await clock.advance(1_000) // let that pass end: stop() waits for it
  await loop.stop()
})

t.test('churn: kicks every 5 ms for 10 s with 100 ms passes keep the loop busy at most about a quarter of the time', async (t) => {
  for (const [name, over, most, least] of [
    ['coalescing', true, 26, 20],
    ['without the option (as the controller runs)', false, 92, 85],
  ] as const) {
    const { clock, starts, loop } = setup(100, over)
    for (let i = 0; i < 2_000; i++) {
      loop.kick()
      await clock.advance(5)
    }
    t.ok(starts.length <= most && starts.length >= least, `${name}: ${starts.length} passes in 10 s (want ${least}..${most})`)
    await clock.advance(5_000) // let the last pass end: stop() waits for it
    await loop.stop()
  }
})

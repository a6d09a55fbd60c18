// The reconcile loop's quietKickMs (the controller's option), on a hand-turned clock: a kick into a
// quiet loop runs almost at once; a kick during a pass, or soon after one, still waits its rest, so a
// burst costs at most one extra pass; without the option a quiet kick waits batchMs as before.
import t from 'tap'
import { jsonLogger } from '../../../shell/obs/log.js'
import { type PassOutcome, startReconcileLoop } from '../../../shell/loop/reconcileLoop.js'
import { fakeClock } from '../../support/fakeClock.js'

const DONE: PassOutcome = { _tag: 'Done' }
const PASS_MS = 20

/** A controller-like loop (batchMs 50, no coalescing) whose passes take PASS_MS of the fake clock; starts are ms since start. */
const setup = (quietKickMs?: number) => {
  const clock = fakeClock()
  const t0 = clock.now()
  const starts: number[] = []
  const pass = (): Promise<PassOutcome> => {
    starts.push(clock.now() - t0)
    return new Promise((resolve) => void clock.setTimeout(() => resolve(DONE), PASS_MS))
  }
  const loop = startReconcileLoop({ name: 'spec', pass, log: jsonLogger('none'), clock, batchMs: 50, resyncMs: 600_000, ...(quietKickMs === undefined ? {} : { quietKickMs }) })
  /** Advances the fake clock to `at` ms since start. */
  const to = (at: number): Promise<void> => clock.advance(at - (clock.now() - t0))
  return { starts, loop, to }
}

t.test('a kick after a quiet spell runs quietKickMs later; kicks during and right after a pass wait the rest', async (t) => {
  const { starts, loop, to } = setup(1)
  await to(1_070) // first pass 50..70, then quiet
  loop.kick() // quiet: 1,000 ms since the last pass ended
  await to(1_075)
  loop.kick() // during the pass 1,071..1,091
  await to(1_200) // the kicked pass ran 1,141..1,161
  loop.kick() // 39 ms after it: not quiet, waits batchMs
  await to(1_400) // that pass ran 1,250..1,270
  loop.kick() // 130 ms after it: quiet again
  await to(2_000)
  t.same(starts, [50, 1_071, 1_141, 1_250, 1_401])
  await loop.stop()
})

t.test('a kick exactly at the quiet edge (rest plus batchMs after the last pass) is quiet; one ms before it is not', async (t) => {
  const edge = setup(1)
  await edge.to(170) // first pass ended at 70; 70 + 50 + 50 = 170
  edge.loop.kick()
  await edge.to(500)
  t.same(edge.starts, [50, 171])
  await edge.loop.stop()
  const before = setup(1)
  await before.to(169)
  before.loop.kick()
  await before.to(500)
  t.same(before.starts, [50, 219])
  await before.loop.stop()
})

t.test('a burst of kicks into a quiet loop: the first starts a pass, the rest make exactly one more', async (t) => {
  const { starts, loop, to } = setup(1)
  await to(1_000)
  for (let i = 0; i < 40; i++) {
    loop.kick()
    await to(1_000 + i) // one kick a ms for 40 ms
  }
  await to(3_000)
  t.same(starts, [50, 1_001, 1_071])
  await loop.stop()
})

t.test('without quietKickMs a quiet kick waits batchMs, as before', async (t) => {
  const { starts, loop, to } = setup()
  await to(1_070)
  loop.kick()
  await to(2_000)
  t.same(starts, [50, 1_120])
  await loop.stop()
})

t.test('a bad quietKickMs is refused with the field named', async (t) => {
  for (const bad of [-1, Number.NaN, Infinity])
    t.throws(() => startReconcileLoop({ name: 'x', pass: async () => DONE, log: jsonLogger('none'), batchMs: 50, resyncMs: 1_000, quietKickMs: bad }), /quietKickMs must be/)
})

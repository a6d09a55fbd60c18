// The detector ticked only when something is due (core/membership/due.ts, as the shell runs it
// since it stopped ticking every 10 ms) keeps the bounds simulation.spec states for periodic ticks,
// sends the same messages, and wakes far less often: each run below in both modes, same seeds.
import t from 'tap'
import fc from 'fast-check'
import type { NodeName } from '../../../core/model/names.js'
import { dueAt } from '../../../core/membership/due.js'
import { aliveSet } from '../../../core/membership/state.js'
import { step } from '../../../core/membership/step.js'
import { SimNetwork } from './support/simNetwork.js'
import { mkState } from './support/mk.js'

t.setTimeout(600_000)
const CRASH_BOUND_MS = 2_000
const liveSetsFull = (sim: SimNetwork): boolean => sim.liveNames().every((n) => aliveSet(sim.state(n)).size === sim.liveNames().length)
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0)

t.test('a Tick before dueAt does nothing; at dueAt it acts', async (t) => {
  const s0 = step(mkState(), { _tag: 'Tick' }, 0).state
  const due = dueAt(s0)
  if (due === undefined) return t.fail('a running detector has something due')
  t.ok(due > 0, `the next deadline is ahead (${due})`)
  const before = step(s0, { _tag: 'Tick' }, due - 1)
  t.same(before.actions, [], 'one ms early: no action')
  t.same({ ...before.state, lastEventAt: 0, rng: 0 }, { ...s0, lastEventAt: 0, rng: 0 }, 'and no change beyond the clock and entropy')
  const at = step(s0, { _tag: 'Tick' }, due)
  t.ok(at.actions.length > 0 || dueAt(at.state) !== due, 'on time: it acts or moves the deadline on')
})

t.test('crashed member: every live member declares it dead within the bound, ticking only when due', async () => {
  fc.assert(
    fc.property(fc.integer({ min: 3, max: 12 }), fc.constantFrom(0, 0.05), fc.integer({ min: 1, max: 2 ** 30 }), (n, loss, seed) => {
      const sim = new SimNetwork({ n, seed, loss, wire: n <= 10, ticks: 'due' })
      sim.runUntil(2_000)
      const victim = sim.names[sim.pick(n)] as NodeName
      const at = sim.now()
      sim.crash(victim)
      sim.runUntil(at + CRASH_BOUND_MS)
      const seenBy = new Set(sim.deaths.filter((d) => d.subject === victim && d.at >= at).map((d) => d.observer))
      return sim.liveNames().every((o) => seenBy.has(o))
    }),
    { numRuns: 12 },
  )
})

t.test('5% loss for 60 s: nobody declared dead, ticking only when due', async () => {
  fc.assert(
    fc.property(fc.integer({ min: 3, max: 8 }), fc.integer({ min: 1, max: 2 ** 30 }), (n, seed) => {
      const sim = new SimNetwork({ n, seed, loss: 0.05, wire: false, ticks: 'due' })
      sim.runUntil(60_000)
      return sim.deaths.length === 0 && liveSetsFull(sim)
    }),
    { numRuns: 3 },
  )
})

t.test('an 800 ms stall: the staller declares nobody dead, ticking only when due', async (t) => {
  const sim = new SimNetwork({ n: 8, seed: 3, ticks: 'due' })
  sim.runUntil(1_000)
  const staller = sim.names[5] as NodeName
  sim.stall(staller, 800)
  sim.runUntil(4_000)
  t.same(sim.deaths.filter((d) => d.observer === staller), [], 'the staller declared nobody dead')
  t.ok(liveSetsFull(sim), 'everyone agrees again')
})

t.test('same messages, a fraction of the wake-ups', async (t) => {
  const run = (ticks: 'periodic' | 'due') => {
    const sim = new SimNetwork({ n: 3, seed: 11, wire: false, ticks })
    sim.runUntil(2_000)
    const [s0, k0] = [sum(sim.sent), sum(sim.ticks)]
    sim.runUntil(12_000)
    return { sent: (sum(sim.sent) - s0) / 3 / 10, ticks: (sum(sim.ticks) - k0) / 3 / 10 }
  }
  const periodic = run('periodic')
  const due = run('due')
  t.comment(`per member per second, 3 members: periodic ${periodic.ticks.toFixed(1)} ticks, ${periodic.sent.toFixed(1)} sent; due ${due.ticks.toFixed(1)} ticks, ${due.sent.toFixed(1)} sent`)
  t.ok(Math.abs(due.sent - periodic.sent) <= 0.1 * periodic.sent, 'messages within 10% of periodic ticking')
  t.ok(due.ticks <= 15, `at most 15 wake-ups a second (${due.ticks.toFixed(1)}; periodic ${periodic.ticks.toFixed(1)})`)
})

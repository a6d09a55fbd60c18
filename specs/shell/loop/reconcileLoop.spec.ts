// The reconcile loop under a hand-turned clock: when passes run (batched, one at a time, always from a
// timer), what a kick during a pass does, backoff after a failing pass, the resync, idle() and stop().
import t from 'tap'
import { jsonLogger } from '../../../shell/obs/log.js'
import { realClock } from '../../../shell/loop/clock.js'
import { type PassContext, type PassOutcome, type ReconcileLoopOptions, startReconcileLoop } from '../../../shell/loop/reconcileLoop.js'
import { type FakeClock, fakeClock } from '../../support/fakeClock.js'

const DONE: PassOutcome = { _tag: 'Done' }

/** A pass the spec ends by hand: each call waits until finish() gives it an outcome (or an error). */
const gatedPass = (clock: FakeClock) => {
  const calls: { at: number; ctx: PassContext }[] = []
  let inFlight = 0
  let maxInFlight = 0
  let release: ((o: PassOutcome | Error) => void) | undefined
  const pass = (ctx: PassContext): Promise<PassOutcome> => {
    calls.push({ at: clock.now(), ctx })
    maxInFlight = Math.max(maxInFlight, ++inFlight)
    return new Promise<PassOutcome>((resolve, reject) => {
      release = (o) => {
        release = undefined
        inFlight--
        if (o instanceof Error) reject(o)
        else resolve(o)
      }
    })
  }
  return {
    pass,
    calls,
    maxInFlight: () => maxInFlight,
    running: () => release !== undefined,
    finish: async (o: PassOutcome | Error = DONE): Promise<void> => {
      if (release === undefined) throw new Error('no pass is running')
      release(o)
      await clock.settle()
    },
  }
}

const recordingLog = () => {
  const lines: { level: string; event: string; [k: string]: unknown }[] = []
  return { lines, log: jsonLogger('all', (l) => void lines.push(JSON.parse(l) as (typeof lines)[number])) }
}

const setup = (over: Partial<ReconcileLoopOptions> = {}) => {
  const clock = fakeClock()
  const gate = gatedPass(clock)
  const { lines, log } = recordingLog()
  const loop = startReconcileLoop({ name: 'spec', pass: gate.pass, log, clock, batchMs: 50, resyncMs: 60_000, backoff: { initialMs: 100, maxMs: 1_000 }, ...over })
  return { clock, gate, lines, loop, t0: clock.now() }
}

t.test('the first pass runs batchMs after start; a burst of kicks makes one pass', async (t) => {
  const { clock, gate, loop, t0 } = setup()
  await clock.advance(49)
  t.equal(gate.calls.length, 0, 'nothing before batchMs')
  await clock.advance(1)
  t.same(gate.calls.map((c) => c.at - t0), [50])
  await gate.finish()
  for (let i = 0; i < 20; i++) {
    loop.kick()
    await clock.advance(2)
  }
  await clock.advance(100)
  t.same(gate.calls.map((c) => c.at - t0), [50, 100], 'twenty kicks within 40 ms: one pass, batchMs after the first')
  await gate.finish()
  await clock.advance(10_000)
  t.equal(gate.calls.length, 2, 'no kick, no pass (until the resync)')
  await loop.stop()
})

t.test('a kick during a pass makes exactly one more pass, after it and batchMs later', async (t) => {
  const { clock, gate, loop } = setup()
  await clock.advance(50)
  loop.kick()
  loop.kick()
  await clock.advance(1_000)
  t.equal(gate.calls.length, 1, 'no second pass while the first runs')
  const endedAt = clock.now()
  await gate.finish()
  await clock.advance(49)
  t.equal(gate.calls.length, 1, 'not in the tick the pass ended, nor before batchMs')
  await clock.advance(1)
  t.equal(gate.calls.length, 2)
  t.equal((gate.calls[1]?.at ?? 0) - endedAt, 50)
  await gate.finish()
  await clock.advance(10_000)
  t.equal(gate.calls.length, 2, 'two kicks during the pass: one more pass, not two')
  t.equal(gate.maxInFlight(), 1)
  await loop.stop()
})

t.test('Again revisits after afterMs (at least batchMs, at most resyncMs); a kick does not cut it short', async (t) => {
  const rows: { desc: string; afterMs: number; want: number }[] = [
    { desc: 'the asked delay', afterMs: 250, want: 250 },
    { desc: 'never sooner than batchMs', afterMs: 0, want: 50 },
    { desc: 'a negative delay is batchMs', afterMs: -5, want: 50 },
    { desc: 'NaN is batchMs', afterMs: Number.NaN, want: 50 },
    { desc: 'never later than the resync', afterMs: Number.POSITIVE_INFINITY, want: 60_000 },
  ]
  for (const row of rows) {
    const { clock, gate, loop, lines } = setup()
    await clock.advance(50)
    const endedAt = clock.now()
    await gate.finish({ _tag: 'Again', afterMs: row.afterMs, why: 'waiting for a release' })
    loop.kick()
    await clock.advance(row.want - 1)
    t.equal(gate.calls.length, 1, `${row.desc}: not yet`)
    await clock.advance(1)
    t.equal((gate.calls[1]?.at ?? 0) - endedAt, row.want, row.desc)
    t.ok(lines.some((l) => l.event === 'spec-pass-again' && l['why'] === 'waiting for a release'), `${row.desc}: logged with its why`)
    await gate.finish()
    await loop.stop()
  }
})

t.test('a failing pass is logged and retried with backoff that doubles to maxMs and is reset by Done', async (t) => {
  const { clock, gate, loop, lines } = setup()
  await clock.advance(50)
  const gaps: number[] = []
  const failAndMeasure = async (): Promise<void> => {
    const endedAt = clock.now()
    const before = gate.calls.length
    await gate.finish(new Error('apiserver said 500'))
    // Every delay here is a multiple of 10 ms; steps of 10 keep the spec quick.
    while (gate.calls.length === before) await clock.advance(10)
    gaps.push(clock.now() - endedAt)
  }
  for (let i = 0; i < 6; i++) await failAndMeasure()
  t.same(gaps, [100, 200, 400, 800, 1_000, 1_000])
  const failed = lines.filter((l) => l.event === 'spec-pass-failed')
  t.equal(failed.length, 6)
  t.equal(failed[0]?.level, 'error')
  t.same(failed[0]?.['error'], { message: 'apiserver said 500', stack: (failed[0]?.['error'] as { stack: string }).stack })
  t.same(failed.map((l) => l['retryInMs']), [100, 200, 400, 800, 1_000, 1_000])
  await gate.finish({ _tag: 'Again', afterMs: 10, why: 'x' })
  await clock.advance(50)
  gaps.length = 0
  await failAndMeasure()
  t.same(gaps, [1_000], 'Again does not reset the backoff')
  await gate.finish(DONE)
  loop.kick()
  await clock.advance(50)
  gaps.length = 0
  await failAndMeasure()
  t.same(gaps, [100], 'Done resets it')
  await gate.finish()
  await loop.stop()
})

t.test('a pass that throws synchronously or returns nonsense is a failed pass, not a dead loop', async (t) => {
  const clock = fakeClock()
  const { lines, log } = recordingLog()
  let n = 0
  const loop = startReconcileLoop({
    name: 'odd',
    log,
    clock,
    batchMs: 10,
    resyncMs: 60_000,
    backoff: { initialMs: 100, maxMs: 100 },
    pass: (() => {
      n++
      if (n === 1) throw new Error('sync throw')
      if (n === 2) return Promise.resolve({ _tag: 'Nonsense' })
      return Promise.resolve(DONE)
    }) as unknown as ReconcileLoopOptions['pass'],
  })
  await clock.advance(10 + 100 + 100)
  t.equal(n, 3)
  t.same(lines.filter((l) => l.event === 'odd-pass-failed').map((l) => (l['error'] as { message: string }).message), ['sync throw', 'unreachable: {"_tag":"Nonsense"}'])
  await loop.stop()
})

t.test('the resync makes a pass every resyncMs without any kick', async (t) => {
  const { clock, gate, loop, t0 } = setup({ resyncMs: 1_000 })
  for (let i = 0; i < 4; i++) {
    await clock.advance(1_000)
    if (gate.running()) await gate.finish()
  }
  t.same(gate.calls.map((c) => c.at - t0), [50, 1_050, 2_050, 3_050], 'the resync kicks; the pass follows batchMs later')
  await loop.stop()
})

t.test('idle() resolves only after a pass that started after it and ended Done with nothing dirty', async (t) => {
  const { clock, gate, loop } = setup()
  let idle = false
  await clock.advance(50) // pass 1 runs
  const waiting = loop.idle().then(() => (idle = true))
  await gate.finish() // pass 1 started before idle(): not enough
  t.equal(idle, false, 'pass 1 began before idle() was called')
  await clock.advance(50)
  loop.kick() // dirty during pass 2
  await gate.finish()
  t.equal(idle, false, 'pass 2 ended with a kick pending')
  await clock.advance(50)
  await gate.finish({ _tag: 'Again', afterMs: 100, why: 'x' })
  t.equal(idle, false, 'pass 3 asked for a revisit')
  await clock.advance(100)
  await gate.finish(new Error('boom'))
  t.equal(idle, false, 'pass 4 failed')
  await clock.advance(100)
  await gate.finish()
  await waiting
  t.equal(idle, true, 'pass 5 ended Done with nothing dirty')
  t.equal(gate.calls.length, 5)
  await loop.stop()
})

t.test('stop() waits for the running pass; leading() turns false; no pass after it', async (t) => {
  const { clock, gate, loop } = setup({ resyncMs: 100 })
  await clock.advance(50)
  const ctx = gate.calls[0]?.ctx
  t.equal(ctx?.leading(), true, 'no isLeader: always leading')
  loop.kick()
  let stopped = false
  const stopping = loop.stop().then(() => (stopped = true))
  await clock.settle()
  t.equal(stopped, false, 'stop() waits for the running pass')
  t.equal(ctx?.leading(), false, 'the running pass sees leading() false at once, so it writes no more')
  await gate.finish()
  await stopping
  t.equal(stopped, true)
  loop.kick()
  await clock.advance(10_000)
  t.equal(gate.calls.length, 1, 'no pass after stop, despite the kicks and the resync')
  t.equal(clock.pending(), 0, 'no timer left behind')
  let idleAfterStop = false
  await loop.idle().then(() => (idleAfterStop = true))
  t.equal(idleAfterStop, true, 'idle() after stop resolves: no pass will run again')
})

t.test('stop() resolves idle() waiters and pending timers never fire', async (t) => {
  const { clock, gate, loop } = setup()
  const waiting = loop.idle()
  await loop.stop()
  await waiting
  await clock.advance(10_000)
  t.equal(gate.calls.length, 0)
})

t.test('leading() follows isLeader as it is now, even mid-pass', async (t) => {
  let leader = true
  const { clock, gate, loop } = setup({ isLeader: () => leader })
  await clock.advance(50)
  const ctx = gate.calls[0]?.ctx
  t.equal(ctx?.leading(), true)
  leader = false
  t.equal(ctx?.leading(), false)
  leader = true
  t.equal(ctx?.leading(), true)
  await gate.finish()
  await loop.stop()
})

t.test('bad options are refused with the field named', async (t) => {
  const base: ReconcileLoopOptions = { name: 'x', pass: async () => DONE, log: jsonLogger('none'), clock: fakeClock(), batchMs: 10, resyncMs: 1_000 }
  const rows: { desc: string; in: Partial<ReconcileLoopOptions>; want: RegExp }[] = [
    { desc: 'negative batch', in: { batchMs: -1 }, want: /reconcile loop x: batchMs must be .* got -1/ },
    { desc: 'NaN batch', in: { batchMs: Number.NaN }, want: /batchMs .* got NaN/ },
    { desc: 'zero resync', in: { resyncMs: 0 }, want: /resyncMs .* got 0/ },
    { desc: 'resync past what a timer holds', in: { resyncMs: 2 ** 31 }, want: /resyncMs .* to 2147483647, got 2147483648/ },
    { desc: 'zero backoff', in: { backoff: { initialMs: 0, maxMs: 10 } }, want: /backoff.initialMs .* got 0/ },
    { desc: 'max below initial', in: { backoff: { initialMs: 100, maxMs: 10 } }, want: /backoff.maxMs must be .* from 100 .* got 10/ },
  ]
  for (const row of rows) t.throws(() => startReconcileLoop({ ...base, ...row.in }), row.want, row.desc)
})

t.test('on the real clock, work queued by a pass runs before the next pass starts', async (t) => {
  // A pass that always asks to come back at once: each next pass must still wait for a timer, so a
  // setImmediate (standing in for a Lease renewal or a watch read) queued at its end runs first.
  const order: string[] = []
  let passes = 0
  const loop = startReconcileLoop({
    name: 'real',
    log: jsonLogger('none'),
    clock: realClock,
    batchMs: 0,
    resyncMs: 60_000,
    pass: async () => {
      order.push(`pass${++passes}`)
      setImmediate(() => order.push(`io${passes}`))
      return passes < 20 ? { _tag: 'Again', afterMs: 0, why: 'spin' } : DONE
    },
  })
  await loop.idle()
  await loop.stop()
  const expected = Array.from({ length: passes }, (_, i) => [`pass${i + 1}`, `io${i + 1}`]).flat()
  t.same(order.slice(0, expected.length - 1), expected.slice(0, -1), 'pass, its queued work, the next pass, ...')
})

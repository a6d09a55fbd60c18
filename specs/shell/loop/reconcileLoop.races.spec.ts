// The loop under fc.scheduler: every API request of a toy two-phase pass (moveWorld.ts: releases,
// then acquisitions) arrives and is answered in an order the scheduler picks, time moves on a fake
// clock, and outside events (the lease lost, a watch event, failing writes) land between them:
// (a) lease lost mid-pass: no write is sent after it, the loop does not spin, writes resume with it;
// (b) a watch event during a write: exactly one more pass, never two at once, and it sees the change;
// (c) writes that fail around a release: retried with backoff, never an IP on two Services.
import t from 'tap'
import fc from 'fast-check'
import assert from 'node:assert/strict'
import { silentLogger } from '../../../shell/obs/log.js'
import { type PassContext, type PassOutcome, type ReconcileLoop, startReconcileLoop } from '../../../shell/loop/reconcileLoop.js'
import { type FakeClock, fakeClock } from '../../support/fakeClock.js'
import { COLL, WANTS, ipOf, moveWorld, type MoveWorld } from './moveWorld.js'

const BATCH_MS = 10
const RESYNC_MS = 10_000
const BACKOFF = { initialMs: 100, maxMs: 1_000 }
const RUNS = 60
const TICK_MS = 5

interface PassRecord {
  readonly start: number
  end?: number
  result?: 'Done' | 'Again' | 'Threw'
  afterMs?: number
}

/** Wraps a pass to record when each ran, how it ended, and how many ran at once. */
const recorded = (inner: (ctx: PassContext) => Promise<PassOutcome>, clock: FakeClock) => {
  const passes: PassRecord[] = []
  let inFlight = 0
  let maxInFlight = 0
  const pass = async (ctx: PassContext): Promise<PassOutcome> => {
    const rec: PassRecord = { start: clock.now() }
    passes.push(rec)
    maxInFlight = Math.max(maxInFlight, ++inFlight)
    try {
      const o = await inner(ctx)
      rec.result = o._tag
      if (o._tag === 'Again') rec.afterMs = o.afterMs
      return o
    } catch (err) {
      rec.result = 'Threw'
      throw err
    } finally {
      rec.end = clock.now()
      inFlight--
    }
  }
  return { pass, passes, running: () => inFlight > 0, maxInFlight: () => maxInFlight }
}

/**
 * Runs scheduled tasks one at a time (the scheduler picks which); after every `tickEvery` tasks the
 * clock moves TICK_MS, so time passes during a pass and timers (a kick's batch, a retry) fire mid-pass;
 * with no task left, the clock moves to the next timer. Stops when done() holds or maxMs of fake time
 * has passed. Bounded in steps.
 */
const drive = async (s: fc.Scheduler, clock: FakeClock, tickEvery: number, maxMs: number, done: () => boolean = () => false): Promise<boolean> => {
  const until = clock.now() + maxMs
  let sinceTick = 0
  for (let step = 0; step < 20_000; step++) {
    await clock.settle()
    if (s.count() > 0) {
      if (sinceTick >= tickEvery && clock.now() + TICK_MS <= until) {
        sinceTick = 0
        await clock.advance(TICK_MS)
      } else {
        sinceTick++
        await s.waitNext(1)
      }
      continue
    }
    if (done()) return true
    const next = clock.nextDue()
    if (next === undefined || clock.now() + next > until) {
      await clock.advance(Math.max(0, until - clock.now()))
      return done()
    }
    await clock.advance(next)
  }
  throw new Error('drive: 20,000 steps without settling')
}

/** Stops the loop even when its pass waits on scheduled requests. */
const shutDown = async (s: fc.Scheduler, loop: ReconcileLoop): Promise<void> => {
  const stopping = loop.stop()
  for (let i = 0; i < 1_000 && s.count() > 0; i++) await s.waitNext(1)
  await stopping
}

const seedPairs = async (world: MoveWorld, pairs: number): Promise<void> => {
  for (let i = 0; i < pairs; i++) {
    await world.seed(`old-${i}`, undefined, [ipOf(i)])
    await world.seed(`new-${i}`, ipOf(i), [])
  }
}

const startLoop = (clock: FakeClock, pass: (ctx: PassContext) => Promise<PassOutcome>, isLeader?: () => boolean, resyncMs = RESYNC_MS): ReconcileLoop =>
  startReconcileLoop({ name: 'toy', pass, log: silentLogger, clock, batchMs: BATCH_MS, resyncMs, backoff: BACKOFF, ...(isLeader === undefined ? {} : { isLeader }) })

/** How many scheduled tasks run between two ticks of the clock. */
const tickEveryArb = fc.integer({ min: 1, max: 8 })

t.test('(a) the lease lost mid-pass: no write sent after it, no spinning, writes resume when it returns', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.scheduler(), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 8 }), tickEveryArb, async (s, pairs, lostAtRequest, tickEvery) => {
      let leader = true
      let lost = false
      const clock = fakeClock()
      const world = moveWorld(s, () => leader)
      await seedPairs(world, pairs)
      world.onRequest = (n) => {
        if (n === lostAtRequest) void s.schedule(Promise.resolve(), 'lease lost').then(() => ((leader = false), (lost = true)))
      }
      const rec = recorded(world.pass, clock)
      const loop = startLoop(clock, rec.pass, () => leader)
      try {
        await drive(s, clock, tickEvery, 5_000, () => !rec.running() && (lost || world.converged()))
        assert.ok(world.sent.every((w) => w.leaderAtSend), `a write was sent without the lease: ${JSON.stringify(world.sent)}`)
        const before = rec.passes.length
        await drive(s, clock, tickEvery, 60_000)
        assert.ok(rec.passes.length - before <= 60_000 / RESYNC_MS + 1, `${rec.passes.length - before} passes in 60 s without the lease (resync every 10 s)`)
        assert.ok(world.sent.every((w) => w.leaderAtSend))
        leader = true
        loop.kick()
        assert.ok(await drive(s, clock, tickEvery, 60_000, () => world.converged() && !rec.running()), 'converged once leading again')
        assert.deepEqual(world.doubleHolders(), [])
        assert.equal(rec.maxInFlight(), 1)
      } finally {
        await shutDown(s, loop)
      }
    }),
    { numRuns: RUNS },
  )
  t.pass(`${RUNS} interleavings`)
})

t.test('(b) a watch event during a write: exactly one more pass, never two at once, and it sees the change', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.scheduler(), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 8 }), tickEveryArb, async (s, pairs, editAtRequest, tickEvery) => {
      const clock = fakeClock()
      const world = moveWorld(s, () => true)
      await seedPairs(world, pairs)
      await world.seed('extra', undefined, [])
      let passesAtKick: number | undefined
      // The first pass makes 1 + 2 * pairs requests: the edit lands during one of them.
      world.onRequest = (n) => {
        if (n !== ((editAtRequest - 1) % (1 + 2 * pairs)) + 1) return
        void s.schedule(Promise.resolve(), 'user edits extra').then(async () => {
          const res = await world.api.request('PATCH', `${COLL}/extra`, { contentType: 'application/merge-patch+json', body: { metadata: { annotations: { [WANTS]: ipOf(9) } } } })
          assert.equal(res.status, 200)
          passesAtKick = rec.passes.length
          loop.kick()
        })
      }
      const rec = recorded(world.pass, clock)
      // No resync within the run: every pass after the kick is owed to the kick.
      const loop = startLoop(clock, rec.pass, undefined, 600_000)
      try {
        assert.ok(await drive(s, clock, tickEvery, 30_000, () => passesAtKick !== undefined && world.converged() && !rec.running()), 'converged, the edit included')
        await drive(s, clock, tickEvery, 30_000) // anything still owed runs now
        assert.equal(rec.maxInFlight(), 1, 'never two passes at once')
        assert.equal(rec.passes.length - (passesAtKick ?? 0), 1, `exactly one pass after the kick: ${JSON.stringify(rec.passes)}`)
        assert.deepEqual(world.api.get('toy', 'extra')?.['status'], { loadBalancer: { ingress: [{ ip: ipOf(9) }] } }, 'the later pass saw the edit')
      } finally {
        await shutDown(s, loop)
      }
    }),
    { numRuns: RUNS },
  )
  t.pass(`${RUNS} interleavings`)
})

const failureArb = fc.array(fc.record({ side: fc.constantFrom('old', 'new'), pair: fc.integer({ min: 0, max: 2 }), times: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 3 })

t.test('(c) writes that fail around a release: retried with backoff, an IP never on two Services', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.scheduler(), fc.integer({ min: 1, max: 3 }), failureArb, tickEveryArb, async (s, pairs, failures, tickEvery) => {
      const clock = fakeClock()
      const world = moveWorld(s, () => true)
      await seedPairs(world, pairs)
      for (const f of failures) world.api.failNext({ method: 'PATCH', path: `${COLL}/${f.side}-${f.pair % pairs}/status` }, f.times, 500)
      const rec = recorded(world.pass, clock)
      const loop = startLoop(clock, rec.pass)
      try {
        assert.ok(await drive(s, clock, tickEvery, 120_000, () => world.converged() && !rec.running()), 'converged despite the failures')
        assert.deepEqual(world.doubleHolders(), [], 'an acquisition was written before its release landed')
        // Each pass after a failure waits its backoff: doubling from initialMs, reset by Done only.
        let failedInARow = 0
        rec.passes.forEach((p, j) => {
          const next = rec.passes[j + 1]
          if (p.result === 'Done') failedInARow = 0
          if (p.result === 'Threw') failedInARow++
          if (next === undefined || p.end === undefined) return
          const want =
            p.result === 'Threw'
              ? Math.min(BACKOFF.initialMs * 2 ** (failedInARow - 1), BACKOFF.maxMs)
              : p.result === 'Again'
                ? Math.max(BATCH_MS, p.afterMs ?? 0)
                : undefined
          if (want !== undefined) assert.equal(next.start - p.end, want, `pass ${j + 1} ended ${p.result}: ${JSON.stringify(rec.passes)}`)
        })
        assert.ok(rec.passes.some((p) => p.result === 'Threw'), 'a write failed at least once')
      } finally {
        await shutDown(s, loop)
      }
    }),
    { numRuns: RUNS },
  )
  t.pass(`${RUNS} interleavings`)
})

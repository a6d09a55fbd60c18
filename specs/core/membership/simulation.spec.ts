// Model-based runs of the whole core on a simulated LAN (support/simNetwork.ts): fast-check picks
// cluster sizes, loss, victims, partitions and seeds; each property states a bound we promise.
//
// Bounds stated here (virtual time, the default config, tick 10 ms, delay 0.1-1 ms):
// - a crashed member is declared dead by every live member within CRASH_BOUND_MS (n <= 40, loss <= 5%)
// - with 5% loss, nobody declares a live member dead over 60 s
// - after a partition heals, every member's live set is the full set within HEAL_BOUND_MS
// - replayed messages, and fresh messages with old-incarnation news, change nothing
// - messages per member per second do not grow with n
import t from 'tap'
import fc from 'fast-check'
import type { NodeName } from '../../../core/model/names.js'
import type { Update } from '../../../core/membership/message.js'
import { aliveSet } from '../../../core/membership/state.js'
import { step } from '../../../core/membership/step.js'
import { SimNetwork } from './support/simNetwork.js'

t.setTimeout(600_000)
const CRASH_BOUND_MS = 2_000
const HEAL_BOUND_MS = 1_000

const liveSetsFull = (sim: SimNetwork): boolean => sim.liveNames().every((n) => aliveSet(sim.state(n)).size === sim.liveNames().length)

t.test('a crashed member is declared dead by every live member within the bound', async (t) => {
  const worst: number[] = []
  fc.assert(
    fc.property(fc.integer({ min: 3, max: 40 }), fc.constantFrom(0, 0.05), fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 1_000, max: 3_000 }), (n, loss, seed, warm) => {
      const sim = new SimNetwork({ n, seed, loss, wire: n <= 10 })
      sim.runUntil(warm)
      const victim = sim.names[sim.pick(n)] as NodeName
      const at = sim.now()
      sim.crash(victim)
      sim.runUntil(at + CRASH_BOUND_MS)
      const seenBy = new Set(sim.deaths.filter((d) => d.subject === victim && d.at >= at).map((d) => d.observer))
      const late = sim.liveNames().filter((o) => !seenBy.has(o))
      const last = Math.max(...sim.deaths.filter((d) => d.subject === victim).map((d) => d.at - at))
      worst.push(last)
      return late.length === 0
    }),
    { numRuns: 25 },
  )
  t.comment(`slowest member to learn, per run (ms): ${worst.map((x) => x.toFixed(0)).join(' ')}`)
})

t.test('5% loss for 60 s: no live member is ever declared dead', async (t) => {
  let suspicions = 0
  fc.assert(
    fc.property(fc.integer({ min: 3, max: 20 }), fc.integer({ min: 1, max: 2 ** 30 }), (n, seed) => {
      const sim = new SimNetwork({ n, seed, loss: 0.05, wire: false })
      sim.runUntil(60_000)
      suspicions += sim.transitions.Suspect
      return sim.deaths.length === 0 && liveSetsFull(sim)
    }),
    { numRuns: 5 },
  )
  t.comment(`suspicions raised or heard (all refuted): ${suspicions}`)
})

t.test('after a partition heals, every live set is full within the bound', async (t) => {
  const times: number[] = []
  fc.assert(
    fc.property(fc.integer({ min: 4, max: 30 }), fc.constantFrom(0, 0.05), fc.integer({ min: 1, max: 2 ** 30 }), fc.double({ min: 0.1, max: 0.5, noNaN: true }), (n, loss, seed, share) => {
      const sim = new SimNetwork({ n, seed, loss, wire: false })
      sim.runUntil(1_000)
      const side = sim.names.slice(0, Math.max(1, Math.floor(n * share)))
      sim.partition([side])
      sim.runUntil(7_000)
      // Sanity: the sides did split (otherwise healing proves nothing).
      const split = sim.names.every((nm) => aliveSet(sim.state(nm)).size < n)
      sim.heal()
      const at = sim.now()
      for (let now = at; now <= at + HEAL_BOUND_MS; now += 10) {
        sim.runUntil(now)
        if (liveSetsFull(sim)) {
          times.push(now - at)
          return split
        }
      }
      return false
    }),
    { numRuns: 15 },
  )
  t.comment(`convergence after heal (ms): ${times.join(' ')}`)
})

t.test('replays and old-incarnation news change nothing', async (t) => {
  let replayed = 0
  let staleNews = 0
  fc.assert(
    fc.property(fc.integer({ min: 4, max: 12 }), fc.integer({ min: 1, max: 2 ** 30 }), (n, seed) => {
      // Heavy loss makes members refute suspicions, so incarnations move past 0.
      const sim = new SimNetwork({ n, seed, loss: 0.15, capture: 400 })
      sim.runUntil(8_000)
      sim.setLoss(0)
      sim.runUntil(10_000)
      for (const d of sim.captured) {
        const before = sim.state(d.to)
        const r = step(before, { _tag: 'MessageReceived', from: d.from, message: d.message }, sim.now())
        if (r.actions.length !== 1 || r.actions[0]?._tag !== 'Dropped') return false
        if (JSON.stringify({ ...r.state, lastEventAt: 0 }, big) !== JSON.stringify({ ...before, lastEventAt: 0 }, big)) return false
        replayed += 1
      }
      // Fresh, authentic messages whose news is older than what the receiver knows.
      for (const to of sim.names) {
        const s = sim.state(to)
        const stale: Update[] = []
        for (const [name, r] of s.members) if (r.incarnation > 0) stale.push({ status: 'Dead', name, incarnation: (r.incarnation - 1) as Update['incarnation'] })
        const from = sim.names.find((x) => x !== to) as NodeName
        // The sender's current run, past anything the receiver saw: believable (core/membership/proof.ts).
        const hdr = { sender: from, incarnation: sim.state(from).incarnation, epoch: sim.state(from).epoch, seq: (s.replay.get(from)?.highest ?? 0) + 1 }
        const r = step(s, { _tag: 'MessageReceived', from: sim.members[sim.index(from)]!.address, message: { header: hdr, body: { _tag: 'Gossip', updates: stale } } }, sim.now())
        if (r.actions.some((a) => a._tag === 'MemberChanged' || a._tag === 'MembershipChanged')) return false
        if ([...aliveSet(r.state)].join() !== [...aliveSet(s)].join()) return false
        staleNews += stale.length
      }
      return true
    }),
    { numRuns: 6 },
  )
  t.ok(replayed > 1000, `replayed ${replayed} captured messages`)
  t.ok(staleNews > 10, `sent ${staleNews} old-incarnation Dead updates`)
})

const big = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v instanceof Map ? [...v] : v)

t.test('messages per member per second stay flat as n grows', async (t) => {
  const rate = (n: number): number => {
    const sim = new SimNetwork({ n, seed: n, wire: false })
    sim.runUntil(2_000)
    const s0 = sim.sent.reduce((a, b) => a + b, 0)
    sim.runUntil(6_000)
    return (sim.sent.reduce((a, b) => a + b, 0) - s0) / n / 4
  }
  const r10 = rate(10)
  const r80 = rate(80)
  t.comment(`sent per member per second: n=10 ${r10.toFixed(1)}, n=80 ${r80.toFixed(1)}`)
  t.ok(r80 < r10 * 1.25, 'n = 80 costs no more than 1.25x n = 10')
  t.ok(r10 < 40, 'and stays small')
})

t.test('graceful leave is seen by everyone at once; a stall does not make the staller kill anyone', async (t) => {
  const sim = new SimNetwork({ n: 8, seed: 3 })
  sim.runUntil(1_000)
  const leaver = sim.names[2] as NodeName
  sim.apply(leaver, { _tag: 'Leave' })
  sim.runUntil(1_005)
  t.ok(sim.names.filter((x) => x !== leaver).every((x) => !aliveSet(sim.state(x)).has(leaver)), 'all saw the leave within 5 ms')
  sim.crash(leaver)
  const staller = sim.names[5] as NodeName
  const stallAt = sim.now()
  sim.stall(staller, 800)
  sim.runUntil(4_000)
  t.same(sim.deaths.filter((d) => d.observer === staller && d.at > stallAt), [], 'the staller declared nobody dead')
  t.ok(liveSetsFull(sim), 'everyone agrees again (the staller refuted whatever others concluded)')
})

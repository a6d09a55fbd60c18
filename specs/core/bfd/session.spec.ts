// core/bfd/session.ts three ways: the RFC 5880 §6.2 table as examples; an adversary's event
// sequences against a deliberately simpler model of the state (one table) with the invariants the
// RFC states; and two sessions wired to each other through a simulated link with bounded delays
// (specs/core/bfd/link.ts), which must reach Up, stay Up, and go Down with diag 1 when the link is cut.
import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { type BfdState, type ControlPacket, Diag, decodeControl, encodeControl } from '../../../core/bfd/packet.js'
import { type BfdAction, type BfdEvent, type BfdSession, type BfdTimers, type TimerName, detectionTimeMs, initialSession, step } from '../../../core/bfd/session.js'
import { runLink } from './link.js'

const FAST: BfdTimers = { desiredMinTxUs: 100_000, requiredMinRxUs: 100_000, detectMult: 3, echoUs: 0 }
const LOCAL = 0x1001

const mkPacket = (state: BfdState, over: Partial<ControlPacket> = {}): ControlPacket => ({
  diag: 0, state, poll: false, final: false, controlPlaneIndependent: false, demand: false, detectMult: 3,
  myDiscriminator: 0x2002, yourDiscriminator: state === 'Down' || state === 'AdminDown' ? 0 : LOCAL,
  desiredMinTxUs: 100_000, requiredMinRxUs: 100_000, requiredMinEchoRxUs: 0, ...over,
})

/** Runs events from a fresh session; the last session and every action. */
const run = (events: readonly BfdEvent[], passive = false): { s: BfdSession; actions: BfdAction[] } =>
  events.reduce(
    (acc, e) => {
      const r = step(acc.s, e, 0.5)
      return { s: r.session, actions: [...acc.actions, ...r.actions] }
    },
    { s: initialSession(LOCAL, FAST, passive), actions: [] as BfdAction[] },
  )

const rx = (state: BfdState, over: Partial<ControlPacket> = {}): BfdEvent => ({ _tag: 'Received', packet: mkPacket(state, over) })
const start: BfdEvent = { _tag: 'Start' }
const sends = (as: readonly BfdAction[]): ControlPacket[] => as.flatMap((a) => (a._tag === 'Send' ? [a.packet] : []))

t.test('§6.2: the state table', async (t) => {
  const rows: { desc: string; in: BfdEvent[]; want: BfdState }[] = [
    { desc: 'Start: AdminDown to Down', in: [start], want: 'Down' },
    { desc: 'Down + Down: Init', in: [start, rx('Down')], want: 'Init' },
    { desc: 'Down + Init: Up', in: [start, rx('Init')], want: 'Up' },
    { desc: 'Down + Up: stays Down (the peer must see us go Down first)', in: [start, rx('Up')], want: 'Down' },
    { desc: 'Init + Init: Up', in: [start, rx('Down'), rx('Init')], want: 'Up' },
    { desc: 'Init + Up: Up', in: [start, rx('Down'), rx('Up')], want: 'Up' },
    { desc: 'Init + Down: stays Init', in: [start, rx('Down'), rx('Down')], want: 'Init' },
    { desc: 'Up + Down: Down', in: [start, rx('Init'), rx('Down')], want: 'Down' },
    { desc: 'Up + AdminDown: Down', in: [start, rx('Init'), rx('AdminDown')], want: 'Down' },
    { desc: 'Up + Init and Up + Up: stays Up', in: [start, rx('Init'), rx('Init'), rx('Up')], want: 'Up' },
    { desc: 'Up, detection time passes: Down', in: [start, rx('Init'), { _tag: 'TimerFired', timer: 'Detect' }], want: 'Down' },
    { desc: 'Init, detection time passes: Down', in: [start, rx('Down'), { _tag: 'TimerFired', timer: 'Detect' }], want: 'Down' },
    { desc: 'Stop: AdminDown, and a packet then changes nothing', in: [start, rx('Init'), { _tag: 'Stop' }, rx('Init')], want: 'AdminDown' },
    { desc: 'a packet for another discriminator is discarded', in: [start, rx('Init', { yourDiscriminator: 77 })], want: 'Down' },
  ]
  for (const r of rows) t.equal(run(r.in).s.state, r.want, r.desc)
})

t.test('diagnostics: 3 when the peer signals Down, 1 on detection time, 7 when stopped', async (t) => {
  const changes = (as: readonly BfdAction[]): string[] => as.flatMap((a) => (a._tag === 'StateChanged' ? [`${a.from}>${a.to}:${a.diag}`] : []))
  t.same(changes(run([start, rx('Init'), rx('Down')]).actions), ['AdminDown>Down:0', 'Down>Up:0', `Up>Down:${Diag.NeighborSignaledSessionDown}`])
  t.same(changes(run([start, rx('Init'), { _tag: 'TimerFired', timer: 'Detect' }]).actions).at(-1), `Up>Down:${Diag.ControlDetectionTimeExpired}`)
  const stopped = run([start, rx('Init'), { _tag: 'Stop' }])
  t.same(changes(stopped.actions).at(-1), `Up>AdminDown:${Diag.AdministrativelyDown}`)
  t.same(sends(stopped.actions).at(-1)?.state, 'AdminDown', 'the peer is told AdminDown')
})

t.test('§6.8.3 and §6.5: slow while not Up; reaching Up polls the fast rate in; a Final ends the poll', async (t) => {
  const down = run([start])
  t.equal(sends(down.actions)[0]?.desiredMinTxUs, 1_000_000, 'Down advertises one second')
  const up = run([start, rx('Init')])
  const last = sends(up.actions).at(-1)
  t.same([last?.state, last?.desiredMinTxUs, last?.poll], ['Up', 100_000, true], 'Up: 100 ms advertised with P')
  t.ok(up.s.polling)
  const done = run([start, rx('Init'), rx('Up', { final: true })])
  t.notOk(done.s.polling, 'the Final ends the poll')
  t.same(done.s.inForce, { txUs: 100_000, rxUs: 100_000 })
  const after = step(done.s, { _tag: 'TimerFired', timer: 'Transmit' }, 0)
  t.same(sends(after.actions).map((p) => p.poll), [false], 'no P after the Final')
  t.same(after.actions.find((a) => a._tag === 'SetTimer'), { _tag: 'SetTimer', timer: 'Transmit', ms: 100 }, 'jitter 0: the full interval')
  const jittered = step(done.s, { _tag: 'TimerFired', timer: 'Transmit' }, 0.999)
  t.ok(jittered.actions.some((a) => a._tag === 'SetTimer' && a.ms > 75 && a.ms < 75.1), 'jitter near 1: 75 % of the interval')
  const answered = step(done.s, rx('Up', { poll: true }), 0)
  t.same(sends(answered.actions).map((p) => [p.poll, p.final]), [[false, true]], "the peer's Poll gets a Final at once")
  t.equal(detectionTimeMs(done.s), 300, 'detection time: 3 x max(100 ms, 100 ms)')
  const slower = step(done.s, { _tag: 'ChangeTimers', timers: { ...FAST, desiredMinTxUs: 300_000 } }, 0)
  t.ok(slower.session.polling && sends(slower.actions)[0]?.poll === true, 'a change while Up starts a poll')
  t.same(slower.actions.find((a) => a._tag === 'SetTimer'), { _tag: 'SetTimer', timer: 'Transmit', ms: 100 }, 'a slower rate waits for the Final')
})

t.test('§6.1: a passive session says nothing until it hears the peer', async (t) => {
  const quiet = run([start, { _tag: 'TimerFired', timer: 'Transmit' }, { _tag: 'TimerFired', timer: 'Transmit' }], true)
  t.same(sends(quiet.actions), [])
  const heard = run([start, { _tag: 'TimerFired', timer: 'Transmit' }, rx('Down')], true)
  t.same(sends(heard.actions).map((p) => p.state), ['Init'])
})

// ---- an adversary's sequences against a simpler model -------------------------------------------------

/** The model: the next state from the state and what happened, as one table (RFC 5880 §6.2's diagram). */
const model = (s: BfdState, e: BfdEvent, local: number, echoing: boolean): BfdState => {
  if (e._tag === 'Start') return s === 'AdminDown' ? 'Down' : s
  if (e._tag === 'Stop') return 'AdminDown'
  if (s === 'AdminDown') return s
  // Echo loss counts only while echo runs (whether it should run is an invariant checked apart).
  if (e._tag === 'TimerFired') return e.timer === 'Detect' || (e.timer === 'EchoDetect' && echoing) ? 'Down' : s
  if (e._tag === 'ChangeTimers' || e._tag === 'EchoReturned') return s
  const p = e.packet
  if (p.yourDiscriminator !== 0 && p.yourDiscriminator !== local) return s
  const table: Record<BfdState, Record<BfdState, BfdState>> = {
    Down: { AdminDown: 'Down', Down: 'Init', Init: 'Up', Up: 'Down' },
    Init: { AdminDown: 'Down', Down: 'Init', Init: 'Up', Up: 'Up' },
    Up: { AdminDown: 'Down', Down: 'Down', Init: 'Up', Up: 'Up' },
    AdminDown: { AdminDown: 'AdminDown', Down: 'AdminDown', Init: 'AdminDown', Up: 'AdminDown' },
  }
  return table[s][p.state]
}

const stateArb = fc.constantFrom<BfdState>('AdminDown', 'Down', 'Init', 'Up')
const timersArb: fc.Arbitrary<BfdTimers> = fc.record({
  desiredMinTxUs: fc.integer({ min: 10_000, max: 2_000_000 }),
  requiredMinRxUs: fc.integer({ min: 10_000, max: 2_000_000 }),
  detectMult: fc.integer({ min: 1, max: 10 }),
  echoUs: fc.constantFrom(0, 0, 50_000, 300_000),
})
const eventArb: fc.Arbitrary<BfdEvent> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<BfdEvent>({ _tag: 'Start' }) },
  { weight: 1, arbitrary: fc.constant<BfdEvent>({ _tag: 'Stop' }) },
  { weight: 3, arbitrary: fc.constantFrom<BfdEvent>({ _tag: 'TimerFired', timer: 'Transmit' }, { _tag: 'TimerFired', timer: 'Detect' }) },
  { weight: 3, arbitrary: fc.constantFrom<BfdEvent>({ _tag: 'TimerFired', timer: 'Echo' }, { _tag: 'TimerFired', timer: 'EchoDetect' }, { _tag: 'EchoReturned' }) },
  { weight: 1, arbitrary: timersArb.map((timers): BfdEvent => ({ _tag: 'ChangeTimers', timers })) },
  {
    weight: 8,
    arbitrary: fc
      .record({ state: stateArb, poll: fc.boolean(), final: fc.boolean(), your: fc.constantFrom(0, LOCAL, LOCAL, 99), my: fc.integer({ min: 1, max: 5 }), mult: fc.integer({ min: 1, max: 5 }), tx: fc.integer({ min: 0, max: 2_000_000 }), rx: fc.integer({ min: 0, max: 2_000_000 }), echo: fc.constantFrom(0, 0, 10_000, 50_000, 1_000_000) })
      .filter((r) => r.your !== 0 || r.state === 'Down' || r.state === 'AdminDown')
      .map((r): BfdEvent => rx(r.state, { poll: r.poll, final: r.final, yourDiscriminator: r.your, myDiscriminator: r.my, detectMult: r.mult, desiredMinTxUs: r.tx, requiredMinRxUs: r.rx, requiredMinEchoRxUs: r.echo })),
  },
)

const timerSet = (actions: readonly BfdAction[], timer: TimerName): boolean => actions.some((a) => a._tag === 'SetTimer' && a.timer === timer)
const timerStopped = (actions: readonly BfdAction[], timer: TimerName): boolean => actions.some((a) => a._tag === 'StopTimer' && a.timer === timer)

/** §6.4 and §6.8.9, on one step: echo runs exactly when it may, at no more than the peer's rate, and its loss is diag 2. */
const brokenEcho = (before: BfdSession, e: BfdEvent, after: BfdSession, actions: readonly BfdAction[]): string | undefined => {
  const shouldRun = after.state === 'Up' && after.wanted.echoUs > 0 && after.remoteMinEchoRxUs > 0
  if (after.echoing !== shouldRun) return `echoing ${after.echoing} in ${after.state} with ours ${after.wanted.echoUs} us, peer's ${after.remoteMinEchoRxUs} us`
  if (actions.some((a) => a._tag === 'SendEcho') && !after.echoing) return 'an echo sent while echo is not active'
  if (!before.echoing && after.echoing && !(timerSet(actions, 'Echo') && timerSet(actions, 'EchoDetect'))) return 'echo started without its timers'
  if (before.echoing && !after.echoing && !(timerStopped(actions, 'Echo') && timerStopped(actions, 'EchoDetect'))) return 'echo stopped and its timers left running'
  for (const a of actions)
    if (a._tag === 'SetTimer' && a.timer === 'Echo' && a.ms < (0.75 * after.remoteMinEchoRxUs) / 1000 - 1e-9) return `echoes every ${a.ms} ms, faster than the peer's ${after.remoteMinEchoRxUs} us allows`
  for (const p of sends(actions)) if (p.requiredMinEchoRxUs !== after.wanted.echoUs) return `Required Min Echo RX ${p.requiredMinEchoRxUs}, ours is ${after.wanted.echoUs}`
  if (e._tag === 'TimerFired' && e.timer === 'EchoDetect' && before.echoing) {
    const c = actions.find((a) => a._tag === 'StateChanged')
    if (c?._tag !== 'StateChanged' || c.to !== 'Down' || c.diag !== Diag.EchoFunctionFailed) return 'echo detection time passed without Down, diag 2'
  }
  return undefined
}

/** Each invariant, checked on one step; a message when broken. */
const broken = (before: BfdSession, e: BfdEvent, after: BfdSession, actions: readonly BfdAction[], modelState: BfdState): string | undefined => {
  if (after.state !== modelState) return `state ${after.state}, model says ${modelState}`
  const changes = actions.filter((a) => a._tag === 'StateChanged')
  if (before.state !== after.state && changes.length !== 1) return 'a state change without exactly one StateChanged'
  if (after.state === 'Up' && before.state !== 'Up') {
    // Up only as the third leg of a handshake: the peer's Init or Up naming us.
    if (e._tag !== 'Received' || e.packet.yourDiscriminator !== before.localDiscr || (e.packet.state !== 'Init' && e.packet.state !== 'Up')) return 'Up without the handshake'
  }
  if (e._tag === 'TimerFired' && e.timer === 'Detect' && (before.state === 'Up' || before.state === 'Init')) {
    const c = changes[0]
    if (c?._tag !== 'StateChanged' || c.to !== 'Down' || c.diag !== Diag.ControlDetectionTimeExpired || after.remoteDiscr !== 0) return 'detection time passed without Down, diag 1'
  }
  for (const p of sends(actions)) {
    if (p.poll && p.final) return 'P and F together'
    if (p.state !== 'Up' && p.desiredMinTxUs < 1_000_000) return `Desired Min TX ${p.desiredMinTxUs} us while ${p.state}`
    if (before.passive && before.remoteDiscr === 0 && after.remoteDiscr === 0 && e._tag !== 'Stop') return 'a passive session spoke first'
    if (E.isLeft(decodeControl(encodeControl(p)))) return `sent a packet a receiver discards: ${JSON.stringify(p)}`
  }
  for (const a of actions) if (a._tag === 'SetTimer' && !(a.ms > 0 && Number.isFinite(a.ms))) return `timer ${a.timer} set to ${a.ms} ms`
  return brokenEcho(before, e, after, actions)
}

t.test('property: any event sequence follows the model and keeps every invariant', async (t) => {
  fc.assert(
    fc.property(fc.boolean(), timersArb, fc.array(fc.tuple(eventArb, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })), { maxLength: 60 }), (passive, timers, events) => {
      let s = initialSession(LOCAL, timers, passive)
      let m: BfdState = s.state
      for (const [e, jitter] of events) {
        const r = step(s, e, jitter)
        m = model(m, e, LOCAL, s.echoing)
        const why = broken(s, e, r.session, r.actions, m)
        if (why !== undefined) throw new Error(`${why} after ${e._tag} in ${s.state}`)
        s = r.session
      }
    }),
    { numRuns: 1500 },
  )
  t.pass('model and invariants hold')
})

// ---- two sessions over a simulated link ----------------------------------------------------------------

t.test('property: two sessions wired together reach Up, stay Up under bounded delay and jitter, and a cut link takes both Down with diag 1 within the detection time', async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 30 }),
      fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 30 }),
      fc.boolean(),
      fc.integer({ min: 3_000, max: 6_000 }),
      (delays, jitters, bPassive, cutAt) => {
        const r = runLink({ a: FAST, b: FAST, bPassive, delays, jitters, cutAtMs: cutAt, endMs: cutAt + 2_000 })
        const upA = r.changes.find((c) => c.node === 'a' && c.to === 'Up')
        const upB = r.changes.find((c) => c.node === 'b' && c.to === 'Up')
        if (upA === undefined || upB === undefined || upA.at > 2_500 || upB.at > 2_500) throw new Error(`not Up within 2.5 s: ${JSON.stringify(r.changes)}`)
        const downs = r.changes.filter((c) => c.from === 'Up')
        if (downs.some((c) => c.at < cutAt)) throw new Error(`went Down before the cut: ${JSON.stringify(downs)}`)
        for (const node of ['a', 'b'] as const) {
          const d = downs.find((c) => c.node === node)
          // The last packet in flight may land up to 40 ms after the cut; then 300 ms of silence.
          if (d === undefined || d.diag !== Diag.ControlDetectionTimeExpired || d.at > cutAt + 40 + 300 + 1) throw new Error(`${node} after the cut at ${cutAt}: ${JSON.stringify(d)}`)
        }
        if (r.polling.a || r.polling.b) throw new Error('a poll sequence never ended')
      },
    ),
    { numRuns: 60 },
  )
  t.pass('handshake, steady Up and detection hold')
})

t.test('a timer change on one side mid-session: a poll, a Final, no flap', async (t) => {
  const r = runLink({ a: FAST, b: FAST, bPassive: false, delays: [5, 30, 12], jitters: [0.1, 0.7, 0.4], changeAAtMs: 3_000, changeATo: { desiredMinTxUs: 300_000, requiredMinRxUs: 50_000, detectMult: 5, echoUs: 0 }, endMs: 6_000 })
  t.same(r.changes.filter((c) => c.from === 'Up'), [], 'no Down')
  t.notOk(r.polling.a, 'the poll ended')
  t.ok(r.finalsTo.a >= 2, `a got Finals for its polls (${r.finalsTo.a})`)
})

// ---- the echo function (RFC 5880 §6.4, §6.8.9) ----------------------------------------------------------
const ECHO: BfdTimers = { ...FAST, echoUs: 50_000 }
const runEcho = (events: readonly BfdEvent[]): { s: BfdSession; actions: BfdAction[] } =>
  events.reduce(
    (acc, e) => {
      const r = step(acc.s, e, 0)
      return { s: r.session, actions: [...acc.actions, ...r.actions] }
    },
    { s: initialSession(LOCAL, ECHO, false), actions: [] as BfdAction[] },
  )

t.test('echo: only while Up, only if the peer loops echoes; no faster than it asks; loss is Down with diag 2', async (t) => {
  const echoes = (as: readonly BfdAction[]): number => as.filter((a) => a._tag === 'SendEcho').length
  t.equal(sends(runEcho([start]).actions)[0]?.requiredMinEchoRxUs, 50_000, 'we advertise our echo interval as Required Min Echo RX')
  t.equal(sends(run([start]).actions)[0]?.requiredMinEchoRxUs, 0, 'echo off: 0, so the peer sends us none')
  const peerSaysNo = runEcho([start, rx('Init', { requiredMinEchoRxUs: 0 })])
  t.same([peerSaysNo.s.state, peerSaysNo.s.echoing, echoes(peerSaysNo.actions)], ['Up', false, 0], 'a peer advertising 0 gets no echoes')
  t.equal(echoes(runEcho([start, rx('Down', { requiredMinEchoRxUs: 50_000 })]).actions), 0, 'none while Init')
  const up = runEcho([start, rx('Init', { requiredMinEchoRxUs: 200_000 })])
  t.ok(up.s.echoing, 'Up with a looping peer: echo runs')
  t.same(up.actions.filter((a) => a._tag === 'SetTimer' && a.timer !== 'Transmit' && a.timer !== 'Detect'), [
    { _tag: 'SetTimer', timer: 'Echo', ms: 200 },
    { _tag: 'SetTimer', timer: 'EchoDetect', ms: 600 },
  ], "the peer's slower 200 ms wins over our 50 ms; detection 3 x 200 ms")
  const tick = step(up.s, { _tag: 'TimerFired', timer: 'Echo' }, 0.999)
  t.equal(echoes(tick.actions), 1, 'each Echo timer sends one')
  t.ok(tick.actions.some((a) => a._tag === 'SetTimer' && a.timer === 'Echo' && a.ms > 150 && a.ms <= 200), 'jitter takes at most 25 % off')
  t.same(step(up.s, { _tag: 'EchoReturned' }, 0).actions, [{ _tag: 'SetTimer', timer: 'EchoDetect', ms: 600 }], 'an echo back restarts the echo detection time')
  const lost = step(up.s, { _tag: 'TimerFired', timer: 'EchoDetect' }, 0)
  t.same([lost.session.state, lost.session.echoing], ['Down', false], 'echo lost: Down, echo stopped')
  t.ok(lost.actions.some((a) => a._tag === 'StateChanged' && a.diag === Diag.EchoFunctionFailed), 'diag 2: Echo Function Failed')
  t.equal(sends(lost.actions)[0]?.diag, Diag.EchoFunctionFailed, 'and the peer is told so')
  t.ok(lost.actions.some((a) => a._tag === 'StopTimer' && a.timer === 'Echo'), 'no more echoes')
  const peerStops = step(up.s, rx('Up', { requiredMinEchoRxUs: 0 }), 0)
  t.same([peerStops.session.state, peerStops.session.echoing], ['Up', false], 'the peer withdrawing its echo interval stops echo, not the session')
  const weStop = step(up.s, { _tag: 'ChangeTimers', timers: FAST }, 0)
  t.notOk(weStop.session.echoing, 'a profile change to echo off stops it')
  t.equal(step(up.s, { _tag: 'Stop' }, 0).session.echoing, false, 'AdminDown stops it')
  t.equal(echoes(step(peerSaysNo.s, { _tag: 'TimerFired', timer: 'Echo' }, 0).actions), 0, 'a late Echo timer after echo stopped sends nothing')
  t.equal(step(peerSaysNo.s, { _tag: 'TimerFired', timer: 'EchoDetect' }, 0).session.state, 'Up', 'and a late EchoDetect takes nothing down')
})

t.test('property: two sessions with echo on: echoes flow while Up, and with only UDP 3785 dropped the echoing side goes Down with diag 2 within Detect Mult x echo interval', async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 30 }),
      fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 30 }),
      fc.integer({ min: 3_000, max: 5_000 }),
      (delays, jitters, echoCutAt) => {
        // Both echo at 50 ms x 3 (each loops the other's, as forwarding planes do); control packets at 100 ms still flow.
        const r = runLink({ a: ECHO, b: ECHO, bPassive: false, delays, jitters, echoCutAtMs: echoCutAt, endMs: echoCutAt + 1_000 })
        const downs = r.changes.filter((c) => c.from === 'Up')
        if (downs.some((c) => c.at < echoCutAt)) throw new Error(`Down before the echo cut: ${JSON.stringify(downs)}`)
        const first = downs[0]
        // An echo sent just before the cut returns up to 20 ms later; then 150 ms with none back.
        if (first === undefined || first.diag !== Diag.EchoFunctionFailed || first.at > echoCutAt + 20 + 150 + 1) throw new Error(`first Down after the echo cut at ${echoCutAt}: ${JSON.stringify(first)}`)
        // The other side hears of it (diag 3) one link delay later, if its own echo detection is not first.
        for (const node of ['a', 'b'] as const) if (!downs.some((c) => c.node === node && c.at <= first.at + 10 + 1)) throw new Error(`${node} not Down in time: ${JSON.stringify(downs)}`)
        if (r.echoesSent.a < 40 || r.echoesSent.b < 40) throw new Error(`echoes sent ${JSON.stringify(r.echoesSent)} in ${echoCutAt} ms at 50 ms`)
      },
    ),
    { numRuns: 60 },
  )
  const off = runLink({ a: FAST, b: FAST, bPassive: false, delays: [3, 9], jitters: [0.2, 0.8], echoCutAtMs: 2_000, endMs: 5_000 })
  t.same([off.changes.filter((c) => c.from === 'Up'), off.echoesSent], [[], { a: 0, b: 0 }], 'echo off: no echoes, and dropping UDP 3785 changes nothing')
  t.pass('echo flows while Up and its loss is detected in time')
})

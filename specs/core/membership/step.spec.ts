import t from 'tap'
import { defaultConfig, suspicionTimeout } from '../../../core/membership/config.js'
import { type State, aliveSet } from '../../../core/membership/state.js'
import { step } from '../../../core/membership/step.js'
import { N, addressOf, changes, five, mkMembers, mkMsg, mkState, mkUpdate, pid, receiveFrom, sent, tickThrough, withProof } from './support/mk.js'

const cfg = defaultConfig
const firstProbe = (s0: State) => {
  const r = step(s0, { _tag: 'Tick' }, 0)
  const ping = sent(r.actions).find((a) => a.message.body._tag === 'Ping' && a.message.body.probeId === r.state.probe?.probeId)
  if (ping === undefined || ping.message.body._tag !== 'Ping') throw new Error('no ping')
  return { state: r.state, actions: r.actions, target: ping.toName, probeId: ping.message.body.probeId }
}

t.test('the first tick challenges every member, asks one for its view and probes one', async (t) => {
  const r = firstProbe(mkState())
  t.same(sent(r.actions).map((a) => a.message.body._tag).sort(), ['Ping', 'Ping', 'Ping', 'Ping', 'Ping', 'Sync'])
  const challenged = sent(r.actions).filter((a) => a.message.body._tag === 'Ping' && a.message.body.probeId !== r.probeId)
  t.same(challenged.map((a) => a.toName).sort(), ['b', 'c', 'd', 'e'], 'one challenge each (core/membership/proof.ts)')
  const firstSync = sent(r.actions).findIndex((a) => a.message.body._tag === 'Sync')
  const syncTo = sent(r.actions)[firstSync]?.toName
  t.ok(sent(r.actions).findIndex((a) => a.toName === syncTo && a.message.body._tag === 'Ping') < firstSync, 'the Sync peer is challenged before it is asked')
  t.equal(r.state.phase, 'Running')
  const ping = sent(r.actions).find((a) => a.message.body._tag === 'Ping')
  t.same(ping?.to, addressOf(r.target), 'sent to the target address from the universe')
  t.equal(ping?.message.header.sender, 'a')
})

t.test('an Ack ends the probe; nothing is suspected', async (t) => {
  const p = firstProbe(mkState())
  const acked = receiveFrom(p.state, p.target, { _tag: 'Ack', probeId: p.probeId, updates: [] }, 5)
  t.equal(acked.state.probe, undefined)
  const later = tickThrough(acked.state, 10, 90)
  t.same(changes(later.actions), [], 'no suspicion')
})

t.test('silence: helpers after the direct timeout, Suspect at the probe timeout, Dead when the suspicion runs out', async (t) => {
  const p = firstProbe(mkState())
  const mid = tickThrough(p.state, 10, cfg.directTimeoutMs)
  const reqs = sent(mid.actions).filter((a) => a.message.body._tag === 'PingReq')
  t.equal(reqs.length, cfg.indirectChecks, 'k helpers asked')
  t.notOk(reqs.some((a) => a.toName === p.target), 'never the target itself')
  const end = tickThrough(mid.state, cfg.directTimeoutMs + 10, cfg.probeTimeoutMs)
  t.same(changes(end.actions), [`${p.target}:Suspect:0:ProbeFailed`])
  t.ok(sent(end.actions).some((a) => a.toName === p.target && a.message.body._tag === 'Gossip'), 'the suspect is told at once')
  t.ok(aliveSet(end.state).has(p.target), 'a suspect still counts as alive')
  // Keep everyone else answering so only the target's suspicion matters.
  let s = end.state
  const deaths: string[] = []
  for (let now = cfg.probeTimeoutMs + 10; now <= cfg.probeTimeoutMs + cfg.suspicionMaxMs + 20; now += 10) {
    const r = step(s, { _tag: 'Tick' }, now)
    s = r.state
    for (const a of sent(r.actions))
      if (a.message.body._tag === 'Ping' && a.toName !== p.target) s = receiveFrom(s, a.toName, { _tag: 'Ack', probeId: a.message.body.probeId, updates: [] }, now).state
    deaths.push(...changes(r.actions).filter((c) => c.includes('Dead')).map((c) => `${c}@${now}`))
  }
  t.equal(deaths.length, 1, 'declared dead once')
  const at = Number(deaths[0]?.split('@')[1])
  t.ok(at >= cfg.probeTimeoutMs + cfg.suspicionMaxMs - 10 && at <= cfg.probeTimeoutMs + cfg.suspicionMaxMs + 10, `after suspicionMaxMs without confirmations (${at})`)
  t.notOk(aliveSet(s).has(p.target))
})

t.test('confirmations from other members shorten the suspicion (Lifeguard)', async (t) => {
  const heard = (suspectors: readonly string[]) => {
    let s = firstProbe(mkState()).state
    suspectors.forEach((by, i) => (s = receiveFrom(s, by, { _tag: 'Gossip', updates: [mkUpdate('Suspect', 'e', 0, by)] }, 1 + i).state))
    return s
  }
  t.ok(heard(['b']).urgent.includes(N('e')), 'a suspicion heard of is probed next')
  // Our own probe of e (it is urgent now) fails too and adds one more confirmation.
  const wantThree = 1 + suspicionTimeout(cfg, 3, 5)
  const wantOne = 1 + suspicionTimeout(cfg, 1, 5)
  t.equal(wantThree, 1 + cfg.suspicionMinMs, 'three suspectors and us: the minimum')
  t.ok(wantOne > wantThree && wantOne < 1 + cfg.suspicionMaxMs, 'one suspector and us: in between')
  const deadAt = (s: State): number | undefined => {
    for (let now = 10; now <= 2_000; now += 10) {
      const r = step(s, { _tag: 'Tick' }, now)
      s = r.state
      // Keep other probes answered so only e's suspicion matters.
      for (const a of sent(r.actions))
        if (a.message.body._tag === 'Ping' && a.toName !== 'e') s = receiveFrom(s, a.toName, { _tag: 'Ack', probeId: a.message.body.probeId, updates: [] }, now).state
      if (changes(r.actions).includes('e:Dead:0:SuspicionExpired')) return now
    }
    return undefined
  }
  const three = deadAt(heard(['b', 'c', 'd']))
  const one = deadAt(heard(['b']))
  t.ok(three !== undefined && three >= wantThree && three <= wantThree + 10, `three suspectors: dead after ${three}`)
  t.ok(one !== undefined && one >= wantOne && one <= wantOne + 10, `one suspector: dead after ${one}`)
})

t.test('refutation: told it is suspected, a member raises its incarnation and tells the suspector', async (t) => {
  const s = mkState('c')
  const r = receiveFrom(s, 'b', { _tag: 'Gossip', updates: [mkUpdate('Suspect', 'c', 0, 'd')] }, 1)
  t.equal(r.state.incarnation, 1)
  t.same(changes(r.actions), ['c:Alive:1:Refuted'])
  const toD = sent(r.actions).find((a) => a.toName === 'd')
  t.same(toD?.message.body, { _tag: 'Gossip', updates: [mkUpdate('Alive', 'c', 1)] })
  t.equal(r.state.awareness, 1, 'being suspected counts against local health')
  // Its next messages carry incarnation 1, which clears the suspicion at any receiver.
  let other = mkState('b')
  other = receiveFrom(other, 'd', { _tag: 'Gossip', updates: [mkUpdate('Suspect', 'c', 0, 'd')] }, 1).state
  t.equal(other.members.get(N('c'))?.status, 'Suspect')
  const cleared = receiveFrom(other, 'c', { _tag: 'Gossip', updates: [] }, 2, 1)
  t.same(changes(cleared.actions), ['c:Alive:1:DirectContact'])
})

t.test('replays, old incarnations, strangers and misdirected pings change nothing', async (t) => {
  const s0 = firstProbe(mkState()).state
  const m = mkMsg('b', { _tag: 'Gossip', updates: [mkUpdate('Dead', 'c', 0)] })
  const once = step(s0, { _tag: 'MessageReceived', from: addressOf('b'), message: m }, 1)
  t.equal(once.state.members.get(N('c'))?.status, 'Dead', 'the first copy counts')
  const strip = (s: State) => ({ ...s, lastEventAt: 0 })
  const again = step(once.state, { _tag: 'MessageReceived', from: addressOf('b'), message: m }, 2)
  t.same(strip(again.state), strip(once.state), 'replayed copy: same state')
  t.same(again.actions, [{ _tag: 'Dropped', from: addressOf('b'), sender: 'b', reason: 'Replay' }])

  const revived = receiveFrom(once.state, 'c', { _tag: 'Gossip', updates: [] }, 3, 1).state
  const stale = receiveFrom(revived, 'd', { _tag: 'Gossip', updates: [mkUpdate('Suspect', 'c', 0, 'd'), mkUpdate('Dead', 'c', 0)] }, 4)
  t.equal(stale.state.members.get(N('c'))?.status, 'Alive', 'old-incarnation news is ignored')
  t.same(sent(stale.actions).map((a) => [a.toName, a.message.body]), [['d', { _tag: 'Gossip', updates: [mkUpdate('Alive', 'c', 1)] }]], 'and the sender is corrected')

  const stranger = step(s0, { _tag: 'MessageReceived', from: { host: '203.0.113.9', port: 7946 }, message: mkMsg('zz', { _tag: 'Leave' }) }, 5)
  t.same(stranger.actions.map((a) => a._tag === 'Dropped' && a.reason), ['UnknownSender'])
  t.same(strip(stranger.state), strip(s0), 'a Leave from outside the universe changes nothing')
  // An authenticated member missing from our universe (the speaker sets differ for a moment) still
  // gets an Ack, so it does not declare us dead; we learn nothing from it.
  const skew = step(s0, { _tag: 'MessageReceived', from: { host: '203.0.113.9', port: 7946 }, message: mkMsg('zz', { _tag: 'Ping', probeId: pid(4), target: N('a'), updates: [mkUpdate('Dead', 'b', 5)] }) }, 6)
  t.same(sent(skew.actions).map((a) => [a.to.host, a.message.body]), [['203.0.113.9', { _tag: 'Ack', probeId: 4, updates: [] }]])
  t.same({ ...strip(skew.state), seq: 0 }, { ...strip(s0), seq: 0 }, 'and nothing else changes')
  const wrong = receiveFrom(s0, 'b', { _tag: 'Ping', probeId: pid(1), target: N('c'), updates: [] }, 6)
  t.same(wrong.actions.map((a) => a._tag === 'Dropped' && a.reason), ['Misdirected'])
  const self = receiveFrom(s0, 'a', { _tag: 'Leave' }, 7)
  t.same(self.actions.map((a) => a._tag === 'Dropped' && a.reason), ['FromSelf'])
})

t.test('graceful leave: everyone is told at once; the leaver answers a Ping with an Ack and Leave, all else with Leave', async (t) => {
  const s0 = firstProbe(mkState()).state
  const r = step(s0, { _tag: 'Leave' }, 10)
  t.same(sent(r.actions).map((a) => a.toName).sort(), ['b', 'c', 'd', 'e'])
  t.ok(sent(r.actions).every((a) => a.message.body._tag === 'Leave' && a.message.header.incarnation === 1))
  t.ok(r.actions.some((a) => a._tag === 'MembershipChanged' && !a.alive.has(N('a'))), 'the leaver drops itself')
  const ping = receiveFrom(r.state, 'b', { _tag: 'Ping', probeId: pid(3), target: N('a'), updates: [] }, 11)
  t.same(sent(ping.actions).map((a) => a.message.body._tag), ['Ack', 'Leave'], 'the Ack proves to a fresh peer that the Leave is current')
  const gossip = receiveFrom(r.state, 'c', { _tag: 'Gossip', updates: [] }, 11)
  t.same(sent(gossip.actions).map((a) => a.message.body._tag), ['Leave'])
  t.same(sent(step(r.state, { _tag: 'Tick' }, 500).actions), [], 'no more probing')

  const peer = receiveFrom(mkState('b'), 'a', { _tag: 'Leave' }, 1, 1)
  t.same(changes(peer.actions), ['a:Left:1:Leave'])
  t.ok(peer.actions.some((a) => a._tag === 'MembershipChanged' && !a.alive.has(N('a'))), 'handed over at once')
})

t.test('indirect probe: a helper pings the target, forwards the Ack, or Nacks when it stays silent', async (t) => {
  const s0 = mkState('b')
  const req = receiveFrom(s0, 'a', { _tag: 'PingReq', probeId: pid(77), target: N('c'), updates: [] }, 0)
  const ping = sent(req.actions).find((a) => a.toName === 'c')
  if (ping?.message.body._tag !== 'Ping') return t.fail('helper must ping the target')
  const ack = receiveFrom(req.state, 'c', { _tag: 'Ack', probeId: ping.message.body.probeId, updates: [] }, 5)
  t.same(sent(ack.actions).map((a) => [a.toName, a.message.body._tag, a.message.body._tag === 'Ack' && a.message.body.probeId]), [['a', 'Ack', 77]])
  const silent = tickThrough(req.state, 10, cfg.probeTimeoutMs)
  t.ok(sent(silent.actions).some((a) => a.toName === 'a' && a.message.body._tag === 'Nack' && a.message.body.probeId === 77), 'Nack to the requester')
})

t.test('a stall of our own process does not make us suspect anyone', async (t) => {
  const run = (stallGapMs: number) => {
    const p = firstProbe(mkState('a', five, { ...cfg, stallGapMs }))
    // The event loop was blocked for a second; the Ack sat in the socket buffer meanwhile.
    const wake = step(p.state, { _tag: 'Tick' }, 1_000)
    const ack = receiveFrom(wake.state, p.target, { _tag: 'Ack', probeId: p.probeId, updates: [] }, 1_001)
    return [...changes(wake.actions), ...changes(ack.actions)]
  }
  t.same(run(cfg.stallGapMs), [], 'the stalled second does not count')
  t.equal(run(1e9).filter((c) => c.includes('Suspect')).length, 1, 'control: without stall detection the Ack is judged late')
})

t.test('universe changes: newcomers start alive, the departed are forgotten', async (t) => {
  const s0 = mkState()
  const next = mkMembers(['a', 'b', 'c', 'f'])
  const r = step(s0, { _tag: 'UniverseChanged', members: next }, 1)
  t.same(changes(r.actions), ['f:Alive:0:Joined'])
  t.same([...aliveSet(r.state)].sort(), ['a', 'b', 'c', 'f'])
  t.ok(r.actions.some((a) => a._tag === 'MembershipChanged'))
  t.same(r.state.order.slice().sort(), ['b', 'c', 'f'])
})

t.test('start-up Sync: the answer carries our whole view and teaches the newcomer who is dead', async (t) => {
  let b = mkState('b')
  b = receiveFrom(b, 'c', { _tag: 'Gossip', updates: [mkUpdate('Dead', 'e', 2)] }, 1).state
  const r = receiveFrom(b, 'a', { _tag: 'Sync', replyWanted: true, updates: [mkUpdate('Alive', 'a', 0)] }, 2)
  const reply = sent(r.actions).find((x) => x.message.body._tag === 'Sync')
  if (reply?.message.body._tag !== 'Sync') return t.fail('no reply')
  t.same(reply.message.body.updates.map((u) => `${u.name}:${u.status}`).sort(), ['b:Alive', 'c:Alive', 'd:Alive', 'e:Dead'])
  const a = step(withProof(mkState('a'), 'b', reply.message.header.epoch), { _tag: 'MessageReceived', from: addressOf('b'), message: reply.message }, 3)
  t.notOk(aliveSet(a.state).has(N('e')), 'newcomer learns e is dead')
})

t.test('a member believed dead is pinged at a low rate with its record, and comes back by refuting', async (t) => {
  let s = firstProbe(mkState()).state
  s = receiveFrom(s, 'b', { _tag: 'Gossip', updates: [mkUpdate('Dead', 'e', 0)] }, 1).state
  const ticks = tickThrough(s, 10, cfg.deadProbeIntervalMs * 3)
  const pings = sent(ticks.actions).filter((a) => a.toName === 'e' && a.message.body._tag === 'Ping')
  t.ok(pings.length >= 2 && pings.length <= 4, `about one per deadProbeIntervalMs (${pings.length})`)
  t.ok(pings.every((p) => p.message.body._tag === 'Ping' && p.message.body.updates.some((u) => u.name === 'e' && u.status === 'Dead')), 'carrying its own record')
  const back = receiveFrom(ticks.state, 'e', { _tag: 'Ack', probeId: pid(999), updates: [] }, 700, 1)
  t.same(changes(back.actions), ['e:Alive:1:DirectContact'])
  t.ok(back.actions.some((a) => a._tag === 'MembershipChanged' && a.alive.has(N('e'))))
})

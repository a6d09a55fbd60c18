// The session diff (core/speaker/sessionDiff.ts) as properties: stopping, restarting and starting
// what it says turns the running set into the wanted set; an unchanged set asks for nothing; only a
// session-level field (here: hold time, password, TTL) restarts, a BFD profile alone only retimes
// BFD. And through reconcile: a route change (a Service added) leaves every session alone, a peer's
// hold time restarts that one only, a BFD profile given to a peer restarts nothing.
import t from 'tap'
import fc from 'fast-check'
import { Redacted } from '../../../core/speaker/peerPassword.js'
import { diffSessions, isEmptyDiff, sameSession } from '../../../core/speaker/sessionDiff.js'
import type { SessionSpec } from '../../../core/speaker/sessionPlan.js'
import { NS, mkInput, rawNode, rawPool, rawService, rawSlice, run } from './mk.js'

const arbSpec = (peer: string): fc.Arbitrary<SessionSpec> =>
  fc.record({ hold: fc.constantFrom(3, 90, 180), password: fc.constantFrom(undefined, 'a', 'b'), ttl: fc.constantFrom(undefined, 255), bfd: fc.constantFrom(undefined, 100, 300) }).map(({ hold, password, ttl, bfd }) => ({
    peer,
    config: { localAsn: 64500, peerAsn: { _tag: 'Fixed', asn: 64501 as never }, routerId: 1, holdTimeSeconds: hold, connectRetrySeconds: 5, dial: true, families: [4] },
    remote: `192.0.2.${peer.length}`,
    port: 179,
    // A fresh box each time: equal passwords in different boxes must compare equal.
    socket: { ...(password === undefined ? {} : { md5: Redacted.of(password) }), ...(ttl === undefined ? {} : { ttl }) },
    otherNextHops: {},
    bfd: bfd === undefined ? undefined : { multiHop: false, profile: { name: 'p', receiveInterval: bfd, transmitInterval: bfd, detectMultiplier: 3, echoInterval: 50, echoMode: false, passiveMode: false, minimumTtl: 254 } },
  }))

const arbSet = fc
  .uniqueArray(fc.constantFrom('a', 'bb', 'ccc', 'dddd', 'eeeee'), { maxLength: 5 })
  .chain((names) => fc.tuple(...names.map(arbSpec)))
  .map((specs) => new Map(specs.map((s) => [s.peer, s])))

/** What the shell does with a diff, on a plain map. */
const applied = (running: ReadonlyMap<string, SessionSpec>, wanted: ReadonlyMap<string, SessionSpec>): Map<string, SessionSpec> => {
  const d = diffSessions(running, wanted)
  const out = new Map(running)
  for (const k of d.stop) out.delete(k)
  for (const s of [...d.restart, ...d.bfd]) out.set(s.peer, s)
  for (const s of d.start) {
    if (out.has(s.peer)) throw new Error(`start of ${s.peer}, already running`)
    out.set(s.peer, s)
  }
  return out
}

t.test('applying the diff to the running set gives the wanted set', async () => {
  fc.assert(
    fc.property(arbSet, arbSet, (running, wanted) => {
      const after = applied(running, wanted)
      if ([...after.keys()].sort().join() !== [...wanted.keys()].sort().join()) throw new Error('keys differ')
      for (const [k, w] of wanted) if (JSON.stringify(after.get(k)?.bfd) !== JSON.stringify(w.bfd) || !sameSession(after.get(k) as SessionSpec, w)) throw new Error(`${k} differs`)
      return isEmptyDiff(diffSessions(after, wanted))
    }),
  )
})

t.test('unchanged config: no action; a restart only where a session-level field changed', async () => {
  fc.assert(fc.property(arbSet, (s) => isEmptyDiff(diffSessions(s, new Map([...s].map(([k, v]) => [k, { ...v, socket: { ...v.socket } }]))))))
  fc.assert(
    fc.property(arbSet, arbSet, (running, wanted) => {
      const d = diffSessions(running, wanted)
      return d.restart.every((w) => !sameSession(running.get(w.peer) as SessionSpec, w)) && d.bfd.every((w) => sameSession(running.get(w.peer) as SessionSpec, w)) && d.start.every((w) => !running.has(w.peer))
    }),
  )
})

const peer = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name, namespace: NS }, spec: { myASN: 64500, peerASN: 64501, ...spec } })
const adv = { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'all', namespace: NS }, spec: {} }

t.test('through reconcile: routes never restart a session; a hold time restarts that peer only', async (t) => {
  const base = [rawPool('p', ['198.51.100.0/28']), rawNode('n0'), peer('a', { peerAddress: '192.0.2.254' }), peer('b', { peerAddress: '192.0.2.253' }), adv]
  const svc = [rawService('web', { ips: ['198.51.100.1'] }), rawSlice('web', [{ node: 'n0' }])]
  const held = base.map((o) => (o.kind === 'BGPPeer' && o.metadata.name === 'b' ? peer('b', { peerAddress: '192.0.2.253', holdTime: '9s' }) : o))
  const steps = run([mkInput(base), mkInput([...base, ...svc]), mkInput([...held, ...svc])])
  const diff = (i: number) => steps[i]?.plan.protocols.bgp?.sessions.diff
  t.same(diff(0)?.start.map((s) => s.peer), ['a', 'b'], 'first pass: both start')
  t.same(diff(1), { start: [], stop: [], restart: [], bfd: [] }, 'a Service added: routes change, sessions do not')
  t.equal(steps[1]?.plan.protocols.bgp?.routes.get('a')?.length, 1)
  t.same(diff(2)?.restart.map((s) => `${s.peer} ${s.config.holdTimeSeconds}`), ['b 9'])
  t.same([diff(2)?.start, diff(2)?.stop], [[], []])
  const bfd = { apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: { name: 'fast', namespace: NS }, spec: {} }
  const withBfd = held.map((o) => (o.kind === 'BGPPeer' && o.metadata.name === 'a' ? peer('a', { peerAddress: '192.0.2.254', bfdProfile: 'fast' }) : o))
  const later = run([mkInput([...held, ...svc]), mkInput([...withBfd, bfd, ...svc])])
  t.same(later[1]?.plan.protocols.bgp?.sessions.diff.restart, [], 'a BFD profile added: no BGP restart')
  t.same(later[1]?.plan.protocols.bgp?.sessions.diff.bfd.map((s) => `${s.peer} ${s.bfd?.profile.name}`), ['a fast'])
})

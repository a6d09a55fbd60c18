import t from 'tap'
import fc from 'fast-check'
import type { Received } from '../../../core/bgp/message.js'
import { notification } from '../../../core/bgp/notification.js'
import { type Session, type SessionAction, type SessionConfig, type SessionEvent, INITIAL_HOLD_SECONDS, initialSession, step } from '../../../core/bgp/session.js'

const config: SessionConfig = { localAsn: 64512, peerAsn: 64500, routerId: 0xc6336411, holdTimeSeconds: 90, connectRetrySeconds: 5, capabilities: [] }
const peerOpen = (over: Partial<{ asn: number; holdTimeSeconds: number; routerId: number }> = {}): Received => ({
  _tag: 'Open',
  open: { asn: 64500, holdTimeSeconds: 30, routerId: 0xc6336401, capabilities: [], ...over },
})
const received = (message: Received): SessionEvent => ({ _tag: 'Received', message })

const run = (events: readonly SessionEvent[], c: SessionConfig = config): { session: Session; actions: SessionAction[][] } => {
  let session = initialSession
  const actions: SessionAction[][] = []
  for (const e of events) {
    const r = step(c, session, e)
    session = r.session
    actions.push([...r.actions])
  }
  return { session, actions }
}
const tags = (as: readonly SessionAction[]): string[] =>
  as.map((a) => (a._tag === 'Send' ? `Send ${a.message._tag}` : a._tag === 'SetTimer' ? `SetTimer ${a.timer} ${a.seconds}` : a._tag === 'StopTimer' ? `StopTimer ${a.timer}` : a._tag))

const HAPPY: SessionEvent[] = [{ _tag: 'Start' }, { _tag: 'TcpConnected' }, received(peerOpen()), received({ _tag: 'Keepalive' })]

t.test('to Established: dial, OPEN, the smaller hold time, keepalives at a third of it', async (t) => {
  const { session, actions } = run(HAPPY)
  t.equal(session.state, 'Established')
  t.equal(session.holdSeconds, 30, 'min(90 offered, 30 from the peer)')
  t.same(tags(actions[0] ?? []), ['Dial', 'SetTimer ConnectRetry 5'])
  t.same(tags(actions[1] ?? []), ['StopTimer ConnectRetry', 'Send Open', `SetTimer Hold ${INITIAL_HOLD_SECONDS}`])
  t.same(tags(actions[2] ?? []), ['Send Keepalive', 'SetTimer Hold 30', 'SetTimer Keepalive 10'])
  t.same(tags(actions[3] ?? []), ['SetTimer Hold 30', 'Up'])
})

t.test('a hold time of 0 on either side runs no hold or keepalive timer', async (t) => {
  const { session, actions } = run([HAPPY[0], HAPPY[1], received(peerOpen({ holdTimeSeconds: 0 })), HAPPY[3]] as SessionEvent[])
  t.equal(session.holdSeconds, 0)
  t.same(tags(actions[2] ?? []), ['Send Keepalive', 'StopTimer Hold', 'StopTimer Keepalive'])
  t.same(tags(actions[3] ?? []), ['Up'])
  const late = run([HAPPY[0], HAPPY[1], received(peerOpen({ holdTimeSeconds: 0 })), HAPPY[3], { _tag: 'TimerFired', timer: 'Keepalive' }] as SessionEvent[])
  t.same(late.actions[4], [], 'a keepalive timer firing late sends nothing')
})

t.test('a peer with the wrong AS gets Bad Peer AS, then a retry', async (t) => {
  const { session, actions } = run([HAPPY[0], HAPPY[1], received(peerOpen({ asn: 65000 }))] as SessionEvent[])
  t.equal(session.state, 'Idle')
  const sent = actions[2]?.find((a) => a._tag === 'Send')
  t.same(sent?._tag === 'Send' && sent.message._tag === 'Notification' ? [sent.message.notification.code, sent.message.notification.subcode] : [], [2, 2])
  t.ok(tags(actions[2] ?? []).includes('SetTimer ConnectRetry 5'))
  t.ok(tags(actions[2] ?? []).includes('Down'))
})

t.test('in Established: hold expiry sends Hold Timer Expired; a route refresh asks for a resend; Stop says Cease', async (t) => {
  const expired = run([...HAPPY, { _tag: 'TimerFired', timer: 'Hold' }])
  t.same(tags(expired.actions[4] ?? []).slice(0, 2), ['Send Notification', 'Close'])
  t.equal(expired.session.state, 'Idle')
  const refresh = run([...HAPPY, received({ _tag: 'RouteRefresh', afi: 1, safi: 1 })])
  t.same(tags(refresh.actions[4] ?? []), ['SetTimer Hold 30', 'Resend'])
  const stopped = run([...HAPPY, { _tag: 'Stop' }, { _tag: 'TimerFired', timer: 'ConnectRetry' }])
  const cease = stopped.actions[4]?.[0]
  t.same(cease?._tag === 'Send' && cease.message._tag === 'Notification' ? cease.message.notification.code : undefined, 6)
  t.same(stopped.actions[5], [], 'a stopped session does not dial again')
  t.equal(stopped.session.state, 'Idle')
})

t.test('a message out of order is an FSM error (RFC 6608 subcodes)', async (t) => {
  const subcodeOf = (as: readonly SessionAction[]): number | undefined => {
    const s = as.find((a) => a._tag === 'Send')
    return s?._tag === 'Send' && s.message._tag === 'Notification' && s.message.notification.code === 5 ? s.message.notification.subcode : undefined
  }
  t.equal(subcodeOf(run([HAPPY[0], HAPPY[1], received({ _tag: 'Keepalive' })] as SessionEvent[]).actions[2] ?? []), 1, 'KEEPALIVE in OpenSent')
  t.equal(subcodeOf(run([HAPPY[0], HAPPY[1], received(peerOpen()), received(peerOpen())] as SessionEvent[]).actions[3] ?? []), 2, 'OPEN in OpenConfirm')
  t.equal(subcodeOf(run([...HAPPY, received(peerOpen())]).actions[4] ?? []), 3, 'OPEN in Established')
})

const eventArb: fc.Arbitrary<SessionEvent> = fc.oneof(
  fc.constant<SessionEvent>({ _tag: 'Start' }),
  fc.constant<SessionEvent>({ _tag: 'Stop' }),
  fc.constant<SessionEvent>({ _tag: 'TcpConnected' }),
  fc.constant<SessionEvent>({ _tag: 'TcpClosed' }),
  fc.constantFrom('ConnectRetry' as const, 'Hold' as const, 'Keepalive' as const).map((timer): SessionEvent => ({ _tag: 'TimerFired', timer })),
  fc.constant<SessionEvent>({ _tag: 'Malformed', notification: notification(1, 2) }),
  fc.record({ asn: fc.constantFrom(64500, 65000), holdTimeSeconds: fc.constantFrom(0, 3, 30, 180) }).map((o) => received(peerOpen(o))),
  fc.constantFrom<Received>({ _tag: 'Keepalive' }, { _tag: 'RouteRefresh', afi: 2, safi: 1 }, { _tag: 'Notification', notification: notification(6, 2) }).map(received),
  fc.constant(received({ _tag: 'Update', update: { withdrawn: [], nlri: [], mpUnreach: [], attributeErrors: [] } })),
)

t.test('model: over any event sequence, Up and Down alternate, advertising only in Established', async (t) => {
  fc.assert(
    fc.property(fc.array(eventArb, { maxLength: 60 }), (events) => {
      let session = initialSession
      let up = false
      for (const e of events) {
        const before = session.state
        const r = step(config, session, e)
        for (const a of r.actions) {
          if (a._tag === 'Up') {
            if (up) return false // two Ups without a Down
            up = true
          }
          if (a._tag === 'Down') {
            if (!up && before === 'Established') return false
            up = false
          }
          // The owner only sends UPDATEs itself; the state machine never does.
          if (a._tag === 'Send' && a.message._tag === 'Update') return false
          if (a._tag === 'Resend' && r.session.state !== 'Established') return false
          if (a._tag === 'SetTimer' && !(a.seconds >= 1)) return false
        }
        // Up is in force exactly while Established.
        if (up !== (r.session.state === 'Established')) return false
        // Leaving a connected state always closes the connection.
        const wasConnected = before === 'OpenSent' || before === 'OpenConfirm' || before === 'Established'
        if (wasConnected && r.session.state === 'Idle' && !r.actions.some((a) => a._tag === 'Close')) return false
        session = r.session
      }
      return true
    }),
    { numRuns: 3000 },
  )
  t.pass('held')
})

t.test('model: after Stop nothing dials until Start', async (t) => {
  fc.assert(
    fc.property(fc.array(eventArb, { maxLength: 40 }), fc.array(eventArb.filter((e) => e._tag !== 'Start'), { maxLength: 20 }), (before, after) => {
      let session = initialSession
      for (const e of before) session = step(config, session, e).session
      session = step(config, session, { _tag: 'Stop' }).session
      for (const e of after) {
        const r = step(config, session, e)
        if (r.actions.some((a) => a._tag === 'Dial' || (a._tag === 'Send' && a.message._tag === 'Open'))) return false
        session = r.session
      }
      return session.state === 'Idle'
    }),
    { numRuns: 2000 },
  )
  t.pass('held')
})

import t from 'tap'
import fc from 'fast-check'
import { type ElectionTiming, type LeaseRecord, type Observation, decideLease, observe, stillLeading } from '../../../core/election/lease.js'

const timing: ElectionTiming = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }
const rec = (holderIdentity: string, resourceVersion = '1'): LeaseRecord => ({
  holderIdentity,
  leaseDurationSeconds: 15,
  leaseTransitions: 3,
  resourceVersion,
})

t.test('decisions', async (t) => {
  const rows: ReadonlyArray<{ desc: string; seen: Observation | undefined; now: number; want: string }> = [
    { desc: 'no lease: create it', seen: undefined, now: 0, want: 'Create' },
    { desc: 'ours: renew', seen: { record: rec('a'), observedAtMs: 0 }, now: 99_000, want: 'Renew' },
    { desc: 'theirs, fresh: follow', seen: { record: rec('b'), observedAtMs: 1_000 }, now: 15_999, want: 'Follow' },
    { desc: 'theirs, expired by our clock: acquire', seen: { record: rec('b'), observedAtMs: 1_000 }, now: 16_000, want: 'Acquire' },
    { desc: 'released: acquire at once', seen: { record: rec(''), observedAtMs: 1_000 }, now: 1_001, want: 'Acquire' },
  ]
  for (const row of rows) t.equal(decideLease('a', row.seen, row.now, timing)._tag, row.want, row.desc)
  const acquire = decideLease('a', { record: rec('b', '7'), observedAtMs: 0 }, 20_000, timing)
  t.same(acquire, { _tag: 'Acquire', holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 4, resourceVersion: '7' })
})

t.test('observation clock restarts only when the record changes', async (t) => {
  const first = observe(undefined, rec('b', '1'), 100)
  t.equal(observe(first, rec('b', '1'), 900).observedAtMs, 100, 'same record: keep the first sighting')
  t.equal(observe(first, rec('b', '2'), 900).observedAtMs, 900, 'renewed: new sighting')
  t.equal(observe(first, rec('c', '1'), 900).observedAtMs, 900, 'new holder: new sighting')
})

// Safety under any interleaving: replicas read and write a shared Lease with compare-and-swap on
// resourceVersion; reads and writes are separate steps (requests take time), clocks advance together,
// replicas may crash and come back. At no instant may two replicas both believe they lead.
interface Replica {
  id: string
  alive: boolean
  seen: Observation | undefined
  pending: { action: ReturnType<typeof decideLease>; startedAt: number } | undefined
  lastRenewedAt: number | undefined
}

type Step = { kind: 'tick'; ms: number } | { kind: 'read'; who: number } | { kind: 'write'; who: number } | { kind: 'crash'; who: number }

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 6_000 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('read' as const), who: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('write' as const), who: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const), who: fc.integer({ min: 0, max: 2 }) }) },
)

t.test('never two leaders at once, and someone leads after a quiet period', async (t) => {
  fc.assert(
    fc.property(fc.array(stepArb, { maxLength: 300 }), (steps) => {
      let now = 0
      let version = 0
      let lease: LeaseRecord | undefined
      const replicas: Replica[] = ['r0', 'r1', 'r2'].map((id) => ({ id, alive: true, seen: undefined, pending: undefined, lastRenewedAt: undefined }))
      const leading = (r: Replica): boolean => r.alive && r.lastRenewedAt !== undefined && stillLeading(r.lastRenewedAt, now, timing)
      const write = (r: Replica): void => {
        const p = r.pending
        r.pending = undefined
        if (p === undefined) return
        const a = p.action
        const expected = lease?.resourceVersion
        switch (a._tag) {
          case 'Follow':
            return
          case 'Create':
            if (lease !== undefined) return // 409 AlreadyExists
            lease = { holderIdentity: a.holderIdentity, leaseDurationSeconds: a.leaseDurationSeconds, leaseTransitions: 0, resourceVersion: String(++version) }
            break
          case 'Acquire':
          case 'Renew':
            if (expected !== a.resourceVersion || lease === undefined) return // 409 Conflict
            lease =
              a._tag === 'Renew'
                ? { ...lease, resourceVersion: String(++version) }
                : { holderIdentity: a.holderIdentity, leaseDurationSeconds: a.leaseDurationSeconds, leaseTransitions: a.leaseTransitions, resourceVersion: String(++version) }
        }
        // Leadership counts from when the request was sent, not when it returned: the safe side.
        r.lastRenewedAt = p.startedAt
      }
      for (const s of steps) {
        switch (s.kind) {
          case 'tick':
            now += s.ms
            break
          case 'crash': {
            const r = replicas[s.who]!
            Object.assign(r, { alive: !r.alive, seen: undefined, pending: undefined, lastRenewedAt: undefined })
            break
          }
          case 'read': {
            const r = replicas[s.who]!
            if (!r.alive || r.pending !== undefined) break
            r.seen = lease === undefined ? undefined : observe(r.seen, lease, now)
            r.pending = { action: decideLease(r.id, r.seen, now, timing), startedAt: now }
            break
          }
          case 'write': {
            const r = replicas[s.who]!
            if (r.alive) write(r)
            break
          }
        }
        const leaders = replicas.filter(leading).map((r) => r.id)
        if (leaders.length > 1) throw new Error(`two leaders at t=${now}: ${leaders.join(', ')}`)
      }
      // Liveness: one live replica doing read+write every retry period takes over within a lease duration.
      const survivor = replicas.find((r) => r.alive) ?? Object.assign(replicas[0]!, { alive: true })
      for (let i = 0; i < 20 && !leading(survivor); i++) {
        survivor.seen = lease === undefined ? undefined : observe(survivor.seen, lease, now)
        survivor.pending = { action: decideLease(survivor.id, survivor.seen, now, timing), startedAt: now }
        for (const other of replicas) if (other !== survivor) other.alive = false
        write(survivor)
        now += timing.retryPeriodMs
      }
      return leading(survivor) || (survivor.lastRenewedAt !== undefined && now - survivor.lastRenewedAt <= timing.retryPeriodMs)
    }),
    {
      numRuns: 1000,
      // The classic split brain: r1 takes over an expired lease while r0 still trusts an old renewal.
      examples: [
        [
          [
            { kind: 'read', who: 0 }, { kind: 'write', who: 0 }, { kind: 'read', who: 1 }, { kind: 'write', who: 1 },
            { kind: 'tick', ms: 6_000 }, { kind: 'tick', ms: 6_000 }, { kind: 'tick', ms: 4_000 },
            { kind: 'read', who: 1 }, { kind: 'write', who: 1 },
          ],
        ],
      ],
    },
  )
  t.pass('safety and liveness held')
})

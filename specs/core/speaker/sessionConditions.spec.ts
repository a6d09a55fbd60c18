// A speaker's BGP sessions as conditions on its ConfigurationState: one per peer, True only while
// Established, every type and reason accepted by the CRD's own patterns (read from deploy/), and a
// transition time that moves only with the status. Properties over random sessions and histories.
import t from 'tap'
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import { parseAllDocuments } from 'yaml'
import { SESSION_CONDITION_PREFIX, type SessionReport, sessionConditions } from '../../../core/speaker/sessionConditions.js'
import type { Condition } from '../../../core/model/serviceShown.js'

interface Schema {
  readonly pattern?: string
  readonly properties?: Record<string, Schema>
  readonly items?: Schema
}
const crds = parseAllDocuments(readFileSync(new URL('../../../deploy/manifests/10-crds.yaml', import.meta.url), 'utf8')).map((d) => d.toJSON() as { metadata?: { name?: string }; spec?: { versions?: { schema?: { openAPIV3Schema?: Schema } }[] } })
const conditionSchema = crds.find((c) => c.metadata?.name === 'configurationstates.metallb.io')?.spec?.versions?.[0]?.schema?.openAPIV3Schema?.properties?.['status']?.properties?.['conditions']?.items?.properties ?? {}
const typePattern = new RegExp(conditionSchema['type']?.pattern ?? 'no pattern found')
const reasonPattern = new RegExp(conditionSchema['reason']?.pattern ?? 'no pattern found')

const FSM = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established', 'Discovering'] as const
/** BGPPeer names are DNS-1123 subdomains. */
const peerName = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?){0,2}$/)
const report = (peer: string): fc.Arbitrary<SessionReport> =>
  fc.record(
    {
      peer: fc.constant(peer),
      remote: fc.constantFrom('198.51.100.1', '2001:db8::1', 'router on eth1'),
      state: fc.constantFrom(...FSM),
      bfd: fc.constantFrom('Up', 'Down', 'Init', 'AdminDown'),
      lastDown: fc.constantFrom('hold timer expired', 'BFD down', 'connection refused'),
    },
    { requiredKeys: ['peer', 'remote', 'state'] },
  )
const reports = fc.uniqueArray(peerName, { maxLength: 6 }).chain((peers) => fc.tuple(...peers.map(report)))
/** The same peers twice (some dropped, some added), each with its own state: a history of two passes. */
const twoPasses = fc.uniqueArray(peerName, { maxLength: 6 }).chain((peers) =>
  fc.tuple(fc.tuple(...peers.map(report)), fc.tuple(...peers.map(report)), fc.array(fc.boolean(), { minLength: peers.length, maxLength: peers.length })).map(([a, b, keep]) => [a.filter((_, i) => keep[i] !== false), b] as const),
)
const time = fc.integer({ min: 0, max: 10_000 }).map((s) => new Date(Date.UTC(2026, 11, 3, 12, 0, 0) + s * 1000).toISOString().replace(/\.000Z$/, 'Z'))

t.test('examples', async (t) => {
  const up: SessionReport = { peer: 'tor', remote: '198.51.100.1', state: 'Established', bfd: 'Up' }
  const first = sessionConditions([up], [], '2026-12-03T12:00:00Z')
  t.same(first, [{ type: 'bgp-session.ironlb.io/tor', status: 'True', reason: 'Established', message: 'peer 198.51.100.1, BGP Established, BFD Up', lastTransitionTime: '2026-12-03T12:00:00Z' }])
  const down = sessionConditions([{ ...up, state: 'Active', bfd: 'Down', lastDown: 'BFD down' }], first, '2026-12-03T12:00:05Z')
  t.match(down, [{ status: 'False', reason: 'Active', message: 'peer 198.51.100.1, BGP Active, BFD Down, last down: BFD down', lastTransitionTime: '2026-12-03T12:00:05Z' }])
  t.same(sessionConditions([], down, '2026-12-03T12:00:09Z'), [], 'a peer gone: its condition goes')
})

t.test('the CRD patterns found', async (t) => {
  t.not(typePattern.source, 'no pattern found')
  t.not(reasonPattern.source, 'no pattern found')
})

t.test('properties', async (t) => {
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(reports, time, (rs, now) => {
        const cs = sessionConditions(rs, [], now)
        if (cs.length !== rs.length) return false
        return rs.every((r) => {
          const c = cs.find((x) => x.type === `${SESSION_CONDITION_PREFIX}${r.peer}`)
          return c !== undefined && typePattern.test(c.type) && reasonPattern.test(c.reason) && (c.status === 'True') === (r.state === 'Established')
        })
      }),
      { numRuns: 300 },
    ),
  'one condition per session, valid for the CRD, True iff Established')
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(reports, time, time, (rs, then, later) => {
        const once = sessionConditions(rs, [], then)
        const shuffled = [...rs].reverse()
        return JSON.stringify(sessionConditions(shuffled, once, later)) === JSON.stringify(once)
      }),
      { numRuns: 300 },
    ),
  'nothing changed: the same conditions at any later time, whatever the order of the reports')
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(twoPasses, time, time, ([before, after], then, later) => {
        const previous: Condition[] = sessionConditions(before, [], then)
        return sessionConditions(after, previous, later).every((c) => {
          const was = previous.find((p) => p.type === c.type)
          return c.lastTransitionTime === (was !== undefined && was.status === c.status ? was.lastTransitionTime : later)
        })
      }),
      { numRuns: 300 },
    ),
  'the transition time moves exactly when the status does')
})

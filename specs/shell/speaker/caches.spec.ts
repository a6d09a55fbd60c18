// The speaker's pass with its caches' decode memo (shell/speaker/caches.ts memoizedDecode, handed to
// the core as SpeakerSnapshot.decoded: decodeClusterObject kept per object reference) decides exactly what the pass without it
// decides, over runs of passes in which each object stays the same reference, comes back as an equal
// copy (a resync), changes (a watch event: a new reference), or goes away. Plan and state are compared
// whole, pass after pass, each run carrying its own state forward.
import t from 'tap'
import fc from 'fast-check'
import { reconcileSpeaker } from '../../../core/speaker/reconcile.js'
import { initialSpeakerState } from '../../../core/speaker/speakerPlan.js'
import { memoizedDecode } from '../../../shell/speaker/caches.js'
import { ENV, NS, mkInput, member, rawL2, rawNode, rawPool, rawService, rawSlice } from '../../core/speaker/mk.js'

const IPS = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '2001:db8::1', '2001:db8::2']
const peer = { apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'tor', namespace: NS }, spec: { myASN: 64512, peerASN: 64500, peerAddress: '192.0.2.254' } }
const bgpAd = { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'bgp', namespace: NS }, spec: { ipAddressPools: ['p'] } }
const CONFIG = [rawPool('p', ['198.51.100.0/24', '2001:db8::/64']), rawL2('l2'), peer, bgpAd]

/** One version of slot i's objects: its Service (IP, traffic policy) and its endpoints. */
const versionArb = (i: number) =>
  fc
    .record({ ip: fc.constantFrom(...IPS, undefined), local: fc.boolean(), node: fc.constantFrom('n0', 'n1', 'n2'), ready: fc.boolean() })
    .map((v) => [rawService(`s${i}`, { ips: v.ip === undefined ? [] : [v.ip], local: v.local }), rawSlice(`s${i}`, [{ node: v.node, ready: v.ready }])] as const)

/** What happens to a slot between passes. */
type Move = { readonly _tag: 'Keep' } | { readonly _tag: 'Copy' } | { readonly _tag: 'Gone' } | { readonly _tag: 'Change'; readonly to: readonly [object, object] }
const moveArb = (i: number): fc.Arbitrary<Move> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant<Move>({ _tag: 'Keep' }) },
    { weight: 1, arbitrary: fc.constant<Move>({ _tag: 'Copy' }) },
    { weight: 1, arbitrary: fc.constant<Move>({ _tag: 'Gone' }) },
    { weight: 2, arbitrary: versionArb(i).map((to): Move => ({ _tag: 'Change', to })) },
  )

const SLOTS = 5
const runArb = fc.tuple(
  fc.tuple(...Array.from({ length: SLOTS }, (_, i) => fc.option(versionArb(i), { nil: undefined }))),
  fc.array(fc.tuple(...Array.from({ length: SLOTS }, (_, i) => moveArb(i))), { minLength: 1, maxLength: 6 }),
  fc.subarray(['n1', 'n2']),
)

const step = (slot: readonly [object, object] | undefined, move: Move, i: number): readonly [object, object] | undefined => {
  switch (move._tag) {
    case 'Keep':
      return slot
    case 'Copy':
      return slot === undefined ? undefined : [structuredClone(slot[0]), structuredClone(slot[1])]
    case 'Gone':
      return undefined
    case 'Change':
      return move.to
    default:
      throw new Error(`slot ${i}: unknown move`)
  }
}

t.test('the memo changes no plan and no state, pass after pass', async (t) => {
  let passes = 0
  fc.assert(
    fc.property(runArb, ([first, moves, others]) => {
      const decoded = memoizedDecode()
      const nodes = [rawNode('n0'), ...others.map((n) => rawNode(n))]
      const alive = member('n0', ...others)
      let slots: readonly ((readonly [object, object]) | undefined)[] = first
      let plain = initialSpeakerState
      let memo = initialSpeakerState
      for (const pass of [undefined, ...moves]) {
        if (pass !== undefined) slots = slots.map((s, i) => step(s, pass[i] ?? { _tag: 'Keep' }, i))
        const objects = [...CONFIG, ...nodes, ...slots.flatMap((s) => (s === undefined ? [] : [...s]))] as { kind: string }[]
        const input = mkInput(objects, { membership: alive })
        const a = reconcileSpeaker(input, plain, ENV)
        const b = reconcileSpeaker({ ...input, snapshot: { ...input.snapshot, decoded } }, memo, ENV)
        t.strictSame(b.plan, a.plan)
        t.strictSame(b.state, a.state)
        if (!t.passing()) return false
        plain = a.state
        memo = b.state
        passes++
      }
      return true
    }),
    { numRuns: 150 },
  )
  t.comment(`${passes} passes compared`)
})

// The election memo changes no answer: a node's view with the memo of any earlier pass (of the same
// cluster with a node dead or deleted, of another cluster, or of another node) is its view without one;
// and the memo keeps only the key IPs of the pass that made it.
import t from 'tap'
import fc from 'fast-check'
import type { NodeEntry } from '../../../core/l2/decision.js'
import { type ElectionMemo, NO_ELECTIONS } from '../../../core/l2/electionMemo.js'
import { type L2Input, nodeAnnouncements, whatShouldNodeAnnounce } from '../../../core/l2/plan.js'
import type { NodeName } from '../../../core/model/names.js'
import { formatIP } from '../../../core/net/address.js'
import { clusterArb } from './arbitraries.js'

const RUNS = { numRuns: 300 }

/** A node's view as text (its IPs are bigints, which JSON cannot write). */
const show = (entries: readonly NodeEntry[]): string => entries.map((e) => `${e.service} ${e.ip === undefined ? '-' : formatIP(e.ip)} ${JSON.stringify(e.decision)}`).join('\n')

/** Every node a speaker could run on: the Nodes and the live names. */
const askers = (input: L2Input): NodeName[] => [...new Set([...input.nodes.map((n) => n.name), ...input.live])]

/** The same cluster one pass earlier: with `gone` alive or still a Node (so its contests differ now). */
const earlier = (input: L2Input, gone: NodeName | undefined, how: 'dead' | 'deleted'): L2Input =>
  gone === undefined ? input : how === 'dead' ? { ...input, live: new Set([...input.live, gone]) } : input

const laterOf = (input: L2Input, gone: NodeName | undefined, how: 'dead' | 'deleted'): L2Input =>
  gone === undefined ? input : how === 'dead' ? { ...input, live: new Set([...input.live].filter((n) => n !== gone)) } : { ...input, nodes: input.nodes.filter((n) => n.name !== gone) }

t.test('a memo from an earlier pass of the same cluster, a node lost since, changes no answer', async () => {
  fc.assert(
    fc.property(clusterArb, fc.nat(), fc.nat(), fc.constantFrom<'dead' | 'deleted'>('dead', 'deleted'), (input, pickMe, pickGone, how) => {
      const nodes = askers(input)
      const me = nodes[pickMe % Math.max(1, nodes.length)]
      if (me === undefined) return true
      const gone = input.nodes[pickGone % Math.max(1, input.nodes.length)]?.name
      const memo = nodeAnnouncements(me, earlier(input, gone, how), NO_ELECTIONS).elections
      const later = laterOf(input, gone, how)
      const back = nodeAnnouncements(me, input, nodeAnnouncements(me, later, memo).elections).entries
      return show(nodeAnnouncements(me, later, memo).entries) === show(whatShouldNodeAnnounce(me, later)) && show(back) === show(whatShouldNodeAnnounce(me, input))
    }),
    RUNS,
  )
})

t.test("a memo of another cluster's pass, or of another node's, changes no answer", async () => {
  fc.assert(
    fc.property(clusterArb, clusterArb, fc.nat(), fc.nat(), (a, b, pickMe, pickOther) => {
      const nodes = askers(b)
      const me = nodes[pickMe % Math.max(1, nodes.length)]
      const other = nodes[pickOther % Math.max(1, nodes.length)]
      if (me === undefined || other === undefined) return true
      const memos: ElectionMemo[] = [nodeAnnouncements(me, a, NO_ELECTIONS).elections, nodeAnnouncements(other, b, NO_ELECTIONS).elections]
      const want = show(whatShouldNodeAnnounce(me, b))
      return memos.every((m) => show(nodeAnnouncements(me, b, m).entries) === want)
    }),
    RUNS,
  )
})

t.test('the memo holds the key IPs of its own pass only', async () => {
  fc.assert(
    fc.property(clusterArb, clusterArb, fc.nat(), (a, b, pick) => {
      const nodes = askers(b)
      const me = nodes[pick % Math.max(1, nodes.length)]
      if (me === undefined) return true
      const memo = nodeAnnouncements(me, b, nodeAnnouncements(me, a, NO_ELECTIONS).elections).elections
      const contested = new Set(nodeAnnouncements(me, b, NO_ELECTIONS).entries.flatMap((e) => (e.decision._tag === 'Announce' || e.decision.reason === 'NotOwner' ? [e.service] : [])))
      const keys = new Set(b.services.filter((s) => contested.has(s.key)).flatMap((s) => (b.assigned.get(s.key) ?? []).slice(0, 1).map(formatIP)))
      return [...memo.keys()].every((ip) => keys.has(ip)) && memo.size === keys.size
    }),
    RUNS,
  )
})

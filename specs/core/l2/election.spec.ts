// MetalLB's election order: preference score, highest first, then sha256("<node>#<ip>") lowest
// first. The vectors are MetalLB's; the one-pass winner and the early-exit per-node answer must
// always agree with the full order.
import t from 'tap'
import fc from 'fast-check'
import { type Contest, electWinner, electionOrder, electionText, winsElection } from '../../../core/l2/election.js'
import type { NodeName } from '../../../core/model/names.js'
import { familyMax, unsafeIp } from '../../../core/net/address.js'
import { ip, nn } from './mk.js'

const contest = (names: readonly string[], scores: Record<string, number> = {}): Contest => ({
  candidates: names.map(nn),
  scores: new Map(Object.entries(scores).map(([k, v]) => [nn(k), v])),
})

t.test('MetalLB vectors', async (t) => {
  t.same(electionOrder(contest(['node-a', 'node-b', 'node-c']), ip('10.0.0.1')), ['node-b', 'node-a', 'node-c'])
  t.same(electionOrder(contest(['node-a', 'node-b', 'node-c']), ip('10.0.0.2')), ['node-b', 'node-c', 'node-a'])
  t.same(
    electionOrder(contest(['edge-a', 'edge-b', 'worker-a', 'worker-b'], { 'edge-a': 100 }), ip('10.20.30.1')),
    ['edge-a', 'edge-b', 'worker-a', 'worker-b'],
    'edge-a weighted 100 first, the rest by hash',
  )
  t.same(
    electionOrder(contest(['edge-a', 'edge-b', 'worker-a', 'worker-b']), ip('10.20.30.1')),
    ['edge-b', 'worker-a', 'edge-a', 'worker-b'],
    'without the weight edge-a is third: the preference is what moves it',
  )
})

t.test('the text hashed is "<node>#<ip>" with Go\'s IP text', async (t) => {
  t.equal(electionText(nn('node-a'), '10.0.0.1'), 'node-a#10.0.0.1')
  // RFC 5952 like Go's net.IP.String(): lower case, longest zero run compressed, no leading zeros.
  const order6 = electionOrder(contest(['node-a', 'node-b', 'node-c']), ip('FD00:0:0:0:0:0:0:0001'))
  t.same(order6, electionOrder(contest(['node-a', 'node-b', 'node-c']), ip('fd00::1')), 'any spelling of an address elects alike')
})

t.test('cumulative and tiered weights (MetalLB design examples)', async (t) => {
  const nodes = ['x', 'y', 'z']
  t.same(electionOrder(contest(nodes, { x: 100, y: 70 }), ip('10.0.0.9')), ['x', 'y', 'z'])
  t.same(electionOrder(contest(nodes, { z: 110, x: 100 }), ip('10.0.0.9'))[0], 'z', '60 + 50 beats a single 100')
})

t.test('no candidate, no winner', async (t) => {
  t.equal(electWinner(contest([]), ip('10.0.0.1')), undefined)
})

const NAMES = ['node-a', 'node-b', 'node-c', 'edge-a', 'edge-b', 'worker-1', 'worker-2', 'w3', 'ñode']
const contestArb = fc
  .uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: NAMES.length })
  .chain((names) =>
    fc.record({
      names: fc.shuffledSubarray(names, { minLength: names.length, maxLength: names.length }),
      scores: fc.dictionary(fc.constantFrom(...names), fc.constantFrom(0, 1, 50, 100)),
      ip: fc.oneof(
        fc.bigInt({ min: 0n, max: familyMax(4) }).map((v) => unsafeIp(4, v)),
        fc.bigInt({ min: 0n, max: familyMax(6) }).map((v) => unsafeIp(6, v)),
      ),
    }),
  )

t.test('the one-pass winner is the head of the full order', async () => {
  fc.assert(
    fc.property(contestArb, ({ names, scores, ip }) => electWinner(contest(names, scores), ip) === electionOrder(contest(names, scores), ip)[0]),
  )
})

t.test('a node wins exactly when it heads the order', async () => {
  fc.assert(
    fc.property(contestArb, ({ names, scores, ip }) => {
      const head = electionOrder(contest(names, scores), ip)[0]
      return names.every((n) => winsElection(contest(names, scores), ip, nn(n)) === (n === head))
    }),
  )
})

t.test('the order does not depend on the order of the candidates', async () => {
  fc.assert(
    fc.property(contestArb, fc.integer(), ({ names, scores, ip }, seed) => {
      const rotated = [...names.slice(seed % names.length), ...names.slice(0, seed % names.length)]
      const a: NodeName[] = electionOrder(contest(names, scores), ip)
      return JSON.stringify(a) === JSON.stringify(electionOrder(contest(rotated, scores), ip))
    }),
  )
})

t.test('removing a node that is not the winner never changes the winner', async () => {
  fc.assert(
    fc.property(contestArb, fc.nat(), ({ names, scores, ip }, pick) => {
      const winner = electWinner(contest(names, scores), ip)
      const gone = names[pick % names.length]
      fc.pre(gone !== winner)
      return electWinner(contest(names.filter((n) => n !== gone), scores), ip) === winner
    }),
  )
})

import t from 'tap'
import fc from 'fast-check'
import { type Broadcasts, emptyBroadcasts, enqueue, forget, pendingCount, take } from '../../../core/membership/broadcasts.js'
import { updateLength } from '../../../core/membership/codec.js'
import type { Incarnation } from '../../../core/membership/member.js'
import type { Update } from '../../../core/membership/message.js'
import type { NodeName } from '../../../core/model/names.js'
import { updateArb } from './support/arbitraries.js'

const N = (s: string): NodeName => s as NodeName
const u = (status: Update['status'], name: string, inc: number, by?: string): Update =>
  by === undefined ? { status, name: N(name), incarnation: inc as Incarnation } : { status, name: N(name), incarnation: inc as Incarnation, by: N(by) }
const fill = (...us: Update[]): Broadcasts => us.reduce(enqueue, emptyBroadcasts)

t.test('newer news about a member replaces older; distinct suspectors are kept side by side', async (t) => {
  t.equal(pendingCount(fill(u('Alive', 'a', 1), u('Dead', 'a', 1))), 1, 'Dead replaces Alive')
  t.equal(pendingCount(fill(u('Suspect', 'a', 1, 'x'), u('Suspect', 'a', 1, 'y'))), 2, 'two suspectors')
  t.equal(pendingCount(fill(u('Suspect', 'a', 1, 'x'), u('Suspect', 'a', 1, 'x'))), 1, 'same suspector once')
  t.equal(pendingCount(fill(u('Suspect', 'a', 1, 'x'), u('Suspect', 'a', 1, 'y'), u('Alive', 'a', 2))), 1, 'refutation clears them')
  t.equal(pendingCount(forget(fill(u('Alive', 'a', 1), u('Alive', 'b', 1)), N('a'))), 1, 'forget')
  const [, first] = take(fill(u('Alive', 'a', 1), u('Alive', 'b', 1)), 1000, 5)
  t.same(first.map((x) => x.name), ['b', 'a'], 'newest first among equally-sent')
})

t.test('take respects the byte budget and the retransmit limit', async (t) => {
  fc.assert(
    fc.property(fc.array(updateArb, { maxLength: 40 }), fc.integer({ min: 0, max: 600 }), fc.integer({ min: 1, max: 5 }), (us, budget, limit) => {
      let q = us.reduce(enqueue, emptyBroadcasts)
      const sent = new Map<Update, number>()
      for (let round = 0; round < limit + 2; round++) {
        const [q2, got] = take(q, budget, limit)
        if (got.reduce((n, x) => n + updateLength(x), 0) > budget) return false
        for (const x of got) sent.set(x, (sent.get(x) ?? 0) + 1)
        q = q2
      }
      return [...sent.values()].every((n) => n <= limit)
    }),
  )
  t.pass('bounded')
})

t.test('least-sent first: with room for one, updates take turns', async (t) => {
  let q = fill(u('Alive', 'a', 1), u('Alive', 'b', 1), u('Alive', 'c', 1))
  const order: string[] = []
  for (let i = 0; i < 6; i++) {
    const [q2, got] = take(q, updateLength(u('Alive', 'a', 1)), 2)
    order.push(...got.map((x) => x.name))
    q = q2
  }
  t.same(order, ['c', 'b', 'a', 'c', 'b', 'a'])
  t.equal(pendingCount(q), 0, 'all sent twice, then dropped')
})

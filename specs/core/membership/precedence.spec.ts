import t from 'tap'
import fc from 'fast-check'
import type { Incarnation } from '../../../core/membership/member.js'
import type { Status } from '../../../core/membership/message.js'
import { type Belief, judge } from '../../../core/membership/precedence.js'
import { statusArb } from './support/arbitraries.js'

const b = (status: Status, incarnation: number): Belief => ({ status, incarnation: incarnation as Incarnation })

t.test('examples (SWIM section 4.2)', async (t) => {
  const rows: ReadonlyArray<{ desc: string; held: Belief; update: Belief; want: string }> = [
    { desc: 'Alive newer replaces Alive', held: b('Alive', 1), update: b('Alive', 2), want: 'Replace' },
    { desc: 'Alive same is old news', held: b('Alive', 1), update: b('Alive', 1), want: 'Ignore' },
    { desc: 'Suspect same beats Alive', held: b('Alive', 1), update: b('Suspect', 1), want: 'Replace' },
    { desc: 'Suspect older loses to Alive', held: b('Alive', 2), update: b('Suspect', 1), want: 'Ignore' },
    { desc: 'second Suspect of the same incarnation confirms', held: b('Suspect', 3), update: b('Suspect', 3), want: 'Confirm' },
    { desc: 'refutation: Alive newer clears Suspect', held: b('Suspect', 3), update: b('Alive', 4), want: 'Replace' },
    { desc: 'Alive same does not clear Suspect', held: b('Suspect', 3), update: b('Alive', 3), want: 'Ignore' },
    { desc: 'Dead same beats Suspect', held: b('Suspect', 3), update: b('Dead', 3), want: 'Replace' },
    { desc: 'Suspect cannot revive Dead', held: b('Dead', 3), update: b('Suspect', 9), want: 'Ignore' },
    { desc: 'Alive newer revives Dead', held: b('Dead', 3), update: b('Alive', 4), want: 'Replace' },
    { desc: 'Alive same does not revive Dead', held: b('Dead', 3), update: b('Alive', 3), want: 'Ignore' },
    { desc: 'Left same beats Alive', held: b('Alive', 3), update: b('Left', 3), want: 'Replace' },
    { desc: 'Dead same does not replace Left', held: b('Left', 3), update: b('Dead', 3), want: 'Ignore' },
  ]
  for (const row of rows) t.equal(judge(row.held, row.update)._tag, row.want, row.desc)
})

const rank = (s: Status): number => (s === 'Alive' ? 0 : s === 'Suspect' ? 1 : 2)
const beliefArb = fc.record({ status: statusArb, incarnation: fc.integer({ min: 0, max: 5 }) }).map((x) => b(x.status, x.incarnation))

t.test('properties', async (t) => {
  fc.assert(
    fc.property(beliefArb, beliefArb, (held, update) => {
      const v = judge(held, update)._tag
      // Only ever moves to a strictly greater (incarnation, rank), never back.
      if (v === 'Replace' && !(update.incarnation > held.incarnation || (update.incarnation === held.incarnation && rank(update.status) > rank(held.status)))) return false
      // Only the member itself (a higher incarnation, Alive) brings back one believed gone.
      if (v === 'Replace' && rank(held.status) === 2 && !(update.incarnation > held.incarnation)) return false
      // A belief never replaces itself.
      return judge(held, held)._tag !== 'Replace'
    }),
  )
  t.pass('monotone')
})

// Which of two beliefs about a member wins (SWIM section 4.2, as memberlist applies it). The higher
// incarnation wins; at equal incarnation, Suspect beats Alive and Dead/Left beat both, so only the
// member itself can clear a suspicion, by raising its incarnation. A member believed Dead or Left
// comes back only with a higher incarnation and Alive: a suspicion alone cannot revive it.
import { absurd } from '../fp/absurd.js'
import type { Incarnation } from './member.js'
import type { Status } from './message.js'

export interface Belief {
  readonly status: Status
  readonly incarnation: Incarnation
}

type Verdict =
  /** The update is old news. */
  | { readonly _tag: 'Ignore' }
  /** The update supersedes what we hold. */
  | { readonly _tag: 'Replace' }
  /** Another member's suspicion of the same incarnation we already suspect: a confirmation. */
  | { readonly _tag: 'Confirm' }

const IGNORE: Verdict = { _tag: 'Ignore' }
const REPLACE: Verdict = { _tag: 'Replace' }
const CONFIRM: Verdict = { _tag: 'Confirm' }

const gone = (s: Status): boolean => s === 'Dead' || s === 'Left'

export const judge = (held: Belief, update: Belief): Verdict => {
  const newer = update.incarnation > held.incarnation
  const same = update.incarnation === held.incarnation
  switch (update.status) {
    case 'Alive':
      return newer ? REPLACE : IGNORE
    case 'Suspect':
      if (held.status === 'Alive') return newer || same ? REPLACE : IGNORE
      if (held.status === 'Suspect') return newer ? REPLACE : same ? CONFIRM : IGNORE
      return IGNORE
    case 'Dead':
    case 'Left':
      if (gone(held.status)) return newer ? REPLACE : IGNORE
      return newer || same ? REPLACE : IGNORE
    default:
      return absurd(update.status)
  }
}

// Each BGP session of this speaker, as a condition on its ConfigurationState (`speaker-<node>`):
// MetalLB v0.16's objects have no per-(node, peer) session kind, and its ConfigurationState already
// carries a condition list, so `kubectl get configurationstate speaker-<node> -o yaml` shows every
// session without a new CRD. One condition per peer, type `bgp-session.ironlb.io/<peer>`: True while
// Established, else False with the FSM state as reason; lastTransitionTime moves only when status does.
import type { BfdState } from '../bfd/packet.js'
import type { Condition } from '../model/serviceShown.js'

export const SESSION_CONDITION_PREFIX = 'bgp-session.ironlb.io/'

/** What the shell knows of one running session. */
export interface SessionReport {
  /** The BGPPeer's name. */
  readonly peer: string
  /** The address dialled (or being looked for, when unnumbered). */
  readonly remote: string
  /** The BGP FSM state (RFC 4271 §8.2.2), or Discovering while an unnumbered peer's router is looked for. */
  readonly state: string
  /** The peer's BFD session, when its BGPPeer names a profile. */
  readonly bfd?: BfdState
  /** Why the session last left Established, if it did. */
  readonly lastDown?: string
}

const messageOf = (r: SessionReport): string =>
  [`peer ${r.remote}`, `BGP ${r.state}`, ...(r.bfd === undefined ? [] : [`BFD ${r.bfd}`]), ...(r.lastDown === undefined ? [] : [`last down: ${r.lastDown}`])].join(', ')

/** The conditions to publish, sorted by type; `previous` keeps each unchanged status's transition time. */
export const sessionConditions = (reports: readonly SessionReport[], previous: readonly Condition[], now: string): Condition[] => {
  const before = new Map(previous.map((c) => [c.type, c]))
  return reports
    .map((r): Condition => {
      const type = `${SESSION_CONDITION_PREFIX}${r.peer}`
      const status = r.state === 'Established' ? 'True' : 'False'
      const was = before.get(type)
      return { type, status, reason: r.state, message: messageOf(r), lastTransitionTime: was?.status === status ? was.lastTransitionTime : now }
    })
    .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))
}

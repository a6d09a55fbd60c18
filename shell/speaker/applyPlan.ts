// Applies one speaker plan (core/speaker/reconcile.ts), in the order the speaker always acted:
// the failure detector first, then the config's metrics and ConfigurationState, then the responders
// (with the log lines and metrics of what moved), the ServiceL2Status writes, and the reasons for
// what is not announced (a line per changed reason, the gauge every pass), Layer 2's then BGP's,
// and last the BGP sessions and their routes (bgpApplier.ts).
import { describeBgpSkip } from '../../core/bgp/advertiseReason.js'
import { describeSkip } from '../../core/l2/decision.js'
import { absurd } from '../../core/fp/absurd.js'
import type { Mac } from '../../core/packet/mac.js'
import type { LinkFacts } from '../../core/speaker/interfaceFilter.js'
import type { BgpPassPlan } from '../../core/speaker/bgpPass.js'
import type { BgpStatusWrite } from '../../core/speaker/bgpStatusWrites.js'
import type { L2StatusWrite } from '../../core/speaker/l2StatusWrites.js'
import type { ConfigReport, L2ResponderPlan, Layer2Plan, SpeakerPlan } from '../../core/speaker/speakerPlan.js'
import type { ConfigError } from '../../core/model/config.js'
import type { PassOutcome } from '../loop/reconcileLoop.js'
import type { Logger } from '../obs/log.js'
import type { BgpApplier } from './bgpApplier.js'
import type { L2Responder } from './l2Responder.js'
import type { MembershipApplier } from './membershipApplier.js'
import type { SpeakerMetrics } from './metrics.js'

type UsableLinks = ReadonlyMap<string, LinkFacts & { readonly mac: Mac }>

interface SpeakerAppliers {
  readonly log: Logger
  readonly metrics: SpeakerMetrics
  readonly responder: L2Responder
  readonly membership: MembershipApplier
  /** The BGP sessions; specs of Layer 2 alone leave it out. */
  readonly bgp?: BgpApplier
  readonly publishStatus: (writes: readonly L2StatusWrite[]) => void
  readonly publishBgpStatus?: (writes: readonly BgpStatusWrite[]) => void
  readonly publishConfigState: (errors: readonly ConfigError[]) => Promise<void>
  readonly now: () => number
}

const applyConfig = (c: ConfigReport, a: SpeakerAppliers): void => {
  a.metrics.configLoaded.set(c.loaded ? 1 : 0)
  a.metrics.configStale.set(c.stale ? 1 : 0)
  void a.publishConfigState(c.errors)
}

const applyResponder = async (r: L2ResponderPlan, usable: UsableLinks, a: SpeakerAppliers): Promise<void> => {
  switch (r._tag) {
    case 'Hold':
      return
    case 'Withdraw':
      await a.responder.apply(new Map(), usable)
      if (r.released.length > 0) a.log.info('stopped-announcing', { ips: r.released, reason: 'l2-unable' })
      a.metrics.setAnnounced([])
      return
    case 'Announce':
      // The responder sends a gratuitous burst for every IP a port newly holds.
      await a.responder.apply(r.interfaces, usable)
      if (r.taken.length > 0) {
        // One observation per takeover pass, measured up to now that the responders hold the IPs.
        if (r.failoverSince !== undefined) a.metrics.failover.observe((a.now() - r.failoverSince) / 1000)
        a.log.info('announcing', { ips: r.taken })
      }
      if (r.released.length > 0) a.log.info('stopped-announcing', { ips: r.released })
      if (r.returned.length > 0) {
        a.responder.reassert(r.reassert)
        a.log.info('members-returned', { members: r.returned })
      }
      a.metrics.setAnnounced(r.announced)
      return
    default:
      return absurd(r)
  }
}

const applyLayer2 = async (l2: Layer2Plan, usable: UsableLinks, a: SpeakerAppliers): Promise<void> => {
  await applyResponder(l2.responder, usable, a)
  if (l2.statuses._tag === 'Write') a.publishStatus(l2.statuses.writes)
  if (l2.reasons === undefined) return
  for (const n of l2.reasons.changed) a.log.info('not-announcing', { service: n.service, ip: n.ip, reason: n.reason, detail: describeSkip(n.reason) })
  a.metrics.setNotAnnounced('layer2', l2.reasons.counts)
}

/** BGP: the reasons, then the sessions and their routes. Undecided (undefined): the sessions run on as they are. */
const applyBgp = async (bgp: BgpPassPlan | undefined, a: SpeakerAppliers): Promise<void> => {
  if (bgp === undefined) return
  for (const n of bgp.changed)
    a.log.info('not-announcing', { protocol: 'bgp', service: n.service, ip: n.ip, peer: n.peer, reason: n.reason, detail: describeBgpSkip(n.reason) })
  a.metrics.setNotAnnounced('bgp', bgp.counts)
  await a.bgp?.apply(bgp)
  if (bgp.statuses !== undefined) a.publishBgpStatus?.(bgp.statuses)
}

/** `usable`: the interfaces the plan was made for. After a join the pass looks again, with a live set. */
export const applySpeakerPlan = async (plan: SpeakerPlan, usable: UsableLinks, a: SpeakerAppliers): Promise<PassOutcome> => {
  await a.membership.apply(plan.membership)
  if (plan.config !== undefined) applyConfig(plan.config, a)
  if (plan.membersAlive !== undefined) a.metrics.members.set(plan.membersAlive)
  await applyLayer2(plan.protocols.layer2, usable, a)
  await applyBgp(plan.protocols.bgp, a)
  return plan.membership._tag === 'Join' ? { _tag: 'Again', afterMs: 0, why: 'joined the failure detector' } : { _tag: 'Done' }
}

// Applies the core's membership plan to the failure detector (shell/membership): join with the
// universe, hand a new universe over, or leave. Also keeps, from the detector's events, when each
// member was first suspected or declared gone (the failover histogram's start), and logs them.
import type { MembershipPlan, MembershipView } from '../../core/speaker/membershipPlan.js'
import { absurd } from '../../core/fp/absurd.js'
import { pacedConfig } from '../../core/membership/config.js'
import { type MembershipHandle, startMembership } from '../membership/membership.js'
import type { MembershipEvent, MembershipOptions } from '../membership/options.js'
import type { Logger } from '../obs/log.js'

interface MembershipDeps {
  readonly log: Logger
  readonly node: string
  readonly membershipKey: Uint8Array
  readonly membershipKeyFile?: string
  readonly membershipKeyGraceMs?: number
  readonly memberlistBind: string
  readonly memberlistPort: number
  readonly memberlistAdvertise?: string | undefined
  /** Where the detector runs (membership.ts); the worker thread by default. */
  readonly membershipThread?: 'main' | 'worker'
  /** The detector's probe period (options.ts parseProbeInterval), its timeouts paced with it; the core's default when absent. */
  readonly membershipProbeIntervalMs?: number
  readonly now: () => number
  readonly kick: () => void
}

export interface MembershipApplier {
  readonly view: () => MembershipView
  readonly goneSince: () => ReadonlyMap<string, number>
  readonly apply: (plan: MembershipPlan) => Promise<void>
  /** Graceful: tell the others first, so they take the IPs over at once. */
  readonly stop: (graceful: boolean) => Promise<void>
}

const onEvent = (deps: MembershipDeps, goneSince: Map<string, number>, e: MembershipEvent): void => {
  if (e.event === 'member') {
    if (e.status === 'Alive') goneSince.delete(e.node)
    else if (!goneSince.has(e.node)) goneSince.set(e.node, deps.now())
    deps.log.info('member-changed', { member: e.node, status: e.status, reason: e.reason })
  } else if (e.event === 'fatal') deps.log.error('membership-failed', { error: e.error })
  else if (e.event === 'key') {
    if (e.change === 'rotated' || e.change === 'previous-retired') deps.log.info('membership-key', { change: e.change, detail: e.detail })
    else deps.log.warn('membership-key', { change: e.change, detail: e.detail })
  }
}

export const optionsOf = (deps: MembershipDeps, members: MembershipOptions['members'], goneSince: Map<string, number>): MembershipOptions => ({
  self: deps.node,
  bindAddress: deps.memberlistBind,
  port: deps.memberlistPort,
  ...(deps.memberlistAdvertise === undefined ? {} : { advertiseHost: deps.memberlistAdvertise }),
  key: deps.membershipKey,
  ...(deps.membershipKeyFile === undefined ? {} : { keyFile: deps.membershipKeyFile }),
  ...(deps.membershipKeyGraceMs === undefined ? {} : { keyGraceMs: deps.membershipKeyGraceMs }),
  ...(deps.membershipThread === undefined ? {} : { thread: deps.membershipThread }),
  ...(deps.membershipProbeIntervalMs === undefined ? {} : { config: pacedConfig(deps.membershipProbeIntervalMs) }),
  members,
  onChange: () => deps.kick(),
  onEvent: (e) => onEvent(deps, goneSince, e),
})

export const membershipApplier = (deps: MembershipDeps): MembershipApplier => {
  let handle: MembershipHandle | undefined
  const goneSince = new Map<string, number>()
  const apply = async (plan: MembershipPlan): Promise<void> => {
    switch (plan._tag) {
      case 'Keep':
        return
      case 'Join':
        handle = await startMembership(optionsOf(deps, plan.members, goneSince))
        deps.log.info('membership-started', { port: handle.port, members: plan.members.length })
        return
      case 'SetMembers':
        return handle?.setMembers(plan.members)
      case 'Leave': {
        const leaving = handle
        handle = undefined
        await leaving?.leave()
        deps.log.info('membership-left', { reason: 'l2-unable' })
        return
      }
      default:
        return absurd(plan)
    }
  }
  return {
    view: () => (handle === undefined ? { _tag: 'Out' } : { _tag: 'In', alive: handle.alive() }),
    goneSince: () => goneSince,
    apply,
    stop: async (graceful) => {
      if (handle !== undefined) await (graceful ? handle.leave() : handle.stop())
    },
  }
}

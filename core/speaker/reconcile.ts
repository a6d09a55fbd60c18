// The speaker's whole decision for one pass, as one pure function: from the caches' objects, the
// node's interfaces and readiness, the failure detector's live set and what the last pass left, to
// everything the shell does (join or leave the detector, what the responders hold, ServiceL2Status
// writes, the reason for every IP not announced here, metrics, the BGP sessions and routes). Layer
// 2's checks keep the order the speaker always kept: unable to answer -> withdraw; caches not
// filled -> wait; not a member yet -> join; no valid config yet -> wait; else the election (core/l2)
// decides. BGP (bgpPass.ts) needs only synced caches and a valid config: Layer 2's gates do not
// hold it, and every eligible node advertises (no election).
import { clusterObjectsOf, decodeClusterObject } from '../cluster/decodeCluster.js'
import { buildConfig } from '../config/buildConfig.js'
import { assignedFromIngress } from '../l2/assigned.js'
import { nodeAnnouncements } from '../l2/plan.js'
import { asNodeName } from '../model/names.js'
import type { Config } from '../model/config.js'
import { type BgpPassPlan, decideBgp } from './bgpPass.js'
import { failoverSince } from './failover.js'
import { l2Announce } from './l2Announce.js'
import { decodeL2Statuses } from './l2StatusCodec.js'
import { l2StatusWrites } from './l2StatusWrites.js'
import { memberUniverse } from './memberUniverse.js'
import { leaveMembership, type MembershipPlan, planMembership } from './membershipPlan.js'
import { NOT_ANNOUNCED_REASONS, changedReasons, countReasons, notAnnouncedOf } from './notAnnounced.js'
import type { ConfigReport, L2HoldReason, SpeakerEnv, SpeakerInput, SpeakerSnapshot, SpeakerState, SpeakerStep } from './speakerPlan.js'

const KEEP: MembershipPlan = { _tag: 'Keep' }

const hold = (state: SpeakerState, why: L2HoldReason, membership: MembershipPlan, bgp: BgpPassPlan | undefined, config?: ConfigReport): SpeakerStep => ({
  state,
  plan: {
    membership,
    config,
    membersAlive: undefined,
    protocols: { layer2: { responder: { _tag: 'Hold', why }, statuses: { _tag: 'Keep' }, reasons: undefined }, bgp },
  },
})

/** Unable to answer: out of the detector, nothing announced, no status naming this node, no reasons kept (the config still reported). */
const withdraw = (input: SpeakerInput, prior: SpeakerState, bgp: BgpPassPlan | undefined, config: ConfigReport | undefined): SpeakerStep => ({
  state: { ...prior, universe: undefined, announced: new Set(), alive: new Set(), reasons: new Map() },
  plan: {
    membership: leaveMembership(input.membership),
    config,
    membersAlive: undefined,
    protocols: {
      layer2: {
        responder: { _tag: 'Withdraw', released: [...prior.announced] },
        statuses: input.snapshot.synced ? { _tag: 'Write', writes: l2StatusWrites([], decodeL2Statuses(input.snapshot.l2Statuses)) } : { _tag: 'Keep' },
        reasons: { changed: [], counts: new Map(NOT_ANNOUNCED_REASONS.map((r) => [r, 0])) },
      },
      bgp,
    },
  },
})

/** The config this pass runs on: the latest when valid, else the last valid one (a typo withdraws nothing). */
const configOf = (snapshot: SpeakerSnapshot, prior: SpeakerState, env: SpeakerEnv): { readonly lastValid: Config | undefined; readonly report: ConfigReport } => {
  const latest = buildConfig(snapshot.configObjects, { namespace: env.namespace, ...(snapshot.secrets === undefined ? {} : { secrets: snapshot.secrets }) })
  const lastValid = latest._tag === 'Valid' ? latest.config : prior.lastValid
  return { lastValid, report: { loaded: lastValid !== undefined, stale: latest._tag === 'Invalid', errors: latest._tag === 'Valid' ? [] : latest.errors } }
}

export const reconcileSpeaker = (input: SpeakerInput, prior: SpeakerState, env: SpeakerEnv): SpeakerStep => {
  const { snapshot } = input
  const { lastValid, report: config } = snapshot.synced ? configOf(snapshot, prior, env) : { lastValid: prior.lastValid, report: undefined }
  const decode = snapshot.decoded ?? decodeClusterObject
  const cluster = clusterObjectsOf(lastValid === undefined || !snapshot.synced ? [] : [...snapshot.services, ...snapshot.nodes, ...snapshot.endpointSlices].map(decode))
  const assigned = assignedFromIngress(cluster.services)
  const decided =
    lastValid === undefined || !snapshot.synced
      ? undefined
      : decideBgp({ ...env, config: lastValid, cluster, assigned, rawNodes: snapshot.nodes, secrets: snapshot.secrets, bgpStatuses: snapshot.bgpStatuses, decodeBgpStatus: snapshot.decodedBgpStatus }, prior)
  const bgp = decided?.plan
  // Layer 2's gates hold only Layer 2; what BGP decided is remembered whichever way the pass goes.
  const prior2: SpeakerState = decided === undefined ? prior : { ...prior, ...decided.memory, lastValid }
  // The config's health is reported whatever Layer 2 can do: a BGP-only node has a ConfigurationState too.
  if (input.readiness._tag === 'Unable') return withdraw(input, prior2, bgp, config)
  if (!snapshot.synced) return hold(prior2, 'NotSynced', KEEP, bgp)
  const universe = memberUniverse(snapshot.nodes)
  const membership = planMembership(input.membership, universe, prior.universe)
  if (input.membership._tag === 'Out') return hold({ ...prior2, universe }, 'Joining', membership, bgp, config)
  if (lastValid === undefined) return hold({ ...prior2, universe }, 'NoValidConfig', membership, bgp, config)

  const alive = input.membership.alive
  const { entries, elections } = nodeAnnouncements(
    asNodeName(env.node),
    {
      config: lastValid,
      services: cluster.services,
      assigned,
      nodes: cluster.nodes,
      endpointSlices: cluster.endpointSlices,
      live: new Set([...alive].map(asNodeName)),
      loadBalancerClass: env.loadBalancerClass,
    },
    prior.elections,
  )
  const announce = l2Announce(entries, input.interfaces, alive, env.node, prior)
  const reasons = notAnnouncedOf(entries)
  return {
    state: { ...prior2, lastValid, universe, announced: new Set(announce.announced.map((a) => a.ip)), alive, reasons, elections },
    plan: {
      membership,
      config,
      membersAlive: alive.size,
      protocols: {
        layer2: {
          responder: { ...announce, failoverSince: failoverSince(announce.taken, input.goneSince, env.now) },
          statuses: { _tag: 'Write', writes: l2StatusWrites(announce.statuses, decodeL2Statuses(snapshot.l2Statuses)) },
          reasons: { changed: changedReasons(prior.reasons, reasons), counts: countReasons(reasons) },
        },
        bgp,
      },
    },
  }
}

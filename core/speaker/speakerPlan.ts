// The speaker's reconcile in types: what one pass reads (the caches' objects, the node's own facts),
// what it remembers between passes, and what it asks the shell to do. reconcile.ts decides; the
// shell (shell/speaker/) only gathers the input and applies the plan.
import type { DecodedObject } from '../cluster/decodeCluster.js'
import type { NodeSkipReason } from '../l2/decision.js'
import { type ElectionMemo, NO_ELECTIONS } from '../l2/electionMemo.js'
import type { Config, ConfigError } from '../model/config.js'
import type { BgpMemory, BgpPassPlan } from './bgpPass.js'
import type { BgpStatusObject } from './bgpStatusWrites.js'
import type { L2Announce } from './l2Announce.js'
import type { L2Readiness } from './l2Readiness.js'
import type { L2StatusWrite } from './l2StatusWrites.js'
import type { MemberAddress } from './memberUniverse.js'
import type { MembershipPlan, MembershipView } from './membershipPlan.js'
import type { NotAnnounced, NotAnnouncedMap } from './notAnnounced.js'

/** The API objects, as the caches hold them; decoded here, in the core. */
export interface SpeakerSnapshot {
  /** Every cache but the Secrets has listed once. Until then nothing is decided from them. */
  readonly synced: boolean
  /** IPAddressPools, L2Advertisements and the other MetalLB kinds of the speaker's namespace. */
  readonly configObjects: readonly unknown[]
  readonly services: readonly unknown[]
  readonly nodes: readonly unknown[]
  readonly endpointSlices: readonly unknown[]
  /** The ServiceL2Status objects labelled with this node. */
  readonly l2Statuses: readonly unknown[]
  /** The basic-auth Secrets of the speaker's namespace (BGPPeer passwordSecret); unset until that cache
   * has listed, which gates only the peers naming a passwordSecret (a Role without the secrets grant
   * must not stop Layer 2 or the other peers), and the config's passwordSecret check is skipped. */
  readonly secrets?: readonly unknown[]
  /** The ServiceBGPStatus objects labelled with this node; unset: not watched, none written. */
  readonly bgpStatuses?: readonly unknown[]
  /** decodeClusterObject kept per object reference (shell/speaker/caches.ts): a cache hands out one
   * reference until the object changes, so a pass decodes only what changed. It must answer exactly as
   * decodeClusterObject would; unset: every object is decoded afresh. */
  readonly decoded?: (raw: unknown) => DecodedObject
  /** decodeBgpStatus kept per object reference likewise (at 10,000 Services, decoding every status
   * every pass was an eighth of what a pass allocated); unset: decoded afresh. */
  readonly decodedBgpStatus?: (raw: unknown) => BgpStatusObject | undefined
}

export interface SpeakerInput {
  readonly snapshot: SpeakerSnapshot
  /** Whether this process can answer ARP/NDP at all (the latest probe). */
  readonly readiness: L2Readiness
  /** The usable interfaces' names, in name order (core/speaker/interfaceFilter.ts). */
  readonly interfaces: readonly string[]
  readonly membership: MembershipView
  /** When each member was first suspected or declared gone, since it was last alive. */
  readonly goneSince: ReadonlyMap<string, number>
}

export interface SpeakerEnv {
  readonly node: string
  readonly namespace: string
  /** The speaker's `--lb-class`; undefined handles only Services without a class. */
  readonly loadBalancerClass: string | undefined
  /** Milliseconds since the epoch. */
  readonly now: number
}

export interface SpeakerState extends BgpMemory {
  /** A typo must not withdraw anyone's IP: while the latest config is invalid the last valid one runs. */
  readonly lastValid: Config | undefined
  /** The universe last handed to the failure detector; undefined while out of it. */
  readonly universe: readonly MemberAddress[] | undefined
  readonly announced: ReadonlySet<string>
  readonly alive: ReadonlySet<string>
  readonly reasons: NotAnnouncedMap
  /** This node's election outcomes of the last pass that elected (electionMemo.ts). */
  readonly elections: ElectionMemo
}

export const initialSpeakerState: SpeakerState = {
  lastValid: undefined,
  universe: undefined,
  announced: new Set(),
  alive: new Set(),
  reasons: new Map(),
  elections: NO_ELECTIONS,
  bgpReasons: new Map(),
  bgpSessions: new Map(),
  bgpRefused: new Map(),
}

export type L2HoldReason =
  /** Some cache has not listed yet. */
  | 'NotSynced'
  /** Joining the failure detector: the next pass has a live set. */
  | 'Joining'
  /** No valid configuration seen yet. */
  | 'NoValidConfig'

export type L2ResponderPlan =
  /** Leave the responders as they are. */
  | { readonly _tag: 'Hold'; readonly why: L2HoldReason }
  /** Unable to answer ARP/NDP: announce nothing at all. */
  | { readonly _tag: 'Withdraw'; readonly released: readonly string[] }
  /** `failoverSince`: where ironlb_layer2_failover_seconds is measured from, when this pass takes IPs over. */
  | (L2Announce & { readonly failoverSince: number | undefined })

type L2StatusPlan = { readonly _tag: 'Keep' } | { readonly _tag: 'Write'; readonly writes: readonly L2StatusWrite[] }

interface ReasonReport {
  /** IPs whose reason is new or changed since the last pass: one log line each. */
  readonly changed: readonly NotAnnounced[]
  /** IPs per reason, every reason present (the gauge). */
  readonly counts: ReadonlyMap<NodeSkipReason, number>
}

export interface Layer2Plan {
  readonly responder: L2ResponderPlan
  readonly statuses: L2StatusPlan
  /** Undefined: unchanged since the last pass. */
  readonly reasons: ReasonReport | undefined
}

export interface ConfigReport {
  /** A valid config has been seen (metallb_k8s_client_config_loaded_bool). */
  readonly loaded: boolean
  /** The latest config is invalid (metallb_k8s_client_config_stale_bool); `errors` say why. */
  readonly stale: boolean
  readonly errors: readonly ConfigError[]
}

export interface SpeakerPlan {
  readonly membership: MembershipPlan
  /** Undefined when this pass did not get as far as the config. */
  readonly config: ConfigReport | undefined
  readonly membersAlive: number | undefined
  /**
   * One part per protocol, each with its own reasons, decided from the same input. `bgp` is
   * undefined when the pass did not decide BGP (caches not synced, or no valid config yet): the
   * shell then leaves what it had. Layer 2's gates (readiness, joining the detector) do not hold it.
   */
  readonly protocols: { readonly layer2: Layer2Plan; readonly bgp: BgpPassPlan | undefined }
}

export interface SpeakerStep {
  readonly state: SpeakerState
  readonly plan: SpeakerPlan
}

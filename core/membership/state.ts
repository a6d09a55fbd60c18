// What one speaker knows about the others, the events that drive it and the actions it asks the
// shell to carry out. The step function (step.ts) is the only thing that makes a new State.
import type { NodeName } from '../model/names.js'
import type { Broadcasts } from './broadcasts.js'
import { emptyBroadcasts } from './broadcasts.js'
import type { MembershipConfig } from './config.js'
import { type Endpoint, type Incarnation, type Member, type ProbeId, incarnation } from './member.js'
import type { Message, Status } from './message.js'
import type { Challenge, Proof } from './proof.js'
import type { ReplayWindow } from './replay.js'
import { type Rng, next, seedRng, shuffle } from './rng.js'

export interface MemberRecord {
  readonly member: Member
  readonly status: Status
  readonly incarnation: Incarnation
}

/** A running suspicion: who has independently seen the member fail, and since when (our clock). */
export interface Suspicion {
  readonly incarnation: Incarnation
  readonly startedAt: number
  readonly confirmers: readonly NodeName[]
}

/** This period's direct probe; `indirect` once helpers were asked (`helpers` of them). */
interface Probe {
  readonly target: NodeName
  readonly probeId: ProbeId
  readonly directDeadline: number
  readonly finalDeadline: number
  readonly indirect: boolean
  readonly helpers: number
  readonly nacks: number
}

/** A Ping we sent on someone's behalf (PingReq), to forward the Ack or answer with a Nack. */
interface Relay {
  readonly requester: NodeName
  readonly requesterProbeId: ProbeId
  readonly deadline: number
}

type Phase = 'Starting' | 'Running' | 'Left'

export interface State {
  readonly config: MembershipConfig
  readonly self: Member
  readonly incarnation: Incarnation
  readonly epoch: number
  readonly seq: number
  readonly phase: Phase
  /** Everyone in the universe but ourselves. */
  readonly members: ReadonlyMap<NodeName, MemberRecord>
  /** Members not Dead or Left (the others are pinged only at deadProbeIntervalMs). */
  readonly liveCount: number
  /** Shuffled probe order over all members; reshuffled at the end of each round. */
  readonly order: readonly NodeName[]
  readonly cursor: number
  /** Members to probe before resuming the round: suspicions we heard of from others. */
  readonly urgent: readonly NodeName[]
  readonly suspicions: ReadonlyMap<NodeName, Suspicion>
  readonly replay: ReadonlyMap<NodeName, ReplayWindow>
  /** Per sender, the epoch and first sequence number known to be current (proof.ts). */
  readonly proofs: ReadonlyMap<NodeName, Proof>
  /** Per member, the nonce of our last challenge Ping, until its Ack proves the member current. */
  readonly challenges: ReadonlyMap<NodeName, Challenge>
  readonly broadcasts: Broadcasts
  readonly probe: Probe | undefined
  readonly relays: ReadonlyMap<ProbeId, Relay>
  readonly nextProbeId: number
  readonly nextProbeAt: number
  readonly nextDeadProbeAt: number
  readonly nextGossipAt: number
  /** Lifeguard's local-health counter (0..awarenessMax). */
  readonly awareness: number
  readonly loopDelayMs: number
  readonly lastEventAt: number | undefined
  /** Time spent stalled, subtracted from `now`: the protocol's clock does not run while we stall. */
  readonly stallDebt: number
  readonly rng: Rng
  /** Bumped whenever the live set changes, so step can report it without comparing sets. */
  readonly liveVersion: number
}

export type Event =
  | { readonly _tag: 'Tick'; readonly entropy?: number; readonly loopDelayMs?: number }
  | { readonly _tag: 'MessageReceived'; readonly from: Endpoint; readonly message: Message }
  | { readonly _tag: 'UniverseChanged'; readonly members: readonly Member[] }
  /** Graceful stop (SIGTERM): tell everyone at once, then answer only with Leave. */
  | { readonly _tag: 'Leave' }

export type ChangeReason =
  | 'ProbeFailed'
  | 'SuspicionExpired'
  | 'Gossip'
  | 'DirectContact'
  | 'Leave'
  | 'Refuted'
  | 'Joined'

export type DropReason = 'UnknownSender' | 'FromSelf' | 'Replay' | 'StaleEpoch' | 'TooOld' | 'Misdirected' | 'Left' | 'Unproven'

export type Action =
  | { readonly _tag: 'Send'; readonly to: Endpoint; readonly toName: NodeName; readonly message: Message }
  /** The live set (ourselves included unless we left) changed. */
  | { readonly _tag: 'MembershipChanged'; readonly alive: ReadonlySet<NodeName> }
  | {
      readonly _tag: 'MemberChanged'
      readonly name: NodeName
      readonly status: Status
      readonly incarnation: Incarnation
      readonly reason: ChangeReason
    }
  | { readonly _tag: 'Dropped'; readonly from: Endpoint; readonly sender: NodeName; readonly reason: DropReason }

export interface StepResult {
  readonly state: State
  readonly actions: readonly Action[]
}

export const isLive = (s: Status): boolean => s === 'Alive' || s === 'Suspect'

export const aliveSet = (s: State): ReadonlySet<NodeName> => {
  const out = new Set<NodeName>()
  if (s.phase !== 'Left') out.add(s.self.name)
  for (const [name, r] of s.members) if (isLive(r.status)) out.add(name)
  return out
}

interface InitOptions {
  readonly config: MembershipConfig
  readonly self: Member
  readonly members: readonly Member[]
  /** The boot time (wall clock, ms): the replay epoch peers hold us to. */
  readonly epoch: number
  readonly seed: number
  readonly now: number
}

/**
 * Everyone starts Alive at incarnation 0, as the last known speaker set says; a start-up Sync then
 * learns what the cluster already knows (who is dead), and probing finds the rest. Starting
 * pessimistic instead would make a fresh speaker announce every IP for a moment.
 */
export const initialState = (o: InitOptions): State => {
  const members = new Map<NodeName, MemberRecord>()
  for (const m of o.members)
    if (m.name !== o.self.name) members.set(m.name, { member: m, status: 'Alive', incarnation: incarnation(0) })
  const [rng0, order] = shuffle(seedRng(o.seed), [...members.keys()])
  // Probe ids start at random: an Ack from before our restart must not answer this run's probes.
  const [rng, firstProbeId] = next(rng0)
  return {
    config: o.config,
    self: o.self,
    incarnation: incarnation(0),
    epoch: o.epoch,
    seq: 0,
    phase: 'Starting',
    members,
    liveCount: members.size,
    order,
    cursor: 0,
    urgent: [],
    suspicions: new Map(),
    replay: new Map(),
    proofs: new Map(),
    challenges: new Map(),
    broadcasts: emptyBroadcasts,
    probe: undefined,
    relays: new Map(),
    nextProbeId: firstProbeId,
    nextProbeAt: o.now,
    nextDeadProbeAt: o.now + o.config.deadProbeIntervalMs,
    nextGossipAt: o.now,
    awareness: 0,
    loopDelayMs: 0,
    lastEventAt: undefined,
    stallDebt: 0,
    rng,
    liveVersion: 0,
  }
}

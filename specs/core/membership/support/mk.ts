// Small builders for step specs: a five-member universe on documentation addresses, messages from
// a member, and views of the actions.
import { defaultConfig, type MembershipConfig } from '../../../../core/membership/config.js'
import type { Incarnation, Member, ProbeId } from '../../../../core/membership/member.js'
import type { Body, Message, Update } from '../../../../core/membership/message.js'
import { type Action, type State, initialState } from '../../../../core/membership/state.js'
import { step } from '../../../../core/membership/step.js'
import type { NodeName } from '../../../../core/model/names.js'

export const N = (s: string): NodeName => s as NodeName
export const mkMembers = (names: readonly string[]): readonly Member[] =>
  names.map((n, i) => ({ name: N(n), address: { host: `192.0.2.${i + 1}`, port: 7946 } }))
export const five = mkMembers(['a', 'b', 'c', 'd', 'e'])

/** A speaker that just started: it has proof of nobody's current run yet (core/membership/proof.ts). */
export const mkFresh = (self = 'a', members: readonly Member[] = five, config: MembershipConfig = defaultConfig): State => {
  const me = members.find((m) => m.name === self)
  if (me === undefined) throw new Error(`no ${self}`)
  return initialState({ config, self: me, members, epoch: 1_000, seed: 7, now: 0 })
}

/** `s` holding proof that `name`'s current run is `epoch`, from sequence number `fromSeq` on. */
export const withProof = (s: State, name: string, epoch: number, fromSeq = 0): State => ({ ...s, proofs: new Map([...s.proofs, [N(name), { epoch, fromSeq }]]) })

/** The epoch mkMsg stamps by default: the peers' current run. */
export const CURRENT_EPOCH = 50

/** A speaker that already holds proof that every peer's current run is CURRENT_EPOCH. */
export const mkState = (self = 'a', members: readonly Member[] = five, config: MembershipConfig = defaultConfig): State => {
  const s = mkFresh(self, members, config)
  return { ...s, proofs: new Map([...s.members.keys()].map((n) => [n, { epoch: CURRENT_EPOCH, fromSeq: 0 }])) }
}

const seqs = new Map<string, number>()
/** A message from `sender` with a fresh sequence number (per sender, across the spec file). */
export const mkMsg = (sender: string, body: Body, incarnation = 0, epoch = CURRENT_EPOCH): Message => {
  const seq = (seqs.get(sender) ?? 0) + 1
  seqs.set(sender, seq)
  return { header: { sender: N(sender), incarnation: incarnation as Incarnation, epoch, seq }, body }
}

export const mkUpdate = (status: Update['status'], name: string, inc = 0, by?: string): Update =>
  by === undefined ? { status, name: N(name), incarnation: inc as Incarnation } : { status, name: N(name), incarnation: inc as Incarnation, by: N(by) }

export const pid = (n: number): ProbeId => n as ProbeId

export const addressOf = (name: string, members: readonly Member[] = five): Member['address'] => {
  const m = members.find((x) => x.name === name)
  if (m === undefined) throw new Error(`no ${name}`)
  return m.address
}

export const receiveFrom = (s: State, sender: string, body: Body, now: number, incarnation = 0) =>
  step(s, { _tag: 'MessageReceived', from: addressOf(sender), message: mkMsg(sender, body, incarnation) }, now)

export type Sent = Extract<Action, { _tag: 'Send' }>
export const sent = (as: readonly Action[]): readonly Sent[] => as.filter((a): a is Sent => a._tag === 'Send')
export const changes = (as: readonly Action[]) => as.flatMap((a) => (a._tag === 'MemberChanged' ? [`${a.name}:${a.status}:${a.incarnation}:${a.reason}`] : []))

/** Runs Ticks every `every` ms from `from` to `to` (inclusive), collecting all actions. */
export const tickThrough = (s0: State, from: number, to: number, every = 10): { state: State; actions: Action[] } => {
  let s = s0
  const actions: Action[] = []
  for (let now = from; now <= to; now += every) {
    const r = step(s, { _tag: 'Tick' }, now)
    s = r.state
    actions.push(...r.actions)
  }
  return { state: s, actions }
}

// fast-check generators for membership messages, shared by the codec and step specs.
import fc from 'fast-check'
import type { NodeName } from '../../../../core/model/names.js'
import type { Incarnation, ProbeId } from '../../../../core/membership/member.js'
import type { Body, Header, Message, Status, Update } from '../../../../core/membership/message.js'

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('')
const INNER = [...ALNUM, '-', '.']

export const nameArb: fc.Arbitrary<NodeName> = fc
  .tuple(fc.constantFrom(...ALNUM), fc.array(fc.constantFrom(...INNER), { maxLength: 30 }), fc.constantFrom(...ALNUM))
  .map(([a, mid, z]) => (mid.length === 0 ? a : `${a}${mid.join('')}${z}`) as NodeName)

export const longNameArb: fc.Arbitrary<NodeName> = fc.integer({ min: 1, max: 253 }).map((n) => 'a'.repeat(n) as NodeName)

const u32 = fc.integer({ min: 0, max: 0xffff_ffff })
const incArb = u32.map((n) => n as Incarnation)
const probeArb = u32.map((n) => n as ProbeId)
export const statusArb: fc.Arbitrary<Status> = fc.constantFrom('Alive', 'Suspect', 'Dead', 'Left')

export const updateArb: fc.Arbitrary<Update> = fc
  .record({ status: statusArb, name: nameArb, incarnation: incArb, by: fc.option(nameArb, { nil: undefined }) })
  .map(({ by, ...rest }) => (by === undefined ? rest : { ...rest, by }))

const updatesArb = fc.array(updateArb, { maxLength: 12 })

export const headerArb: fc.Arbitrary<Header> = fc.record({
  sender: fc.oneof(nameArb, longNameArb),
  incarnation: incArb,
  epoch: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
  seq: u32,
})

export const bodyArb: fc.Arbitrary<Body> = fc.oneof(
  fc.record({ _tag: fc.constant('Ping' as const), probeId: probeArb, target: nameArb, updates: updatesArb }),
  fc.record({ _tag: fc.constant('Ack' as const), probeId: probeArb, updates: updatesArb }),
  fc.record({ _tag: fc.constant('Nack' as const), probeId: probeArb }),
  fc.record({ _tag: fc.constant('PingReq' as const), probeId: probeArb, target: nameArb, updates: updatesArb }),
  fc.record({ _tag: fc.constant('Gossip' as const), updates: updatesArb }),
  fc.record({ _tag: fc.constant('Sync' as const), replyWanted: fc.boolean(), updates: updatesArb }),
  fc.record({ _tag: fc.constant('Leave' as const) }),
)

export const messageArb: fc.Arbitrary<Message> = fc.record({ header: headerArb, body: bodyArb })

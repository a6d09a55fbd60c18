// The BFD control packet (RFC 5880 §4.1) and the receive checks of §6.8.6 that look at the packet
// alone; the checks that need a session (discriminator match, state) are core/bfd/session.ts's.
// IronLB runs BFD without authentication: a packet with the A bit is decoded down to its section's
// type and length and then refused with a reason, as §6.8.6 asks of a session that has none.
import * as E from 'fp-ts/lib/Either.js'
import { type Truncated, needBytes, u8, u32 } from '../bytes/reader.js'
import { writer } from '../bytes/writer.js'

export type BfdState = 'AdminDown' | 'Down' | 'Init' | 'Up'
const STATES: readonly BfdState[] = ['AdminDown', 'Down', 'Init', 'Up']

/** §4.1 Diagnostic codes (the ones this project sends are 0, 1, 3 and 7; any 0..31 decodes). */
export const Diag = {
  None: 0,
  ControlDetectionTimeExpired: 1,
  EchoFunctionFailed: 2,
  NeighborSignaledSessionDown: 3,
  ForwardingPlaneReset: 4,
  PathDown: 5,
  ConcatenatedPathDown: 6,
  AdministrativelyDown: 7,
  ReverseConcatenatedPathDown: 8,
} as const

export interface ControlPacket {
  /** 0..31 (§4.1); see Diag. */
  readonly diag: number
  readonly state: BfdState
  readonly poll: boolean
  readonly final: boolean
  readonly controlPlaneIndependent: boolean
  readonly demand: boolean
  readonly detectMult: number
  readonly myDiscriminator: number
  readonly yourDiscriminator: number
  /** Microseconds, as on the wire. */
  readonly desiredMinTxUs: number
  readonly requiredMinRxUs: number
  readonly requiredMinEchoRxUs: number
}

/** Why a packet is discarded (§6.8.6), each with the offset of the field that failed. */
type PacketDiscard =
  | Truncated
  | { readonly _tag: 'Discard'; readonly reason: DiscardReason; readonly at: number; readonly detail: string }

type DiscardReason =
  | 'BadVersion'
  | 'BadLength'
  | 'ZeroDetectMult'
  | 'Multipoint'
  | 'ZeroMyDiscriminator'
  | 'ZeroYourDiscriminator'
  | 'AuthenticationNotConfigured'
  | 'BadAuthenticationSection'

const HEADER = 24
const discard = (reason: DiscardReason, at: number, detail: string): PacketDiscard => ({ _tag: 'Discard', reason, at, detail })

/** Checks the optional authentication section (§4.2): type and length are there and fit the packet. */
const checkAuth = (b: Uint8Array, length: number): E.Either<PacketDiscard, void> => {
  const head = needBytes(b, HEADER, 2, 'BFD authentication section')
  if (E.isLeft(head)) return E.left(head.left._tag === 'Truncated' ? head.left : discard('BadAuthenticationSection', HEADER, head.left.detail))
  const authLen = u8(b, HEADER + 1)
  if (length < HEADER + 2 || authLen < 3 || HEADER + authLen > length)
    return E.left(discard('BadAuthenticationSection', HEADER + 1, `auth length ${authLen} does not fit a packet of length ${length}`))
  return E.left(discard('AuthenticationNotConfigured', 3, `authentication type ${u8(b, HEADER)} present, and this session uses none`))
}

/**
 * Decodes and checks one datagram's payload (a UDP datagram holds exactly one packet, so trailing
 * bytes past Length are ignored, §6.8.6 only bounds Length by the payload). Never throws.
 */
export const decodeControl = (b: Uint8Array): E.Either<PacketDiscard, ControlPacket> => {
  const head = needBytes(b, 0, HEADER, 'BFD control packet')
  if (E.isLeft(head)) return E.left(head.left._tag === 'Truncated' ? head.left : discard('BadLength', 0, head.left.detail))
  const version = u8(b, 0) >>> 5
  if (version !== 1) return E.left(discard('BadVersion', 0, `version ${version}, want 1`))
  const flags = u8(b, 1)
  const auth = (flags & 0x04) !== 0
  const length = u8(b, 3)
  if (length < HEADER || (auth && length < HEADER + 2)) return E.left(discard('BadLength', 3, `length ${length} is below the minimum ${auth ? HEADER + 2 : HEADER}`))
  if (length > b.length) return E.left(discard('BadLength', 3, `length ${length} is more than the ${b.length} bytes received`))
  const detectMult = u8(b, 2)
  if (detectMult === 0) return E.left(discard('ZeroDetectMult', 2, 'Detect Mult is zero'))
  if ((flags & 0x01) !== 0) return E.left(discard('Multipoint', 1, 'the Multipoint (M) bit is set'))
  const myDiscriminator = u32(b, 4)
  if (myDiscriminator === 0) return E.left(discard('ZeroMyDiscriminator', 4, 'My Discriminator is zero'))
  const state = STATES[(flags >>> 6) & 0x03] ?? 'AdminDown'
  const yourDiscriminator = u32(b, 8)
  if (yourDiscriminator === 0 && state !== 'Down' && state !== 'AdminDown')
    return E.left(discard('ZeroYourDiscriminator', 8, `Your Discriminator is zero in state ${state}`))
  if (auth) {
    const refused = checkAuth(b, length)
    if (E.isLeft(refused)) return refused
  }
  return E.right({
    diag: u8(b, 0) & 0x1f,
    state,
    poll: (flags & 0x20) !== 0,
    final: (flags & 0x10) !== 0,
    controlPlaneIndependent: (flags & 0x08) !== 0,
    demand: (flags & 0x02) !== 0,
    detectMult,
    myDiscriminator,
    yourDiscriminator,
    desiredMinTxUs: u32(b, 12),
    requiredMinRxUs: u32(b, 16),
    requiredMinEchoRxUs: u32(b, 20),
  })
}

/** Every packet this project sends is the 24-byte header alone. */
export const encodingLength = (): number => HEADER

/*
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Vers |  Diag   |Sta|P|F|C|A|D|M|  Detect Mult  |    Length     |
 * |                       My Discriminator                        |
 * |                      Your Discriminator                       |
 * |                    Desired Min TX Interval                    |
 * |                   Required Min RX Interval                    |
 * |                 Required Min Echo RX Interval                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Sent without authentication (A = 0) and never multipoint (M = 0).
 */
export const encodeControl = (p: ControlPacket): Uint8Array => {
  const w = writer(HEADER)
  w.u8((1 << 5) | (p.diag & 0x1f))
  const bit = (on: boolean, mask: number): number => (on ? mask : 0)
  w.u8((STATES.indexOf(p.state) << 6) | bit(p.poll, 0x20) | bit(p.final, 0x10) | bit(p.controlPlaneIndependent, 0x08) | bit(p.demand, 0x02))
  w.u8(p.detectMult)
  w.u8(HEADER)
  w.u32(p.myDiscriminator)
  w.u32(p.yourDiscriminator)
  w.u32(p.desiredMinTxUs)
  w.u32(p.requiredMinRxUs)
  w.u32(p.requiredMinEchoRxUs)
  return w.done()
}

/** For logs and counters: one line per refusal. */
export const formatDiscard = (d: PacketDiscard): string =>
  d._tag === 'Truncated' ? `${d.what}: truncated at ${d.at} (need ${d.need} bytes, have ${d.have})` : `${d.reason} at byte ${d.at}: ${d.detail}`

// BGP NOTIFICATION (RFC 4271 §4.5, subcodes from RFC 4486 and RFC 5492): what a session answers
// bad input with before it closes. Decoders in core/bgp return these instead of throwing, so the
// shell only has to send the message it is given.
import * as E from 'fp-ts/lib/Either.js'

export interface Notification {
  readonly code: number
  readonly subcode: number
  readonly data: Uint8Array
}

export const ErrorCode = { MessageHeader: 1, Open: 2, Update: 3, HoldTimerExpired: 4, FiniteStateMachine: 5, Cease: 6 } as const
export const HeaderError = { ConnectionNotSynchronized: 1, BadMessageLength: 2, BadMessageType: 3 } as const
export const OpenError = { Unspecific: 0, UnsupportedVersion: 1, BadPeerAs: 2, BadBgpIdentifier: 3, UnsupportedOptionalParameter: 4, UnacceptableHoldTime: 6, UnsupportedCapability: 7 } as const
export const UpdateError = {
  MalformedAttributeList: 1,
  UnrecognizedWellKnownAttribute: 2,
  MissingWellKnownAttribute: 3,
  AttributeFlags: 4,
  AttributeLength: 5,
  InvalidOrigin: 6,
  InvalidNextHop: 8,
  OptionalAttribute: 9,
  InvalidNetworkField: 10,
  MalformedAsPath: 11,
} as const
export const CeaseError = { AdministrativeShutdown: 2, PeerDeconfigured: 3, AdministrativeReset: 4, ConnectionRejected: 5, OtherConfigurationChange: 6, ConnectionCollision: 7, OutOfResources: 8 } as const

export const notification = (code: number, subcode: number, data: Uint8Array = new Uint8Array(0)): Notification => ({ code, subcode, data })

/** The body of a NOTIFICATION message (after the 19-byte header). */
export const encodeNotification = (n: Notification): Uint8Array => {
  const out = new Uint8Array(2 + n.data.length)
  out[0] = n.code & 0xff
  out[1] = n.subcode & 0xff
  out.set(n.data, 2)
  return out
}

/** A NOTIFICATION we received; the header already checked that the body has at least 2 bytes. */
export const decodeNotification = (body: Uint8Array): E.Either<Notification, Notification> =>
  body.length < 2
    ? E.left(notification(ErrorCode.MessageHeader, HeaderError.BadMessageLength, u16Bytes(19 + body.length)))
    : E.right(notification(body[0] ?? 0, body[1] ?? 0, body.slice(2)))

export const u16Bytes = (v: number): Uint8Array => Uint8Array.of((v >>> 8) & 0xff, v & 0xff)

const CODE_NAMES: Record<number, string> = {
  1: 'Message Header Error',
  2: 'OPEN Message Error',
  3: 'UPDATE Message Error',
  4: 'Hold Timer Expired',
  5: 'Finite State Machine Error',
  6: 'Cease',
}

const SUBCODE_NAMES: Record<number, Record<number, string>> = {
  1: { 1: 'Connection Not Synchronized', 2: 'Bad Message Length', 3: 'Bad Message Type' },
  2: { 1: 'Unsupported Version Number', 2: 'Bad Peer AS', 3: 'Bad BGP Identifier', 4: 'Unsupported Optional Parameter', 6: 'Unacceptable Hold Time', 7: 'Unsupported Capability' },
  3: {
    1: 'Malformed Attribute List',
    2: 'Unrecognized Well-known Attribute',
    3: 'Missing Well-known Attribute',
    4: 'Attribute Flags Error',
    5: 'Attribute Length Error',
    6: 'Invalid ORIGIN Attribute',
    8: 'Invalid NEXT_HOP Attribute',
    9: 'Optional Attribute Error',
    10: 'Invalid Network Field',
    11: 'Malformed AS_PATH',
  },
  6: { 1: 'Maximum Number of Prefixes Reached', 2: 'Administrative Shutdown', 3: 'Peer De-configured', 4: 'Administrative Reset', 5: 'Connection Rejected', 6: 'Other Configuration Change', 7: 'Connection Collision Resolution', 8: 'Out of Resources' },
}

/** For logs and Events: "OPEN Message Error / Bad Peer AS (code 2, subcode 2)". */
export const describeNotification = (n: Notification): string => {
  const code = CODE_NAMES[n.code] ?? 'Unknown error'
  const sub = SUBCODE_NAMES[n.code]?.[n.subcode]
  return `${code}${sub === undefined ? '' : ` / ${sub}`} (code ${n.code}, subcode ${n.subcode})`
}

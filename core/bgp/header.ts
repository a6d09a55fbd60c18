// The BGP message header (RFC 4271 §4.1) and the framing of a TCP byte stream into messages. Pure:
// the session hands in what it read and gets whole messages back, the bytes of a message still
// arriving, or the NOTIFICATION that a broken header calls for.
import { u16, u8 } from '../bytes/reader.js'
import { ErrorCode, HeaderError, type Notification, notification, u16Bytes } from './notification.js'

export const HEADER_LENGTH = 19
/** Without the Extended Message capability (RFC 8654), which IronLB does not offer. */
export const MAX_MESSAGE_LENGTH = 4096

export type MessageType = 'OPEN' | 'UPDATE' | 'NOTIFICATION' | 'KEEPALIVE' | 'ROUTE-REFRESH'

const TYPE_CODES: Record<MessageType, number> = { OPEN: 1, UPDATE: 2, NOTIFICATION: 3, KEEPALIVE: 4, 'ROUTE-REFRESH': 5 }
const TYPES_BY_CODE = new Map<number, MessageType>(Object.entries(TYPE_CODES).map(([t, c]) => [c, t as MessageType]))

/** Whole-message length bounds per type (RFC 4271 §6.1; ROUTE-REFRESH: RFC 2918). */
const LENGTH_BOUNDS: Record<MessageType, readonly [number, number]> = {
  OPEN: [29, MAX_MESSAGE_LENGTH],
  UPDATE: [23, MAX_MESSAGE_LENGTH],
  NOTIFICATION: [21, MAX_MESSAGE_LENGTH],
  KEEPALIVE: [19, 19],
  'ROUTE-REFRESH': [23, 23],
}

export interface RawMessage {
  readonly type: MessageType
  /** The bytes after the header. */
  readonly body: Uint8Array
}

interface Framed {
  readonly messages: readonly RawMessage[]
  /** The start of a message not yet complete: prepend it to the next read. */
  readonly rest: Uint8Array
  /** Set when a header is broken: send it and close; `messages` holds what came before. */
  readonly error?: Notification
}

/** A whole message: marker, length, type, body. Throws only on a body too long to frame. */
export const frame = (type: MessageType, body: Uint8Array = new Uint8Array(0)): Uint8Array => {
  const length = HEADER_LENGTH + body.length
  if (length > MAX_MESSAGE_LENGTH) throw new Error(`a ${type} message of ${length} bytes exceeds ${MAX_MESSAGE_LENGTH}`)
  const out = new Uint8Array(length)
  out.fill(0xff, 0, 16)
  out[16] = length >>> 8
  out[17] = length & 0xff
  out[18] = TYPE_CODES[type]
  out.set(body, HEADER_LENGTH)
  return out
}

const headerError = (subcode: number, data: Uint8Array): Notification => notification(ErrorCode.MessageHeader, subcode, data)

/** Splits `bytes` into messages; never reads past the end, never throws. */
export const splitMessages = (bytes: Uint8Array): Framed => {
  const messages: RawMessage[] = []
  let at = 0
  while (bytes.length - at >= HEADER_LENGTH) {
    for (let i = 0; i < 16; i++)
      if (bytes[at + i] !== 0xff) return { messages, rest: new Uint8Array(0), error: headerError(HeaderError.ConnectionNotSynchronized, new Uint8Array(0)) }
    const length = u16(bytes, at + 16)
    const code = u8(bytes, at + 18)
    const type = TYPES_BY_CODE.get(code)
    if (length < HEADER_LENGTH || length > MAX_MESSAGE_LENGTH) return { messages, rest: new Uint8Array(0), error: headerError(HeaderError.BadMessageLength, u16Bytes(length)) }
    if (type === undefined) return { messages, rest: new Uint8Array(0), error: headerError(HeaderError.BadMessageType, Uint8Array.of(code)) }
    const [min, max] = LENGTH_BOUNDS[type]
    if (length < min || length > max) return { messages, rest: new Uint8Array(0), error: headerError(HeaderError.BadMessageLength, u16Bytes(length)) }
    if (bytes.length - at < length) break
    messages.push({ type, body: bytes.slice(at + HEADER_LENGTH, at + length) })
    at += length
  }
  return { messages, rest: bytes.slice(at) }
}

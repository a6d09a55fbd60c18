// One BGP message, decoded: the tagged union a session's state machine consumes, and the encoder
// for the ones it sends. Every decode failure is the NOTIFICATION to answer with.
import * as E from 'fp-ts/lib/Either.js'
import { u16, u8 } from '../bytes/reader.js'
import { type MessageType, type RawMessage, frame } from './header.js'
import { type Notification, decodeNotification, encodeNotification } from './notification.js'
import { type Open, decodeOpen, encodeOpen } from './open.js'
import { type ReceivedUpdate, type Update, type UpdateCodecOptions, decodeUpdate, encodeUpdate } from './update.js'

export type Message =
  | { readonly _tag: 'Open'; readonly open: Open }
  | { readonly _tag: 'Update'; readonly update: Update }
  | { readonly _tag: 'Notification'; readonly notification: Notification }
  | { readonly _tag: 'Keepalive' }
  | { readonly _tag: 'RouteRefresh'; readonly afi: number; readonly safi: number }

export type Received = Exclude<Message, { _tag: 'Update' }> | { readonly _tag: 'Update'; readonly update: ReceivedUpdate }

export const encodeMessage = (m: Message, o: UpdateCodecOptions): Uint8Array => {
  switch (m._tag) {
    case 'Open':
      return frame('OPEN', encodeOpen(m.open))
    case 'Update':
      return frame('UPDATE', encodeUpdate(m.update, o))
    case 'Notification':
      return frame('NOTIFICATION', encodeNotification(m.notification))
    case 'Keepalive':
      return frame('KEEPALIVE')
    case 'RouteRefresh':
      return frame('ROUTE-REFRESH', Uint8Array.of(m.afi >>> 8, m.afi & 0xff, 0, m.safi))
  }
}

/** A message the header framing already checked (type known, length within the type's bounds). */
export const decodeMessage = (raw: RawMessage, o: UpdateCodecOptions): E.Either<Notification, Received> => {
  const type: MessageType = raw.type
  switch (type) {
    case 'OPEN':
      return E.map((open: Open): Received => ({ _tag: 'Open', open }))(decodeOpen(raw.body))
    case 'UPDATE':
      return E.map((update: ReceivedUpdate): Received => ({ _tag: 'Update', update }))(decodeUpdate(raw.body, o))
    case 'NOTIFICATION':
      return E.map((notification: Notification): Received => ({ _tag: 'Notification', notification }))(decodeNotification(raw.body))
    case 'KEEPALIVE':
      return E.right({ _tag: 'Keepalive' })
    case 'ROUTE-REFRESH':
      return E.right({ _tag: 'RouteRefresh', afi: u16(raw.body, 0), safi: u8(raw.body, 3) })
  }
}

// The bytes a connection delivers, as session events: framed (header.ts), each message decoded
// totally (message.ts), the first failure a Malformed event carrying the NOTIFICATION to answer
// with, after which nothing more is read from that connection. Four-octet AS paths are read as
// soon as the peer's OPEN offered them (we always do, RFC 6793).
import * as E from 'fp-ts/lib/Either.js'
import { splitMessages } from './header.js'
import { decodeMessage } from './message.js'
import type { ConnId, SessionEvent } from './session.js'

export interface Reader {
  /** The start of a message not yet complete. */
  readonly pending: Uint8Array
  readonly fourOctetAs: boolean
  /** A Malformed event was given: the rest of this connection is not read. */
  readonly broken: boolean
}

export const freshReader: Reader = { pending: new Uint8Array(0), fourOctetAs: false, broken: false }

export const readChunk = (r: Reader, conn: ConnId, chunk: Uint8Array): { readonly reader: Reader; readonly events: readonly SessionEvent[] } => {
  if (r.broken) return { reader: r, events: [] }
  const bytes = r.pending.length === 0 ? chunk : Uint8Array.from([...r.pending, ...chunk])
  const framed = splitMessages(bytes)
  const events: SessionEvent[] = []
  let fourOctetAs = r.fourOctetAs
  for (const raw of framed.messages) {
    const m = decodeMessage(raw, { fourOctetAs })
    if (E.isLeft(m)) return { reader: { pending: new Uint8Array(0), fourOctetAs, broken: true }, events: [...events, { _tag: 'Malformed', conn, notification: m.left }] }
    if (m.right._tag === 'Open') fourOctetAs = m.right.open.capabilities.some((c) => c._tag === 'FourOctetAs')
    events.push({ _tag: 'Received', conn, message: m.right })
  }
  if (framed.error !== undefined) return { reader: { pending: new Uint8Array(0), fourOctetAs, broken: true }, events: [...events, { _tag: 'Malformed', conn, notification: framed.error }] }
  return { reader: { pending: framed.rest, fourOctetAs, broken: false }, events }
}

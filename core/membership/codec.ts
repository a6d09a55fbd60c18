// The membership datagram, as a codec triple: encode, decode(bytes, offset) -> Either, and
// encodingLength. Pure: the shell computes the authentication tag (HMAC-SHA256 with the shared key)
// over the signed part that encodeSigned returns, and checks it against the tag decode returns.
//
//  0        1        2        3
// +--------+--------+--------+--------+
// |  0x49  |  0x4d  |version |  type  |   "IM", version 1, body type (1..7)
// +--------+--------+--------+--------+
// | nlen   | sender name (nlen = 1..253 ASCII bytes) ...
// +--------+--------+--------+--------+
// |        sender incarnation (u32)   |
// +--------+--------+--------+--------+
// |  epoch high (u16)| epoch low (u32) ...   48-bit ms, the sender's boot time
// +--------+--------+--------+--------+
// |               seq (u32)           |
// +--------+--------+--------+--------+
// | body (by type, below) ...
// +--------+--------+--------+--------+   ^ everything above is signed
// | tlen   | tag (tlen = 0..64 bytes) ...   the shell's HMAC; the datagram ends here
//
// Bodies: Ping(1) and PingReq(4): probeId u32, target name, updates. Ack(2): probeId u32, updates.
// Nack(3): probeId u32. Gossip(5): updates. Sync(6): flags u8 (bit 0: reply wanted; others 0), updates.
// Leave(7): nothing.
// Name: u8 length, then the bytes. Updates: u8 count, then each: status u8 (1 Alive, 2 Suspect,
// 3 Dead, 4 Left), name, incarnation u32, `by` name with length 0 meaning absent.
import * as E from 'fp-ts/lib/Either.js'
import { type Cursor, type Truncated, cursor } from '../bytes/reader.js'
import { type Writer, writer } from '../bytes/writer.js'
import type { NodeName } from '../model/names.js'
import { absurd } from '../fp/absurd.js'
import { type Incarnation, type ProbeId, isMemberName, NAME_MAX } from './member.js'
import type { Body, BodyTag, Header, Message, Status, Update } from './message.js'

const MAGIC_0 = 0x49
const MAGIC_1 = 0x4d
const VERSION = 1
export const TAG_MAX = 64
const UPDATES_MAX = 255
const EPOCH_MAX = 2 ** 48 - 1

interface Packet {
  readonly message: Message
  /** The authentication tag; empty before the shell signs. */
  readonly tag: Uint8Array
}

type DecodeError =
  | Truncated
  | { readonly _tag: 'BadMagic'; readonly at: number }
  | { readonly _tag: 'BadVersion'; readonly at: number; readonly version: number }
  | { readonly _tag: 'UnknownType'; readonly at: number; readonly type: number }
  | { readonly _tag: 'BadName'; readonly at: number }
  | { readonly _tag: 'BadStatus'; readonly at: number; readonly status: number }
  | { readonly _tag: 'BadFlags'; readonly at: number }
  | { readonly _tag: 'TagTooLong'; readonly at: number; readonly length: number }

interface Decoded {
  readonly packet: Packet
  /** The signed bytes are [offset, signedEnd): what the tag must authenticate. */
  readonly signedEnd: number
}

const TYPE_CODES: Readonly<Record<BodyTag, number>> = { Ping: 1, Ack: 2, Nack: 3, PingReq: 4, Gossip: 5, Sync: 6, Leave: 7 }
const STATUS_CODES: Readonly<Record<Status, number>> = { Alive: 1, Suspect: 2, Dead: 3, Left: 4 }
const STATUSES: readonly Status[] = ['Alive', 'Suspect', 'Dead', 'Left']

// ---- lengths -------------------------------------------------------------------------------------

const nameLength = (name: string): number => 1 + name.length
export const updateLength = (u: Update): number => 1 + nameLength(u.name) + 4 + 1 + (u.by?.length ?? 0)
const updatesLength = (us: readonly Update[]): number => 1 + us.reduce((n, u) => n + updateLength(u), 0)
export const headerLength = (h: Header): number => 4 + nameLength(h.sender) + 4 + 6 + 4

export const bodyLength = (b: Body): number => {
  switch (b._tag) {
    case 'Ping':
    case 'PingReq':
      return 4 + nameLength(b.target) + updatesLength(b.updates)
    case 'Ack':
      return 4 + updatesLength(b.updates)
    case 'Nack':
      return 4
    case 'Gossip':
      return updatesLength(b.updates)
    case 'Sync':
      return 1 + updatesLength(b.updates)
    case 'Leave':
      return 0
    default:
      return absurd(b)
  }
}

const signedLength = (m: Message): number => headerLength(m.header) + bodyLength(m.body)
export const encodingLength = (p: Packet): number => signedLength(p.message) + 1 + p.tag.length

// ---- encode --------------------------------------------------------------------------------------
// Callers hold validated names (member.ts) and at most UPDATES_MAX updates; the encoder truncates
// rather than throws if they do not, so a bug shows up as a decode failure at the peer.

const putName = (w: Writer, name: string): void => {
  const n = name.slice(0, NAME_MAX)
  w.u8(n.length)
  w.ascii(n)
}

const putUpdates = (w: Writer, us: readonly Update[]): void => {
  const list = us.slice(0, UPDATES_MAX)
  w.u8(list.length)
  for (const u of list) {
    w.u8(STATUS_CODES[u.status])
    putName(w, u.name)
    w.u32(u.incarnation)
    putName(w, u.by ?? '')
  }
}

const putBody = (w: Writer, b: Body): void => {
  switch (b._tag) {
    case 'Ping':
    case 'PingReq':
      w.u32(b.probeId)
      putName(w, b.target)
      return putUpdates(w, b.updates)
    case 'Ack':
      w.u32(b.probeId)
      return putUpdates(w, b.updates)
    case 'Nack':
      return w.u32(b.probeId)
    case 'Gossip':
      return putUpdates(w, b.updates)
    case 'Sync':
      w.u8(b.replyWanted ? 1 : 0)
      return putUpdates(w, b.updates)
    case 'Leave':
      return
    default:
      return absurd(b)
  }
}

const putSigned = (w: Writer, m: Message): void => {
  const h = m.header
  const epoch = Math.min(Math.max(0, Math.trunc(h.epoch)), EPOCH_MAX)
  w.u8(MAGIC_0)
  w.u8(MAGIC_1)
  w.u8(VERSION)
  w.u8(TYPE_CODES[m.body._tag])
  putName(w, h.sender)
  w.u32(h.incarnation)
  w.u16(Math.floor(epoch / 2 ** 32))
  w.u32(epoch % 2 ** 32)
  w.u32(h.seq)
  putBody(w, m.body)
}

/** The bytes the authentication tag covers. */
export const encodeSigned = (m: Message): Uint8Array => {
  const w = writer(signedLength(m))
  putSigned(w, m)
  return w.done()
}

export const encode = (p: Packet): Uint8Array => {
  const tag = p.tag.subarray(0, TAG_MAX)
  const w = writer(signedLength(p.message) + 1 + tag.length)
  putSigned(w, p.message)
  w.u8(tag.length)
  w.bytes(tag)
  return w.done()
}

/** The datagram from signed bytes (encodeSigned) and the tag computed over them. */
export const appendTag = (signed: Uint8Array, tag: Uint8Array): Uint8Array => {
  const t = tag.subarray(0, TAG_MAX)
  const out = new Uint8Array(signed.length + 1 + t.length)
  out.set(signed, 0)
  out[signed.length] = t.length
  out.set(t, signed.length + 1)
  return out
}

// ---- decode --------------------------------------------------------------------------------------

type Step<A> = E.Either<DecodeError, A>
const truncated = (r: Cursor): Step<never> => E.left(r.truncation('membership datagram'))

/** Bytes as ASCII text (names are checked against the node-name alphabet after this). */
const asciiOf = (b: Uint8Array): string => {
  let s = ''
  for (const c of b) s += String.fromCharCode(c)
  return s
}

const getName = (r: Cursor, allowEmpty: boolean): Step<NodeName | undefined> => {
  const at = r.offset()
  const len = r.u8()
  if (len === undefined) return truncated(r)
  if (len === 0) return allowEmpty ? E.right(undefined) : E.left({ _tag: 'BadName', at })
  const raw = r.bytes(len)
  if (raw === undefined) return truncated(r)
  const text = asciiOf(raw)
  return isMemberName(text) ? E.right(text as NodeName) : E.left({ _tag: 'BadName', at })
}

const getRequiredName = (r: Cursor): Step<NodeName> => {
  const n = getName(r, false)
  if (E.isLeft(n)) return n
  return n.right === undefined ? E.left({ _tag: 'BadName', at: r.offset() }) : E.right(n.right)
}

const getUpdates = (r: Cursor): Step<readonly Update[]> => {
  const count = r.u8()
  if (count === undefined) return truncated(r)
  const out: Update[] = []
  for (let i = 0; i < count; i++) {
    const at = r.offset()
    const code = r.u8()
    if (code === undefined) return truncated(r)
    const status = STATUSES[code - 1]
    if (status === undefined) return E.left({ _tag: 'BadStatus', at, status: code })
    const name = getRequiredName(r)
    if (E.isLeft(name)) return name
    const inc = r.u32()
    if (inc === undefined) return truncated(r)
    const by = getName(r, true)
    if (E.isLeft(by)) return by
    const base = { status, name: name.right, incarnation: inc as Incarnation }
    out.push(by.right === undefined ? base : { ...base, by: by.right })
  }
  return E.right(out)
}

const getProbeTarget = (r: Cursor): Step<{ probeId: ProbeId; target: NodeName; updates: readonly Update[] }> => {
  const id = r.u32()
  if (id === undefined) return truncated(r)
  const target = getRequiredName(r)
  if (E.isLeft(target)) return target
  const updates = getUpdates(r)
  if (E.isLeft(updates)) return updates
  return E.right({ probeId: id as ProbeId, target: target.right, updates: updates.right })
}

const getBody = (r: Cursor, type: number, typeAt: number): Step<Body> => {
  switch (type) {
    case 1:
      return E.map((x: { probeId: ProbeId; target: NodeName; updates: readonly Update[] }): Body => ({ _tag: 'Ping', ...x }))(getProbeTarget(r))
    case 4:
      return E.map((x: { probeId: ProbeId; target: NodeName; updates: readonly Update[] }): Body => ({ _tag: 'PingReq', ...x }))(getProbeTarget(r))
    case 2: {
      const id = r.u32()
      if (id === undefined) return truncated(r)
      return E.map((updates: readonly Update[]): Body => ({ _tag: 'Ack', probeId: id as ProbeId, updates }))(getUpdates(r))
    }
    case 3: {
      const id = r.u32()
      return id === undefined ? truncated(r) : E.right({ _tag: 'Nack', probeId: id as ProbeId })
    }
    case 5:
      return E.map((updates: readonly Update[]): Body => ({ _tag: 'Gossip', updates }))(getUpdates(r))
    case 6: {
      const at = r.offset()
      const flags = r.u8()
      if (flags === undefined) return truncated(r)
      if ((flags & ~1) !== 0) return E.left({ _tag: 'BadFlags', at })
      return E.map((updates: readonly Update[]): Body => ({ _tag: 'Sync', replyWanted: flags === 1, updates }))(getUpdates(r))
    }
    case 7:
      return E.right({ _tag: 'Leave' })
    default:
      return E.left({ _tag: 'UnknownType', at: typeAt, type })
  }
}

export const decode = (bytes: Uint8Array, offset: number): E.Either<DecodeError, { value: Decoded; next: number }> => {
  const r = cursor(bytes, offset)
  const m0 = r.u8()
  const m1 = r.u8()
  if (m0 === undefined || m1 === undefined) return truncated(r)
  if (m0 !== MAGIC_0 || m1 !== MAGIC_1) return E.left({ _tag: 'BadMagic', at: offset })
  const version = r.u8()
  if (version === undefined) return truncated(r)
  if (version !== VERSION) return E.left({ _tag: 'BadVersion', at: offset + 2, version })
  const typeAt = r.offset()
  const type = r.u8()
  if (type === undefined) return truncated(r)
  if (type < 1 || type > 7) return E.left({ _tag: 'UnknownType', at: typeAt, type })
  const sender = getRequiredName(r)
  if (E.isLeft(sender)) return sender
  const inc = r.u32()
  const hi = r.u16()
  const lo = r.u32()
  const seq = r.u32()
  if (inc === undefined || hi === undefined || lo === undefined || seq === undefined) return truncated(r)
  const header: Header = { sender: sender.right, incarnation: inc as Incarnation, epoch: hi * 2 ** 32 + lo, seq }
  const body = getBody(r, type, typeAt)
  if (E.isLeft(body)) return body
  const signedEnd = r.offset()
  const tagLen = r.u8()
  if (tagLen === undefined) return truncated(r)
  if (tagLen > TAG_MAX) return E.left({ _tag: 'TagTooLong', at: signedEnd, length: tagLen })
  const tag = r.bytes(tagLen)
  if (tag === undefined) return truncated(r)
  return E.right({ value: { packet: { message: { header, body: body.right }, tag: tag.slice() }, signedEnd }, next: r.offset() })
}

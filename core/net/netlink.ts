// rtnetlink framing (netlink(7), rtnetlink(7)): the dump request header and the walk over a dump's
// replies and a message's attributes. Host byte order, little-endian on every machine IronLB runs on.
// The shell sends the bytes (shell/native/netlink.ts); what a message means is the caller's.

const NLMSG_ERROR = 2
const NLMSG_DONE = 3
const NLM_F_REQUEST = 0x1
const NLM_F_DUMP = 0x300
/** Set on a dump's replies when the table changed while it was read: the dump is not consistent. */
const NLM_F_DUMP_INTR = 0x10
const NLMSG_HEADER = 16

const align4 = (n: number): number => (n + 3) & ~3

/** A dump request: the netlink header for `type`, then `body` (the family-specific header, e.g. ifinfomsg). */
export const dumpRequest = (type: number, seq: number, body: Uint8Array): Uint8Array => {
  const out = new Uint8Array(NLMSG_HEADER + body.length)
  const v = new DataView(out.buffer)
  v.setUint32(0, out.length, true)
  v.setUint16(4, type, true)
  v.setUint16(6, NLM_F_REQUEST | NLM_F_DUMP, true)
  v.setUint32(8, seq >>> 0, true)
  out.set(body, NLMSG_HEADER)
  return out
}

/** One reply message: its type and where its payload (after the netlink header) lies in the view. */
interface NetlinkMessage {
  readonly type: number
  readonly from: number
  readonly to: number
}

/**
 * The messages of a dump's reply, up to NLMSG_DONE, and what makes the dump incomplete: the kernel's
 * errno (negative, from NLMSG_ERROR), a framing fault, a change during the dump (NLM_F_DUMP_INTR) or
 * no NLMSG_DONE (cut short). Never throws, whatever the bytes.
 */
export const netlinkMessages = (bytes: Uint8Array): { readonly view: DataView; readonly messages: readonly NetlinkMessage[]; readonly error?: string } => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const messages: NetlinkMessage[] = []
  for (let at = 0; at + NLMSG_HEADER <= bytes.length; ) {
    const len = view.getUint32(at, true)
    const type = view.getUint16(at + 4, true)
    if (len < NLMSG_HEADER || at + len > bytes.length) return { view, messages, error: 'truncated netlink message' }
    if ((view.getUint16(at + 6, true) & NLM_F_DUMP_INTR) !== 0) return { view, messages, error: 'dump interrupted by a change: read again' }
    if (type === NLMSG_DONE) return { view, messages }
    if (type === NLMSG_ERROR) return { view, messages, error: `netlink error ${len >= NLMSG_HEADER + 4 ? view.getInt32(at + NLMSG_HEADER, true) : '?'}` }
    messages.push({ type, from: at + NLMSG_HEADER, to: at + len })
    at += align4(len)
  }
  return { view, messages, error: 'no NLMSG_DONE: the dump was cut short' }
}

/**
 * The attributes (struct rtattr) between `from` and `to`: type to the [from, to) of its value. The
 * first of a repeated type wins; a malformed length ends the walk with what was read so far.
 */
export const attributesOf = (view: DataView, from: number, to: number): ReadonlyMap<number, { readonly from: number; readonly to: number }> => {
  const out = new Map<number, { from: number; to: number }>()
  for (let at = from; at + 4 <= to; ) {
    const len = view.getUint16(at, true)
    if (len < 4 || at + len > to) break
    // The top two bits are NLA_F_NESTED and NLA_F_NET_BYTEORDER, not part of the type.
    const type = view.getUint16(at + 2, true) & 0x3fff
    if (!out.has(type)) out.set(type, { from: at + 4, to: at + len })
    at += align4(len)
  }
  return out
}

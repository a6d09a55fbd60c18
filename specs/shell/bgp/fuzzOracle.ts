// What a session must answer to bytes from its peer, computed from the RFCs without core/bgp: the
// header checks of RFC 4271 §6.1, the OPEN checks of §6.2 (with RFC 5492 capabilities, RFC 6793
// four-octet AS and the peer AS the session expects), the UPDATE errors that still reset a session
// under RFC 7606 (lengths that overrun, a bad prefix, a broken or repeated multiprotocol attribute;
// everything else is treat-as-withdraw and the session stays up), and the FSM errors of RFC 6608.
// Where RFC 4271 leaves the order of checks open, this follows the order IronLB's decoder chose, so
// a disagreement is a wrong code or a wrong verdict, not a different order.

/** The session's answer, message by message, ending in how the connection stands. */
export interface Expected {
  /** NOTIFICATIONs ("code/subcode") and KEEPALIVEs, in order; UPDATEs are not listed. */
  readonly replies: readonly string[]
  /** UPDATEs the session sends: for IPv4 unicast ROUTE-REFRESHes (one route wanted), and on Up. */
  readonly refreshes: number
  /** closed: the session closed the connection; open: it waits for more; partial: in the middle of a message. */
  readonly end: 'closed' | 'open' | 'partial'
}

type Phase = 'OpenSent' | 'OpenConfirm' | 'Established'
type Verdict = { readonly _tag: 'Error'; readonly code: number; readonly subcode: number } | { readonly _tag: 'Ok' }

const ok: Verdict = { _tag: 'Ok' }
const error = (code: number, subcode: number): Verdict => ({ _tag: 'Error', code, subcode })
const u16 = (b: Uint8Array, at: number): number => ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0)
const u32 = (b: Uint8Array, at: number): number => u16(b, at) * 0x10000 + u16(b, at + 2)

/** RFC 4271 §4.1 lengths per type (ROUTE-REFRESH: RFC 2918). */
const BOUNDS: Record<number, readonly [number, number]> = { 1: [29, 4096], 2: [23, 4096], 3: [21, 4096], 4: [19, 19], 5: [23, 23] }

/** The capability codes IronLB reads, and the value lengths each may have. */
const capabilityLengthOk = (code: number, len: number): boolean | undefined => {
  if (code === 1) return len === 4
  if (code === 2) return len === 0
  if (code === 5) return len > 0 && len % 6 === 0
  if (code === 64) return len >= 2 && (len - 2) % 4 === 0
  if (code === 65) return len === 4
  return undefined
}

/** The OPEN body; `peerAsn` is the AS the session is configured to expect. */
const openVerdict = (b: Uint8Array, peerAsn: number): Verdict => {
  if (b.length < 10) return error(2, 0)
  if (b[0] !== 4) return error(2, 1)
  const twoOctet = u16(b, 1)
  const hold = u16(b, 3)
  if (10 + (b[9] ?? 0) !== b.length) return error(2, 0)
  if (hold === 1 || hold === 2) return error(2, 6)
  if (u32(b, 5) === 0) return error(2, 3)
  let fourOctet: number | undefined
  for (let at = 10; at < b.length; ) {
    if (b.length - at < 2 || at + 2 + (b[at + 1] ?? 0) > b.length) return error(2, 0)
    if (b[at] !== 2) return error(2, 4)
    const end = at + 2 + (b[at + 1] ?? 0)
    for (let c = at + 2; c < end; ) {
      if (end - c < 2 || c + 2 + (b[c + 1] ?? 0) > end) return error(2, 0)
      const code = b[c] ?? 0
      const len = b[c + 1] ?? 0
      if (capabilityLengthOk(code, len) === false) return error(2, 0)
      // RFC 6793 does not say which of two counts; IronLB takes the first.
      if (code === 65 && fourOctet === undefined) fourOctet = u32(b, c + 2)
      c += 2 + len
    }
    at = end
  }
  if (fourOctet !== undefined && twoOctet !== 23456 && twoOctet !== fourOctet) return error(2, 2)
  return (fourOctet ?? twoOctet) === peerAsn ? ok : error(2, 2)
}

/** Prefixes of `family` bits in b[from, to): each a length, then the bytes it needs. */
const prefixesOk = (b: Uint8Array, from: number, to: number, bits: number): boolean => {
  for (let at = from; at < to; ) {
    const len = b[at] ?? 0
    if (len > bits || at + 1 + Math.ceil(len / 8) > to) return false
    at += 1 + Math.ceil(len / 8)
  }
  return true
}

/** Bits of an AFI with SAFI unicast (RFC 4760), undefined for a family not ours (skipped). */
const unicastBits = (afi: number, safi: number | undefined): number | undefined => (safi !== 1 ? undefined : afi === 1 ? 32 : afi === 2 ? 128 : undefined)

const mpReachOk = (v: Uint8Array): boolean => {
  if (v.length < 5) return false
  const nh = v[3] ?? 0
  if (v.length < 5 + nh) return false
  const bits = unicastBits(u16(v, 0), v[2])
  if (bits === undefined) return true
  // RFC 2545 and RFC 8950: IPv6 next hops of 16 or 32 bytes; for IPv4 routes also an IPv4 one.
  if (nh !== 16 && nh !== 32 && !(bits === 32 && nh === 4)) return false
  return prefixesOk(v, 5 + nh, v.length, bits)
}

const mpUnreachOk = (v: Uint8Array): boolean => {
  if (v.length < 3) return false
  const bits = unicastBits(u16(v, 0), v[2])
  return bits === undefined || prefixesOk(v, 3, v.length, bits)
}

/** RFC 7606: only what leaves the UPDATE unparseable, or a bad multiprotocol attribute, resets. */
const updateVerdict = (b: Uint8Array): Verdict => {
  if (b.length < 4) return error(3, 1)
  const withdrawnEnd = 2 + u16(b, 0)
  if (withdrawnEnd + 2 > b.length) return error(3, 1)
  const attrsEnd = withdrawnEnd + 2 + u16(b, withdrawnEnd)
  if (attrsEnd > b.length) return error(3, 1)
  if (!prefixesOk(b, 2, withdrawnEnd, 32) || !prefixesOk(b, attrsEnd, b.length, 32)) return error(3, 10)
  const attrs: { readonly flags: number; readonly type: number; readonly value: Uint8Array }[] = []
  for (let at = withdrawnEnd + 2; at < attrsEnd; ) {
    const flags = b[at] ?? 0
    const extended = (flags & 0x10) !== 0
    if (attrsEnd - at < (extended ? 4 : 3)) return error(3, 1)
    const len = extended ? u16(b, at + 2) : (b[at + 2] ?? 0)
    const v = at + (extended ? 4 : 3)
    if (v + len > attrsEnd) return error(3, 1)
    attrs.push({ flags, type: b[at + 1] ?? 0, value: b.slice(v, v + len) })
    at = v + len
  }
  const seen = new Set<number>()
  for (const a of attrs) {
    const mp = a.type === 14 || a.type === 15
    if (seen.has(a.type)) {
      if (mp) return error(3, 1)
      continue
    }
    seen.add(a.type)
    if (!mp) continue
    if ((a.flags & 0x80) === 0) return error(3, 4)
    if (!(a.type === 14 ? mpReachOk(a.value) : mpUnreachOk(a.value))) return error(3, 9)
  }
  return ok
}

/** RFC 6608 subcodes: a message the state does not expect. */
const FSM_SUBCODE: Record<Phase, number> = { OpenSent: 1, OpenConfirm: 2, Established: 3 }

/**
 * Reads `bytes` as the session does from `phase`, one message after another. `updatesOnUp`: the
 * UPDATEs it sends on reaching Established from OpenConfirm (its table and End-of-RIB).
 */
export const expectedAnswer = (bytes: Uint8Array, phase: Phase, peerAsn: number, updatesOnUp = 0): Expected => {
  const replies: string[] = []
  let refreshes = 0
  let at = 0
  const fail = (code: number, subcode: number): Expected => ({ replies: [...replies, `${code}/${subcode}`], refreshes, end: 'closed' })
  for (;;) {
    if (bytes.length - at < 19) return { replies, refreshes, end: at === bytes.length ? 'open' : 'partial' }
    for (let i = 0; i < 16; i++) if (bytes[at + i] !== 0xff) return fail(1, 1)
    const length = u16(bytes, at + 16)
    const type = bytes[at + 18] ?? 0
    if (length < 19 || length > 4096) return fail(1, 2)
    const bounds = BOUNDS[type]
    if (bounds === undefined) return fail(1, 3)
    if (length < bounds[0] || length > bounds[1]) return fail(1, 2)
    if (bytes.length - at < length) return { replies, refreshes, end: 'partial' }
    const body = bytes.slice(at + 19, at + length)
    at += length
    const v = type === 1 ? openVerdict(body, peerAsn) : type === 2 ? updateVerdict(body) : ok
    if (v._tag === 'Error') return fail(v.code, v.subcode)
    if (type === 3) return { replies, refreshes, end: 'closed' }
    if (phase === 'OpenSent' && type === 1) {
      replies.push('keepalive')
      phase = 'OpenConfirm'
    } else if (phase === 'OpenConfirm' && type === 4) {
      phase = 'Established'
      refreshes += updatesOnUp
    }
    else if (phase !== 'Established' || type === 1) return fail(5, FSM_SUBCODE[phase])
    else if (type === 5 && u16(body, 0) === 1 && body[3] === 1) refreshes += 1
  }
}

// The OPEN message (RFC 4271 §4.2) with capabilities (RFC 5492): multiprotocol (RFC 4760), route
// refresh (RFC 2918), extended next hop (RFC 8950), graceful restart (RFC 4724) and four-octet AS
// numbers (RFC 6793). Decoding checks what RFC 4271 §6.2 asks
// and answers a bad OPEN with the matching NOTIFICATION.
import * as E from 'fp-ts/lib/Either.js'
import { u16, u32 } from '../bytes/reader.js'
import { ErrorCode, OpenError, type Notification, notification } from './notification.js'

const BGP_VERSION = 4
/** The two-octet stand-in for a four-octet AS number (RFC 6793). */
export const AS_TRANS = 23456
const CAPABILITIES_PARAMETER = 2

export type Capability =
  | { readonly _tag: 'Multiprotocol'; readonly afi: number; readonly safi: number }
  | { readonly _tag: 'RouteRefresh' }
  | { readonly _tag: 'ExtendedNextHop'; readonly families: readonly NextHopFamily[] }
  | { readonly _tag: 'FourOctetAs'; readonly asn: number }
  | { readonly _tag: 'GracefulRestart'; readonly restarted: boolean; readonly restartSeconds: number; readonly families: readonly GracefulFamily[] }
  | { readonly _tag: 'Unknown'; readonly code: number; readonly value: Uint8Array }

/** RFC 8950 §3: NLRI of (afi, safi) may carry a next hop of `nextHopAfi`. */
interface NextHopFamily {
  readonly afi: number
  readonly safi: number
  readonly nextHopAfi: number
}

/** RFC 4724 §3: a family whose forwarding state the sender kept across its restart (the F bit). */
interface GracefulFamily {
  readonly afi: number
  readonly safi: number
  readonly forwardingKept: boolean
}

export const AFI = { IPv4: 1, IPv6: 2 } as const
export const SAFI_UNICAST = 1

export interface Open {
  /** The sender's AS: from the four-octet capability when present, else the two-octet field. */
  readonly asn: number
  /** 0 (no keepalives) or at least 3 seconds. */
  readonly holdTimeSeconds: number
  /** The BGP Identifier, an IPv4 address as a 32-bit number; never 0. */
  readonly routerId: number
  readonly capabilities: readonly Capability[]
}

const capabilityBytes = (c: Capability): number[] => {
  switch (c._tag) {
    case 'Multiprotocol':
      return [1, 4, c.afi >>> 8, c.afi & 0xff, 0, c.safi]
    case 'RouteRefresh':
      return [2, 0]
    case 'ExtendedNextHop':
      // RFC 8950 §3: code 5, then AFI (2 bytes), SAFI (2 bytes), next hop AFI (2 bytes) per family.
      return [5, 6 * c.families.length, ...c.families.flatMap((f) => [f.afi >>> 8, f.afi & 0xff, f.safi >>> 8, f.safi & 0xff, f.nextHopAfi >>> 8, f.nextHopAfi & 0xff])]
    case 'FourOctetAs':
      return [65, 4, (c.asn >>> 24) & 0xff, (c.asn >>> 16) & 0xff, (c.asn >>> 8) & 0xff, c.asn & 0xff]
    case 'GracefulRestart': {
      // RFC 4724 §3: flags (R = 0x8) and a 12-bit restart time, then AFI, SAFI, flags (F = 0x80) per family.
      const head = (c.restarted ? 0x8000 : 0) | (c.restartSeconds & 0x0fff)
      const families = c.families.flatMap((f) => [f.afi >>> 8, f.afi & 0xff, f.safi, f.forwardingKept ? 0x80 : 0])
      return [64, 2 + families.length, head >>> 8, head & 0xff, ...families]
    }
    case 'Unknown':
      return [c.code, c.value.length, ...c.value]
  }
}

/** The OPEN body. The capabilities travel in one optional parameter (at most 255 bytes of them). */
export const encodeOpen = (o: Open): Uint8Array => {
  const caps = o.capabilities.flatMap(capabilityBytes)
  const params = caps.length === 0 ? [] : [CAPABILITIES_PARAMETER, caps.length, ...caps]
  const twoOctet = o.asn > 0xffff ? AS_TRANS : o.asn
  const id = o.routerId >>> 0
  return Uint8Array.from([
    BGP_VERSION,
    twoOctet >>> 8,
    twoOctet & 0xff,
    o.holdTimeSeconds >>> 8,
    o.holdTimeSeconds & 0xff,
    id >>> 24,
    (id >>> 16) & 0xff,
    (id >>> 8) & 0xff,
    id & 0xff,
    params.length,
    ...params,
  ])
}

const openError = (subcode: number, data: Uint8Array = new Uint8Array(0)): Notification => notification(ErrorCode.Open, subcode, data)

const gracefulRestartAt = (b: Uint8Array, v: number, len: number): Capability => {
  const head = u16(b, v)
  const families = Array.from({ length: (len - 2) / 4 }, (_, i) => ({ afi: u16(b, v + 2 + i * 4), safi: b[v + 4 + i * 4] ?? 0, forwardingKept: ((b[v + 5 + i * 4] ?? 0) & 0x80) !== 0 }))
  return { _tag: 'GracefulRestart', restarted: (head & 0x8000) !== 0, restartSeconds: head & 0x0fff, families }
}

const decodeCapabilities = (b: Uint8Array, from: number, to: number): E.Either<Notification, Capability[]> => {
  const out: Capability[] = []
  let at = from
  while (at < to) {
    if (to - at < 2) return E.left(openError(OpenError.Unspecific))
    const code = b[at] ?? 0
    const len = b[at + 1] ?? 0
    const v = at + 2
    if (v + len > to) return E.left(openError(OpenError.Unspecific))
    if (code === 1 && len === 4) out.push({ _tag: 'Multiprotocol', afi: u16(b, v), safi: b[v + 3] ?? 0 })
    else if (code === 2 && len === 0) out.push({ _tag: 'RouteRefresh' })
    else if (code === 65 && len === 4) out.push({ _tag: 'FourOctetAs', asn: u32(b, v) })
    else if (code === 5 && len > 0 && len % 6 === 0)
      out.push({ _tag: 'ExtendedNextHop', families: Array.from({ length: len / 6 }, (_, i) => ({ afi: u16(b, v + i * 6), safi: u16(b, v + i * 6 + 2), nextHopAfi: u16(b, v + i * 6 + 4) })) })
    else if (code === 64 && len >= 2 && (len - 2) % 4 === 0) out.push(gracefulRestartAt(b, v, len))
    else if (code === 1 || code === 2 || code === 5 || code === 64 || code === 65) return E.left(openError(OpenError.Unspecific))
    else out.push({ _tag: 'Unknown', code, value: b.slice(v, v + len) })
    at = v + len
  }
  return E.right(out)
}

/** Decodes and checks an OPEN body (the header already checked its length is at least 10). */
export const decodeOpen = (b: Uint8Array): E.Either<Notification, Open> => {
  if (b.length < 10) return E.left(openError(OpenError.Unspecific))
  if (b[0] !== BGP_VERSION) return E.left(openError(OpenError.UnsupportedVersion, Uint8Array.of(0, BGP_VERSION)))
  const twoOctet = u16(b, 1)
  const holdTimeSeconds = u16(b, 3)
  const routerId = u32(b, 5)
  const paramsLength = b[9] ?? 0
  if (10 + paramsLength !== b.length) return E.left(openError(OpenError.Unspecific))
  if (holdTimeSeconds === 1 || holdTimeSeconds === 2) return E.left(openError(OpenError.UnacceptableHoldTime))
  if (routerId === 0) return E.left(openError(OpenError.BadBgpIdentifier))
  const capabilities: Capability[] = []
  let at = 10
  while (at < b.length) {
    if (b.length - at < 2) return E.left(openError(OpenError.Unspecific))
    const type = b[at] ?? 0
    const len = b[at + 1] ?? 0
    if (at + 2 + len > b.length) return E.left(openError(OpenError.Unspecific))
    if (type !== CAPABILITIES_PARAMETER) return E.left(openError(OpenError.UnsupportedOptionalParameter))
    const caps = decodeCapabilities(b, at + 2, at + 2 + len)
    if (E.isLeft(caps)) return caps
    capabilities.push(...caps.right)
    at += 2 + len
  }
  const four = capabilities.find((c): c is Extract<Capability, { _tag: 'FourOctetAs' }> => c._tag === 'FourOctetAs')
  // RFC 6793: with the capability, the two-octet field is AS_TRANS for a large AS, else the AS itself.
  if (four !== undefined && twoOctet !== AS_TRANS && twoOctet !== four.asn) return E.left(openError(OpenError.BadPeerAs, Uint8Array.of(twoOctet >>> 8, twoOctet & 0xff)))
  return E.right({ asn: four?.asn ?? twoOctet, holdTimeSeconds, routerId, capabilities })
}

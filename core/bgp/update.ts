// The UPDATE message (RFC 4271 §4.3, RFC 4760 for IPv6, RFC 8950 for IPv4 routes with an IPv6 next
// hop, which travel in the multiprotocol attributes with AFI 1). Encoding builds what IronLB advertises;
// decoding reads what a router sends. Error handling follows RFC 7606: what leaves the message
// unparseable (lengths that overrun, a broken multiprotocol attribute, a bad prefix) is a session
// reset (Left, with the NOTIFICATION to send); a bad attribute value in a message that still parses
// makes the update "treat-as-withdraw" (listed in attributeErrors) and the session stays up.
import * as E from 'fp-ts/lib/Either.js'
import { u16, u32 } from '../bytes/reader.js'
import type { IP } from '../net/address.js'
import type { Prefix } from '../net/prefix.js'
import { ipBytes, ipv4At, ipv6At } from '../packet/ipBytes.js'
import { AttrType, Flag, type LargeCommunity, type MpReach, ORIGIN_CODES, type Origin, type PathAttributes } from './attributes.js'
import { decodePrefixes, encodePrefix } from './nlri.js'
import { AFI, AS_TRANS, SAFI_UNICAST } from './open.js'
import { ErrorCode, type Notification, UpdateError, notification } from './notification.js'

export interface Update {
  /** IPv4 routes withdrawn (classic field). */
  readonly withdrawn: readonly Prefix[]
  /** Present when the update announces anything. */
  readonly attributes?: PathAttributes
  /** IPv4 routes announced (classic field). */
  readonly nlri: readonly Prefix[]
  /** IPv6 routes, or IPv4 ones with an IPv6 next hop (RFC 8950); one family, which sets the AFI. */
  readonly mpReach?: MpReach
  /** Routes withdrawn in MP_UNREACH_NLRI: IPv6, or IPv4 of an RFC 8950 session; one family. */
  readonly mpUnreach: readonly Prefix[]
  /** Send MP_UNREACH_NLRI even with no prefix: alone in an UPDATE it is IPv6's End-of-RIB (RFC 4724 §2). */
  readonly mpEndOfRib?: true
}

export interface UpdateCodecOptions {
  /** Both sides sent the four-octet AS capability: AS_PATH carries 4-byte AS numbers. */
  readonly fourOctetAs: boolean
}

const be = (v: number, bytes: number): number[] => Array.from({ length: bytes }, (_, i) => (v >>> (8 * (bytes - 1 - i))) & 0xff)

const attribute = (flags: number, type: number, value: readonly number[]): number[] =>
  value.length > 255 ? [flags | Flag.ExtendedLength, type, ...be(value.length, 2), ...value] : [flags, type, value.length, ...value]

const asPathValue = (path: readonly number[], fourOctet: boolean): number[] => {
  const out: number[] = []
  for (let i = 0; i < path.length; i += 255) {
    const segment = path.slice(i, i + 255)
    out.push(2, segment.length, ...segment.flatMap((asn) => (fourOctet ? be(asn, 4) : be(asn > 0xffff ? AS_TRANS : asn, 2))))
  }
  return out
}

/** The AFI of a multiprotocol attribute: its prefixes' family (IPv6 when it has none, as End-of-RIB). */
const afiOf = (prefixes: readonly Prefix[]): number => (prefixes[0]?.network.family === 4 ? AFI.IPv4 : AFI.IPv6)

const WELL_KNOWN = Flag.Transitive
const OPTIONAL = Flag.Optional
const OPTIONAL_TRANSITIVE = Flag.Optional | Flag.Transitive

/** The UPDATE body. Attributes in type-code order; a large AS without four-octet AS becomes AS_TRANS. */
export const encodeUpdate = (u: Update, o: UpdateCodecOptions): Uint8Array => {
  const withdrawn = u.withdrawn.flatMap(encodePrefix)
  const attrs: number[] = []
  const a = u.attributes
  if (a !== undefined) {
    attrs.push(...attribute(WELL_KNOWN, AttrType.Origin, [ORIGIN_CODES[a.origin]]))
    attrs.push(...attribute(WELL_KNOWN, AttrType.AsPath, asPathValue(a.asPath, o.fourOctetAs)))
    if (a.nextHop !== undefined) attrs.push(...attribute(WELL_KNOWN, AttrType.NextHop, [...ipBytes(a.nextHop)]))
    if (a.med !== undefined) attrs.push(...attribute(OPTIONAL, AttrType.MultiExitDisc, be(a.med, 4)))
    if (a.localPref !== undefined) attrs.push(...attribute(WELL_KNOWN, AttrType.LocalPref, be(a.localPref, 4)))
    if (a.communities.length > 0) attrs.push(...attribute(OPTIONAL_TRANSITIVE, AttrType.Communities, a.communities.flatMap((c) => be(c, 4))))
  }
  if (u.mpReach !== undefined) {
    const r = u.mpReach
    const nh = [...ipBytes(r.nextHop), ...(r.linkLocalNextHop === undefined ? [] : ipBytes(r.linkLocalNextHop))]
    attrs.push(...attribute(OPTIONAL, AttrType.MpReach, [...be(afiOf(r.nlri), 2), SAFI_UNICAST, nh.length, ...nh, 0, ...r.nlri.flatMap(encodePrefix)]))
  }
  if (u.mpUnreach.length > 0 || u.mpEndOfRib === true) attrs.push(...attribute(OPTIONAL, AttrType.MpUnreach, [...be(afiOf(u.mpUnreach), 2), SAFI_UNICAST, ...u.mpUnreach.flatMap(encodePrefix)]))
  if (a !== undefined && a.largeCommunities.length > 0)
    attrs.push(...attribute(OPTIONAL_TRANSITIVE, AttrType.LargeCommunities, a.largeCommunities.flatMap((c) => [...be(c.global, 4), ...be(c.local1, 4), ...be(c.local2, 4)])))
  return Uint8Array.from([...be(withdrawn.length, 2), ...withdrawn, ...be(attrs.length, 2), ...attrs, ...u.nlri.flatMap(encodePrefix)])
}

// ---- decoding ----------------------------------------------------------------------------------------

export interface ReceivedUpdate extends Update {
  /** Non-empty: the update is treated as a withdrawal of everything it announces (RFC 7606). */
  readonly attributeErrors: readonly Notification[]
}

const updateError = (subcode: number, data: Uint8Array = new Uint8Array(0)): Notification => notification(ErrorCode.Update, subcode, data)

interface RawAttribute {
  readonly flags: number
  readonly type: number
  readonly value: Uint8Array
  /** The whole attribute (flags, type, length, value): the data of its NOTIFICATION. */
  readonly whole: Uint8Array
}

const rawAttributes = (b: Uint8Array, from: number, to: number): E.Either<Notification, RawAttribute[]> => {
  const out: RawAttribute[] = []
  let at = from
  while (at < to) {
    if (to - at < 3) return E.left(updateError(UpdateError.MalformedAttributeList))
    const flags = b[at] ?? 0
    const type = b[at + 1] ?? 0
    const extended = (flags & Flag.ExtendedLength) !== 0
    if (extended && to - at < 4) return E.left(updateError(UpdateError.MalformedAttributeList))
    const len = extended ? u16(b, at + 2) : (b[at + 2] ?? 0)
    const v = at + (extended ? 4 : 3)
    if (v + len > to) return E.left(updateError(UpdateError.MalformedAttributeList))
    out.push({ flags, type, value: b.slice(v, v + len), whole: b.slice(at, v + len) })
    at = v + len
  }
  return E.right(out)
}

const asPathOf = (v: Uint8Array, fourOctet: boolean): number[] | undefined => {
  const size = fourOctet ? 4 : 2
  const out: number[] = []
  let at = 0
  while (at < v.length) {
    if (v.length - at < 2) return undefined
    const kind = v[at] ?? 0
    const count = v[at + 1] ?? 0
    if (kind < 1 || kind > 4 || count === 0 || at + 2 + count * size > v.length) return undefined
    for (let i = 0; i < count; i++) out.push(fourOctet ? u32(v, at + 2 + i * 4) : u16(v, at + 2 + i * 2))
    at += 2 + count * size
  }
  return out
}

const mpPrefixes = (v: Uint8Array, from: number, family: 4 | 6): E.Either<Notification, Prefix[]> =>
  E.mapLeft(() => updateError(UpdateError.OptionalAttribute))(decodePrefixes(v, from, v.length, family))

/** The unicast family of an AFI, or undefined for one that is not ours. */
const unicastFamily = (afi: number, safi: number | undefined): 4 | 6 | undefined =>
  safi !== SAFI_UNICAST ? undefined : afi === AFI.IPv6 ? 6 : afi === AFI.IPv4 ? 4 : undefined

/**
 * MP_REACH_NLRI for IPv4 or IPv6 unicast; other families are not ours and are skipped (undefined).
 * Next hops: 16 or 32 bytes (global, link-local) of IPv6 (RFC 2545, RFC 8950), or 4 of IPv4 for AFI 1.
 */
const mpReachOf = (v: Uint8Array): E.Either<Notification, MpReach | undefined> => {
  if (v.length < 5) return E.left(updateError(UpdateError.OptionalAttribute))
  const family = unicastFamily(u16(v, 0), v[2])
  const nhLength = v[3] ?? 0
  if (v.length < 5 + nhLength) return E.left(updateError(UpdateError.OptionalAttribute))
  if (family === undefined) return E.right(undefined)
  const v4NextHop = family === 4 && nhLength === 4
  if (nhLength !== 16 && nhLength !== 32 && !v4NextHop) return E.left(updateError(UpdateError.OptionalAttribute))
  const nextHop = v4NextHop ? ipv4At(v, 4) : ipv6At(v, 4)
  return E.map((nlri: Prefix[]): MpReach => ({ nextHop, ...(nhLength === 32 ? { linkLocalNextHop: ipv6At(v, 20) } : {}), nlri }))(mpPrefixes(v, 5 + nhLength, family))
}

const mpUnreachOf = (v: Uint8Array): E.Either<Notification, Prefix[]> => {
  if (v.length < 3) return E.left(updateError(UpdateError.OptionalAttribute))
  const family = unicastFamily(u16(v, 0), v[2])
  return family === undefined ? E.right([]) : mpPrefixes(v, 3, family)
}

const KNOWN_WELL_KNOWN: ReadonlySet<number> = new Set([AttrType.Origin, AttrType.AsPath, AttrType.NextHop, AttrType.LocalPref, AttrType.AtomicAggregate])
const KNOWN_OPTIONAL: ReadonlySet<number> = new Set([AttrType.MultiExitDisc, AttrType.Aggregator, AttrType.Communities, AttrType.MpReach, AttrType.MpUnreach, AttrType.LargeCommunities])

export const decodeUpdate = (b: Uint8Array, o: UpdateCodecOptions): E.Either<Notification, ReceivedUpdate> => {
  if (b.length < 4) return E.left(updateError(UpdateError.MalformedAttributeList))
  const withdrawnEnd = 2 + u16(b, 0)
  if (withdrawnEnd + 2 > b.length) return E.left(updateError(UpdateError.MalformedAttributeList))
  const attrsEnd = withdrawnEnd + 2 + u16(b, withdrawnEnd)
  if (attrsEnd > b.length) return E.left(updateError(UpdateError.MalformedAttributeList))
  const withdrawn = decodePrefixes(b, 2, withdrawnEnd, 4)
  const nlri = decodePrefixes(b, attrsEnd, b.length, 4)
  if (E.isLeft(withdrawn) || E.isLeft(nlri)) return E.left(updateError(UpdateError.InvalidNetworkField))
  const raws = rawAttributes(b, withdrawnEnd + 2, attrsEnd)
  if (E.isLeft(raws)) return raws

  const errors: Notification[] = []
  const seen = new Set<number>()
  let origin: Origin | undefined
  let asPath: number[] | undefined
  let nextHop: IP | undefined
  let med: number | undefined
  let localPref: number | undefined
  let communities: number[] = []
  let largeCommunities: LargeCommunity[] = []
  let mpReach: MpReach | undefined
  let mpUnreach: Prefix[] = []
  for (const a of raws.right) {
    const multiprotocol = a.type === AttrType.MpReach || a.type === AttrType.MpUnreach
    if (seen.has(a.type)) {
      // RFC 7606 §3 (g): a repeated multiprotocol attribute is a reset; any other repeat is dropped.
      if (multiprotocol) return E.left(updateError(UpdateError.MalformedAttributeList))
      continue
    }
    seen.add(a.type)
    const optional = (a.flags & Flag.Optional) !== 0
    if (KNOWN_WELL_KNOWN.has(a.type) || KNOWN_OPTIONAL.has(a.type)) {
      if (optional !== KNOWN_OPTIONAL.has(a.type)) {
        if (multiprotocol) return E.left(updateError(UpdateError.AttributeFlags, a.whole))
        errors.push(updateError(UpdateError.AttributeFlags, a.whole))
        continue
      }
    } else {
      if (!optional) errors.push(updateError(UpdateError.UnrecognizedWellKnownAttribute, a.whole))
      continue
    }
    const v = a.value
    const lengthError = (): void => void errors.push(updateError(UpdateError.AttributeLength, a.whole))
    switch (a.type) {
      case AttrType.Origin: {
        if (v.length !== 1) lengthError()
        else if ((v[0] ?? 0) > 2) errors.push(updateError(UpdateError.InvalidOrigin, a.whole))
        else origin = (['igp', 'egp', 'incomplete'] as const)[v[0] ?? 0]
        break
      }
      case AttrType.AsPath: {
        asPath = asPathOf(v, o.fourOctetAs)
        if (asPath === undefined) errors.push(updateError(UpdateError.MalformedAsPath))
        break
      }
      case AttrType.NextHop:
        if (v.length !== 4) lengthError()
        else nextHop = ipv4At(v, 0)
        break
      case AttrType.MultiExitDisc:
        if (v.length !== 4) lengthError()
        else med = u32(v, 0)
        break
      case AttrType.LocalPref:
        if (v.length !== 4) lengthError()
        else localPref = u32(v, 0)
        break
      case AttrType.Communities:
        if (v.length === 0 || v.length % 4 !== 0) lengthError()
        else communities = Array.from({ length: v.length / 4 }, (_, i) => u32(v, i * 4))
        break
      case AttrType.LargeCommunities:
        if (v.length === 0 || v.length % 12 !== 0) lengthError()
        else largeCommunities = Array.from({ length: v.length / 12 }, (_, i) => ({ global: u32(v, i * 12), local1: u32(v, i * 12 + 4), local2: u32(v, i * 12 + 8) }))
        break
      case AttrType.MpReach: {
        const r = mpReachOf(v)
        if (E.isLeft(r)) return r
        mpReach = r.right
        break
      }
      case AttrType.MpUnreach: {
        const r = mpUnreachOf(v)
        if (E.isLeft(r)) return r
        mpUnreach = r.right
        break
      }
      default:
        // ATOMIC_AGGREGATE, AGGREGATOR: read past; nothing of IronLB's depends on them.
        break
    }
  }
  const announces = nlri.right.length > 0 || (mpReach?.nlri.length ?? 0) > 0
  if (announces) {
    const required = [AttrType.Origin, AttrType.AsPath, ...(nlri.right.length > 0 ? [AttrType.NextHop] : [])]
    for (const type of required) if (!seen.has(type)) errors.push(updateError(UpdateError.MissingWellKnownAttribute, Uint8Array.of(type)))
  }
  const attributes: PathAttributes | undefined =
    origin === undefined || asPath === undefined
      ? undefined
      : {
          origin,
          asPath,
          ...(nextHop === undefined ? {} : { nextHop }),
          ...(med === undefined ? {} : { med }),
          ...(localPref === undefined ? {} : { localPref }),
          communities,
          largeCommunities,
        }
  return E.right({
    withdrawn: withdrawn.right,
    ...(attributes === undefined ? {} : { attributes }),
    nlri: nlri.right,
    ...(mpReach === undefined ? {} : { mpReach }),
    mpUnreach,
    attributeErrors: errors,
  })
}

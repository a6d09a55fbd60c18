// The Adj-RIB-Out of one session (RFC 4271 §3.2): what the peer holds from us, and the UPDATEs that
// take it from that to what is wanted now. Only what changed is sent; routes with the same attributes
// share a message; no message passes 4096 bytes; what went is withdrawn. Routes of a family the
// session does not carry, or without a next hop for it, are left out (RFC 4760: only negotiated
// families; RFC 4271 §5.1.3: NEXT_HOP is this end's address towards the peer).
import type { Family, IP } from '../net/address.js'
import { type Prefix, formatPrefix } from '../net/prefix.js'
import type { PathAttributes } from './attributes.js'
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH } from './header.js'
import type { Route } from './route.js'
import { type Update, type UpdateCodecOptions, encodeUpdate } from './update.js'

/** What the session negotiated and knows about its own end. */
export interface OutFacts {
  /** The AS this speaker shows the peer (localASN when set, else myASN). */
  readonly localAsn: number
  readonly ibgp: boolean
  readonly fourOctetAs: boolean
  /** Families this session carries: configured and, for multiprotocol ones, negotiated. */
  readonly families: readonly Family[]
  /** RFC 8950 negotiated: IPv4 routes go in MP_REACH_NLRI with the IPv6 next hop. */
  readonly extendedNextHop: boolean
  readonly nextHopV4?: IP
  readonly nextHopV6?: IP
}

/** What the peer holds from us, by prefix text. */
export type AdjRibOut = ReadonlyMap<string, Route>
export const emptyRibOut: AdjRibOut = new Map()

interface Diff {
  readonly updates: readonly Update[]
  /** The Adj-RIB-Out once the peer has them. */
  readonly sent: AdjRibOut
}

const familyOf = (p: Prefix): Family => p.network.family
const nextHopFor = (f: OutFacts, family: Family): IP | undefined => (family === 4 && !f.extendedNextHop ? f.nextHopV4 : f.nextHopV6)

/** The family's routes travel in the multiprotocol attributes: IPv6 always, IPv4 with an IPv6 next hop. */
const multiprotocol = (f: OutFacts, family: Family): boolean => family === 6 || f.extendedNextHop

/** The wanted routes this session can carry, one per prefix (the first wins), by prefix text. */
export const carried = (wanted: readonly Route[], f: OutFacts): AdjRibOut => {
  const out = new Map<string, Route>()
  for (const r of wanted) {
    const family = familyOf(r.prefix)
    if (!f.families.includes(family) || nextHopFor(f, family) === undefined) continue
    const key = formatPrefix(r.prefix)
    if (!out.has(key)) out.set(key, r)
  }
  return out
}

/** The attributes of a route on this session, next hop aside. */
export const attributesOf = (r: Route, f: OutFacts): PathAttributes => {
  const prepend = r.prepend === undefined ? [] : Array.from({ length: r.prepend.count }, () => r.prepend?.asn ?? 0)
  return {
    origin: 'igp',
    // RFC 4271 §5.1.2: an eBGP speaker puts its own AS first; towards iBGP the path is what we add (prepends only).
    asPath: f.ibgp ? prepend : [f.localAsn, ...prepend],
    ...(f.ibgp && r.localPref !== undefined ? { localPref: r.localPref } : {}),
    communities: r.communities.map((c) => c.high * 0x10000 + c.low),
    largeCommunities: r.largeCommunities.map((c) => ({ global: c.global, local1: c.local1, local2: c.local2 })),
  }
}

/** Same key, same attributes on the wire: such routes share an UPDATE. */
const attributesKey = (r: Route, f: OutFacts): string => {
  const a = attributesOf(r, f)
  return [familyOf(r.prefix), a.asPath.join(' '), a.localPref ?? '-', a.communities.join(' '), a.largeCommunities.map((c) => `${c.global}:${c.local1}:${c.local2}`).join(' ')].join('|')
}

const sameList = <T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean => a.length === b.length && a.every((x, i) => same(x, b[i] as T))

/**
 * attributesKey(a, f) === attributesKey(b, f) for two routes of one prefix, field by field: it runs for
 * every prefix held on every pass, and building both keys there was most of what a pass allocated.
 */
const sameOnWire = (a: Route, b: Route, f: OutFacts): boolean => {
  if (a === b) return true
  const [pa, pb] = [a.prepend?.count ?? 0, b.prepend?.count ?? 0]
  return (
    pa === pb &&
    (pa === 0 || a.prepend?.asn === b.prepend?.asn) &&
    (!f.ibgp || a.localPref === b.localPref) &&
    sameList(a.communities, b.communities, (x, y) => x.high === y.high && x.low === y.low) &&
    sameList(a.largeCommunities, b.largeCommunities, (x, y) => x.global === y.global && x.local1 === y.local1 && x.local2 === y.local2)
  )
}

const byPrefix = (a: Prefix, b: Prefix): number =>
  a.network.family - b.network.family || (a.network.value < b.network.value ? -1 : a.network.value > b.network.value ? 1 : 0) || a.length - b.length

/** Splits prefixes into runs whose encoded NLRI fits `budget` bytes. */
const chunks = (prefixes: readonly Prefix[], budget: number): Prefix[][] => {
  const out: Prefix[][] = []
  let run: Prefix[] = []
  let used = 0
  for (const p of prefixes) {
    const size = 1 + Math.ceil(p.length / 8)
    if (run.length > 0 && used + size > budget) {
      out.push(run)
      run = []
      used = 0
    }
    run.push(p)
    used += size
  }
  if (run.length > 0) out.push(run)
  return out
}

const NO_ROUTES = { withdrawn: [], nlri: [], mpUnreach: [] } as const

/** An UPDATE announcing `prefixes` (all one family) with `a`. */
const announcement = (mp: boolean, a: PathAttributes, nextHop: IP, prefixes: readonly Prefix[]): Update =>
  mp ? { ...NO_ROUTES, attributes: a, mpReach: { nextHop, nlri: prefixes } } : { ...NO_ROUTES, attributes: { ...a, nextHop }, nlri: prefixes }

const withdrawal = (mp: boolean, prefixes: readonly Prefix[]): Update => (mp ? { ...NO_ROUTES, mpUnreach: prefixes } : { ...NO_ROUTES, withdrawn: prefixes })

/**
 * Room left for prefixes in a message carrying `empty`: one byte more is kept back because an
 * attribute past 255 bytes takes the two-byte length form (RFC 4271 §4.3, Extended Length).
 */
const room = (empty: Update, o: UpdateCodecOptions): number => MAX_MESSAGE_LENGTH - HEADER_LENGTH - encodeUpdate(empty, o).length - 1

const announcements = (routes: readonly Route[], f: OutFacts): Update[] => {
  const groups = new Map<string, Route[]>()
  for (const r of routes) {
    const key = attributesKey(r, f)
    const group = groups.get(key)
    if (group === undefined) groups.set(key, [r])
    else group.push(r)
  }
  const o = { fourOctetAs: f.fourOctetAs }
  return [...groups.values()].flatMap((group) => {
    const first = group[0]
    if (first === undefined) return []
    const family = familyOf(first.prefix)
    const nextHop = nextHopFor(f, family)
    if (nextHop === undefined) return []
    const a = attributesOf(first, f)
    const prefixes = group.map((r) => r.prefix).sort(byPrefix)
    const mp = multiprotocol(f, family)
    return chunks(prefixes, room(announcement(mp, a, nextHop, []), o)).map((run) => announcement(mp, a, nextHop, run))
  })
}

const withdrawals = (prefixes: readonly Prefix[], f: OutFacts): Update[] =>
  ([4, 6] as const).flatMap((family) => {
    const mine = prefixes.filter((p) => familyOf(p) === family).sort(byPrefix)
    const mp = multiprotocol(f, family)
    const budget = room({ ...withdrawal(mp, []), mpEndOfRib: true }, { fourOctetAs: f.fourOctetAs })
    return chunks(mine, budget).map((run) => withdrawal(mp, run))
  })

/** The UPDATEs that turn `sent` into `wanted` on the peer: withdrawals first, then announcements. */
export const updatesFor = (sent: AdjRibOut, wanted: readonly Route[], f: OutFacts): Diff => {
  const next = carried(wanted, f)
  const gone: Prefix[] = []
  for (const [key, r] of sent) if (!next.has(key)) gone.push(r.prefix)
  const changed: Route[] = []
  for (const [key, r] of next) {
    const before = sent.get(key)
    if (before === undefined || !sameOnWire(before, r, f)) changed.push(r)
  }
  return { updates: [...withdrawals(gone, f), ...announcements(changed, f)], sent: next }
}

/** End-of-RIB for a family (RFC 4724 §2): an empty UPDATE for IPv4, an empty MP_UNREACH for IPv6. */
export const endOfRib = (family: Family): Update => (family === 4 ? NO_ROUTES : { ...NO_ROUTES, mpEndOfRib: true })

// BGPPeer specs (v1beta1 already converted to the v1beta2 shape) to core/model/bgpPeer.ts, with
// the checks of MetalLB's peerFromCR (internal/config) and the CRD's bounds. The password Secret
// is only referenced here; reading it is the shell's job, since buildConfig sees MetalLB kinds only.
import * as E from 'fp-ts/lib/Either.js'
import type { Asn, BGPPeer, PeerAsn, PeerPassword, PeerTarget, PeerTimers } from '../model/bgpPeer.js'
import { type IP, parseIP } from '../net/address.js'
import { ASN, type BGPPeerSpecWire, CONNECT_TIME_SECONDS, MIN_HOLD_TIME_SECONDS, PEER_PORT } from './bgpPeerCodec.js'
import { parseGoDuration, toMillis, wholeSeconds } from './duration.js'
import type { Report } from './issues.js'
import { selectorsFrom } from './selector.js'

const LINE_BREAK = /[\r\n]/

const asnFrom = (value: number, field: string, report: Report): Asn | undefined => {
  if (value < ASN.min || value > ASN.max) {
    report(field, `${value} is not an AS number (1..${ASN.max})`)
    return undefined
  }
  return value === 0 ? undefined : (value as Asn)
}

const ipFrom = (text: string | undefined, field: string, report: Report): IP | undefined => {
  if (text === undefined || text === '') return undefined
  const ip = parseIP(text.trim())
  if (E.isLeft(ip)) {
    report(field, ip.left)
    return undefined
  }
  return ip.right
}

const durationFrom = (text: string | undefined, field: string, report: Report): bigint | undefined => {
  if (text === undefined) return undefined
  const d = parseGoDuration(text)
  if (E.isLeft(d)) {
    report(field, d.left)
    return undefined
  }
  return d.right
}

const peerAsnFrom = (spec: BGPPeerSpecWire, report: Report): PeerAsn | undefined => {
  const fixed = spec.peerASN === undefined ? undefined : asnFrom(spec.peerASN, 'spec.peerASN', report)
  if (fixed !== undefined && spec.dynamicASN !== undefined) {
    report('spec.dynamicASN', 'peerASN and dynamicASN cannot both be set: give exactly one')
    return undefined
  }
  if (fixed !== undefined) return { _tag: 'Fixed', asn: fixed }
  if (spec.dynamicASN !== undefined) return { _tag: 'Dynamic', mode: spec.dynamicASN }
  if (spec.peerASN === undefined || spec.peerASN === 0)
    report('spec.peerASN', 'give the peer\'s AS number (peerASN) or set dynamicASN to "internal" or "external"')
  return undefined
}

const targetFrom = (spec: BGPPeerSpecWire, report: Report): PeerTarget | undefined => {
  const address = spec.peerAddress ?? ''
  const iface = spec.interface ?? ''
  if (address === '' && iface === '') {
    report('spec.peerAddress', 'give the address to connect to (peerAddress) or an interface for BGP unnumbered')
    return undefined
  }
  if (address !== '' && iface !== '') {
    report('spec.interface', 'peerAddress and interface cannot both be set: give exactly one')
    return undefined
  }
  if (iface !== '') {
    if (LINE_BREAK.test(iface)) {
      report('spec.interface', 'an interface name cannot contain line breaks')
      return undefined
    }
    return { _tag: 'Interface', name: iface }
  }
  const ip = ipFrom(address, 'spec.peerAddress', report)
  return ip === undefined ? undefined : { _tag: 'Address', ip }
}

// MetalLB's parseTimers: a missing timer is derived from the other (keepalive = hold / 3, hold =
// keepalive * 3); the hold time, in whole seconds, must be 0 or at least 3; keepalive may not exceed
// the hold time.
const timersFrom = (spec: BGPPeerSpecWire, report: Report): PeerTimers | undefined => {
  const hold = durationFrom(spec.holdTime, 'spec.holdTime', report)
  const keepalive = durationFrom(spec.keepaliveTime, 'spec.keepaliveTime', report)
  if ((spec.holdTime !== undefined && hold === undefined) || (spec.keepaliveTime !== undefined && keepalive === undefined))
    return undefined
  if (hold === undefined && keepalive === undefined) return undefined
  // MetalLB lets a negative keepalive through when a hold time is given; IronLB refuses both signs.
  if ((hold ?? 0n) < 0n || (keepalive ?? 0n) < 0n) {
    if ((hold ?? 0n) < 0n) report('spec.holdTime', `${JSON.stringify(spec.holdTime)} is negative`)
    if ((keepalive ?? 0n) < 0n) report('spec.keepaliveTime', `${JSON.stringify(spec.keepaliveTime)} is negative`)
    return undefined
  }
  const h = hold ?? (keepalive ?? 0n) * 3n
  const k = keepalive ?? h / 3n
  const seconds = wholeSeconds(h)
  if (seconds !== 0n && seconds < BigInt(MIN_HOLD_TIME_SECONDS)) {
    if (hold !== undefined) report('spec.holdTime', `${JSON.stringify(spec.holdTime)} is too short: the hold time must be 0 or at least ${MIN_HOLD_TIME_SECONDS}s`)
    else
      report(
        'spec.keepaliveTime',
        `${JSON.stringify(spec.keepaliveTime)} makes the hold time (3 × keepalive) shorter than ${MIN_HOLD_TIME_SECONDS}s; set holdTime, or a keepalive of at least 1s`,
      )
  }
  // Only possible when both are given: a derived timer always fits the other.
  if (k > h)
    report('spec.keepaliveTime', `${JSON.stringify(spec.keepaliveTime)} is longer than holdTime ${JSON.stringify(spec.holdTime)}`)
  return { holdTime: toMillis(h), keepaliveTime: toMillis(k) }
}

const connectTimeFrom = (spec: BGPPeerSpecWire, report: Report): number | undefined => {
  const d = durationFrom(spec.connectTime, 'spec.connectTime', report)
  if (d === undefined) return undefined
  const ms = toMillis(d)
  if (ms % 1000 !== 0) report('spec.connectTime', `${JSON.stringify(spec.connectTime)} is not a whole number of seconds`)
  else if (ms < CONNECT_TIME_SECONDS.min * 1000 || ms > CONNECT_TIME_SECONDS.max * 1000)
    report('spec.connectTime', `${JSON.stringify(spec.connectTime)} is outside ${CONNECT_TIME_SECONDS.min}s..${CONNECT_TIME_SECONDS.max}s`)
  return ms
}

const passwordFrom = (spec: BGPPeerSpecWire, report: Report): PeerPassword => {
  const inline = spec.password ?? ''
  const secret = spec.passwordSecret?.name ?? ''
  if (inline !== '' && secret !== '') report('spec.passwordSecret', 'password and passwordSecret cannot both be set: give at most one')
  if (LINE_BREAK.test(inline)) report('spec.password', 'the password cannot contain line breaks')
  if (secret !== '') return { _tag: 'Secret', name: secret, namespace: spec.passwordSecret?.namespace }
  return inline === '' ? { _tag: 'None' } : { _tag: 'Inline', password: inline }
}

/**
 * Validates one peer. `bfdProfiles` holds the names of every BFDProfile in the namespace (valid
 * or not), so a broken profile is reported once, on the profile, not again on each peer using it.
 */
export const peerFrom = (
  name: string,
  spec: BGPPeerSpecWire,
  bfdProfiles: ReadonlySet<string>,
  report: Report,
): BGPPeer | undefined => {
  const myAsn = asnFrom(spec.myASN, 'spec.myASN', report)
  if (myAsn === undefined && spec.myASN === 0) report('spec.myASN', 'myASN is required: 0 is not an AS number')
  const peerAsn = peerAsnFrom(spec, report)
  const ebgpMultiHop = spec.ebgpMultiHop ?? false
  if (ebgpMultiHop && peerAsn?._tag === 'Fixed' && peerAsn.asn === myAsn)
    report('spec.ebgpMultiHop', 'ebgpMultiHop is for eBGP peers, but peerASN equals myASN (an iBGP session)')
  const target = targetFrom(spec, report)
  const sourceAddress = ipFrom(spec.sourceAddress, 'spec.sourceAddress', report)
  const routerId = ipFrom(spec.routerID, 'spec.routerID', report)
  // RFC 4271 §4.2: the BGP Identifier is 4 octets. MetalLB parses any IP here; IronLB insists.
  if (routerId !== undefined && routerId.family !== 4) report('spec.routerID', `${JSON.stringify(spec.routerID)} is not an IPv4 address`)
  const port = spec.peerPort ?? PEER_PORT.default
  if (port < PEER_PORT.min || port > PEER_PORT.max) report('spec.peerPort', `${port} is outside ${PEER_PORT.min}..${PEER_PORT.max}`)
  const timers = timersFrom(spec, report)
  const connectTime = connectTimeFrom(spec, report)
  const nodeSelectors = selectorsFrom(spec.nodeSelectors, 'spec.nodeSelectors', report)
  const password = passwordFrom(spec, report)
  const vrf = spec.vrf ?? ''
  if (LINE_BREAK.test(vrf)) report('spec.vrf', 'a VRF name cannot contain line breaks')
  const bfdProfile = spec.bfdProfile === undefined || spec.bfdProfile === '' ? undefined : spec.bfdProfile
  if (bfdProfile !== undefined && !bfdProfiles.has(bfdProfile))
    report('spec.bfdProfile', `BFDProfile ${JSON.stringify(bfdProfile)} does not exist in this namespace`)
  const localAsn = spec.localASN === undefined ? undefined : asnFrom(spec.localASN, 'spec.localASN', report)
  if (myAsn === undefined || peerAsn === undefined || target === undefined) return undefined
  return {
    name,
    myAsn,
    peerAsn,
    target,
    sourceAddress,
    port,
    timers,
    connectTime,
    routerId,
    nodeSelectors,
    password,
    bfdProfile,
    enableGracefulRestart: spec.enableGracefulRestart ?? false,
    ebgpMultiHop,
    vrf,
    disableMP: spec.disableMP ?? false,
    dualStackAddressFamily: spec.dualStackAddressFamily ?? false,
    localAsn,
  }
}

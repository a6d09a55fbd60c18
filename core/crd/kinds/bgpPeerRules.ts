// The BGPPeer checks of core/config/peers.ts that CEL can make on one object, for both served
// versions. Each rule lists the spec fields it reads, and a version gets only the rules whose fields
// it has (v1beta1 has no dynamicASN, interface, passwordSecret or connectTime). A bad duration is
// reported once by its syntax rule; the rules that compare durations skip text that is not one.
// The BFDProfile a peer names must exist: that needs other objects, so the controller checks it.
import { ASN, CONNECT_TIME_SECONDS, MIN_HOLD_TIME_SECONDS, PEER_PORT } from '../../config/bgpPeerCodec.js'
import { IS_IP, NO_LINE_BREAKS, isDuration, isSet, whenDuration } from '../cel.js'
import type { Overlay, Overlays, ValidationRule } from '../openApi.js'

/** A rule on `spec` and the spec fields it reads. */
interface SpecRule {
  readonly reads: readonly string[]
  readonly rule: ValidationRule
}

/** Bounds on free text, so that rules reading it stay within the API server's CEL budget. */
const MAX_PEER_TEXT = 253
/** Go duration text longer than this is no timer anyone means. */
const MAX_DURATION_TEXT = 64

/** CEL has no duration × int; three additions are exact. */
const TRIPLE_KEEPALIVE = '(duration(self.keepaliveTime) + duration(self.keepaliveTime) + duration(self.keepaliveTime))'

const both = (a: string, b: string): string => `${isDuration(`self.${a}`)} && ${isDuration(`self.${b}`)}`

const SPEC_RULES: readonly SpecRule[] = [
  {
    reads: ['peerASN', 'dynamicASN'],
    rule: {
      rule: `!(${isSet('peerASN', '0')} && has(self.dynamicASN))`,
      fieldPath: '.dynamicASN',
      reason: 'FieldValueForbidden',
      message: 'peerASN and dynamicASN cannot both be set: give exactly one',
    },
  },
  {
    reads: ['peerASN', 'dynamicASN'],
    rule: {
      rule: `${isSet('peerASN', '0')} || has(self.dynamicASN)`,
      fieldPath: '.peerASN',
      reason: 'FieldValueRequired',
      message: 'give the peer\'s AS number in peerASN, or set dynamicASN to "internal" or "external"',
    },
  },
  {
    reads: ['peerAddress', 'interface'],
    rule: {
      rule: `!(${isSet('peerAddress', "''")} && ${isSet('interface', "''")})`,
      fieldPath: '.interface',
      reason: 'FieldValueForbidden',
      message: 'peerAddress and interface cannot both be set: give exactly one',
    },
  },
  {
    reads: ['peerAddress', 'interface'],
    rule: {
      rule: `${isSet('peerAddress', "''")} || ${isSet('interface', "''")}`,
      fieldPath: '.peerAddress',
      reason: 'FieldValueRequired',
      message: 'give the address to connect to in peerAddress, or an interface for BGP unnumbered',
    },
  },
  {
    reads: ['password', 'passwordSecret'],
    rule: {
      rule: `!(${isSet('password', "''")} && has(self.passwordSecret) && ${isSet('passwordSecret.name', "''")})`,
      fieldPath: '.passwordSecret',
      reason: 'FieldValueForbidden',
      message: 'password and passwordSecret cannot both be set: give at most one',
    },
  },
  {
    reads: ['myASN', 'peerASN', 'ebgpMultiHop'],
    rule: {
      rule: `!(${isSet('ebgpMultiHop', 'false')} && ${isSet('peerASN', '0')} && self.peerASN == self.myASN)`,
      fieldPath: '.ebgpMultiHop',
      message: 'ebgpMultiHop is for eBGP peers, but peerASN equals myASN (an iBGP session)',
    },
  },
  {
    reads: ['holdTime', 'keepaliveTime'],
    rule: {
      rule: `!has(self.holdTime) || !has(self.keepaliveTime) || !(${both('holdTime', 'keepaliveTime')}) || duration(self.keepaliveTime) <= duration(self.holdTime)`,
      fieldPath: '.keepaliveTime',
      message: 'keepaliveTime may not be longer than holdTime',
    },
  },
  {
    // MetalLB derives a missing hold time as three keepalives, in whole seconds.
    reads: ['holdTime', 'keepaliveTime'],
    rule: {
      rule: `has(self.holdTime) || !has(self.keepaliveTime) || ${whenDuration(
        'self.keepaliveTime',
        `${TRIPLE_KEEPALIVE}.getSeconds() <= 0 || ${TRIPLE_KEEPALIVE}.getSeconds() >= ${MIN_HOLD_TIME_SECONDS}`,
      )}`,
      fieldPath: '.keepaliveTime',
      message: `without holdTime the hold time is 3 × keepaliveTime, which must be 0 or at least ${MIN_HOLD_TIME_SECONDS}s: set holdTime, or a keepalive of at least 1s`,
    },
  },
]

const durationSyntax = (field: string): ValidationRule => ({
  rule: isDuration('self'),
  message: `${field} must be a duration: a number and a unit, such as "90s" or "1m30s"`,
})

const notNegative = (field: string): ValidationRule => ({
  rule: whenDuration('self', "duration(self) >= duration('0s')"),
  message: `${field} may not be negative`,
})

const ip = (field: string, extra = ''): ValidationRule => ({
  rule: `self == '' || (${IS_IP}${extra})`,
  message: `${field} must be ${extra === '' ? 'an IP' : 'an IPv4'} address`,
})

/**
 * MetalLB declares the AS numbers `format: int32` although they are uint32 up to 4294967295; the
 * Kubernetes 1.36 API server refuses that combination on every write ("Maximum boundary value must
 * be of type integer with format int32"), so IronLB declares int64, which holds every AS number.
 */
const asn: Overlay = { format: 'int64', minimum: ASN.min, maximum: ASN.max }
const text = (field: string): Overlay => ({
  maxLength: MAX_PEER_TEXT,
  rules: [{ rule: NO_LINE_BREAKS, message: `${field} may not contain line breaks` }],
})
const duration = (field: string, more: readonly ValidationRule[] = []): Overlay => ({
  maxLength: MAX_DURATION_TEXT,
  rules: [durationSyntax(field), notNegative(field), ...more],
})

/** Overlays by spec field (without the "spec." prefix). */
const FIELD_OVERLAYS: Readonly<Record<string, Overlay>> = {
  myASN: { ...asn, rules: [{ rule: 'self != 0', message: 'myASN is required: 0 is not an AS number' }] },
  peerASN: asn,
  // Refused at apply as MetalLB's webhook refuses it. The controller still reads an old object's 0
  // as "unset" (core/config/peers.ts), so nothing stored before breaks.
  localASN: {
    ...asn,
    rules: [{ rule: 'self != 0', message: 'localASN 0 is not an AS number: leave localASN out to use myASN' }],
  },
  peerPort: { minimum: PEER_PORT.min, maximum: PEER_PORT.max, default: PEER_PORT.default },
  peerAddress: { maxLength: MAX_PEER_TEXT, rules: [ip('peerAddress')] },
  sourceAddress: { maxLength: MAX_PEER_TEXT, rules: [ip('sourceAddress')] },
  // RFC 4271 §4.2: the BGP Identifier is four octets.
  routerID: { maxLength: MAX_PEER_TEXT, rules: [ip('routerID', ' && ip(self.trim()).family() == 4')] },
  interface: text('interface'),
  vrf: text('vrf'),
  password: text('password'),
  holdTime: duration('holdTime', [
    {
      rule: whenDuration('self', `duration(self).getSeconds() <= 0 || duration(self).getSeconds() >= ${MIN_HOLD_TIME_SECONDS}`),
      message: `holdTime must be 0 or at least ${MIN_HOLD_TIME_SECONDS}s (RFC 4271 §4.2)`,
    },
  ]),
  keepaliveTime: duration('keepaliveTime'),
  connectTime: duration('connectTime', [
    {
      rule: whenDuration('self', 'duration(self).getMilliseconds() % 1000 == 0'),
      message: 'connectTime must be a whole number of seconds',
    },
    {
      rule: whenDuration(
        'self',
        `duration(self).getSeconds() >= ${CONNECT_TIME_SECONDS.min} && duration(self).getSeconds() <= ${CONNECT_TIME_SECONDS.max}`,
      ),
      message: `connectTime must be from ${CONNECT_TIME_SECONDS.min}s to ${CONNECT_TIME_SECONDS.max}s`,
    },
  ]),
  // MetalLB: immutable, as changing it needs the session to restart.
  enableGracefulRestart: { rules: [{ rule: 'self == oldSelf', message: 'enableGracefulRestart cannot be changed after creation' }] },
  disableMP: { default: false },
  passwordSecret: { mapType: 'atomic' },
}

/** The overlays for a version whose spec has exactly the fields in `specFields`. */
export const peerRuleOverlays = (specFields: ReadonlySet<string>): Overlays => {
  const rules = SPEC_RULES.filter((r) => r.reads.every((f) => specFields.has(f))).map((r) => r.rule)
  const fields = Object.entries(FIELD_OVERLAYS).filter(([f]) => specFields.has(f))
  return {
    ...(rules.length === 0 ? {} : { spec: { rules } }),
    ...Object.fromEntries(fields.map(([f, o]) => [`spec.${f}`, o])),
  }
}

// Wire shapes of BGPPeer in both served versions: metallb.io/v1beta2 (the storage version) and the
// deprecated v1beta1, whose node selectors use MetalLB's own selector type. `peerSpecFromV1beta1`
// converts the old shape the way MetalLB's conversion webhook does, so validation is written once.
import * as t from 'io-ts'
import { type LabelSelectorWire, labelSelectorCodec, objectCodec } from './metaCodec.js'

const passwordSecretCodec = t.partial({ name: t.string, namespace: t.string })

const bgpPeerV1beta2SpecCodec = t.intersection([
  t.type({ myASN: t.Int }),
  t.partial({
    peerASN: t.Int,
    dynamicASN: t.keyof({ internal: null, external: null }),
    peerAddress: t.string,
    interface: t.string,
    sourceAddress: t.string,
    peerPort: t.Int,
    holdTime: t.string,
    keepaliveTime: t.string,
    connectTime: t.string,
    routerID: t.string,
    nodeSelectors: t.array(labelSelectorCodec),
    password: t.string,
    passwordSecret: passwordSecretCodec,
    bfdProfile: t.string,
    enableGracefulRestart: t.boolean,
    ebgpMultiHop: t.boolean,
    vrf: t.string,
    disableMP: t.boolean,
    dualStackAddressFamily: t.boolean,
    localASN: t.Int,
  }),
])
export type BGPPeerSpecWire = t.TypeOf<typeof bgpPeerV1beta2SpecCodec>

export const bgpPeerV1beta2Codec = objectCodec('BGPPeer', bgpPeerV1beta2SpecCodec)

/** v1beta1's selector: like metav1.LabelSelector, but every expression must list values. */
const v1beta1NodeSelectorCodec = t.partial({
  matchLabels: t.record(t.string, t.string),
  matchExpressions: t.array(t.type({ key: t.string, operator: t.string, values: t.array(t.string) })),
})

const bgpPeerV1beta1SpecCodec = t.intersection([
  t.type({ myASN: t.Int, peerASN: t.Int, peerAddress: t.string }),
  t.partial({
    sourceAddress: t.string,
    peerPort: t.Int,
    holdTime: t.string,
    keepaliveTime: t.string,
    routerID: t.string,
    nodeSelectors: t.array(v1beta1NodeSelectorCodec),
    password: t.string,
    bfdProfile: t.string,
    ebgpMultiHop: t.boolean,
  }),
])
type V1beta1Spec = t.TypeOf<typeof bgpPeerV1beta1SpecCodec>

export const bgpPeerV1beta1Codec = objectCodec('BGPPeer', bgpPeerV1beta1SpecCodec)

/** The fields both versions share carry over as they are; only the selector type changes. */
export const peerSpecFromV1beta1 = (spec: V1beta1Spec): BGPPeerSpecWire => {
  const { nodeSelectors, ...rest } = spec
  if (nodeSelectors === undefined) return rest
  const converted: LabelSelectorWire[] = nodeSelectors.map((s) => ({
    ...(s.matchLabels === undefined ? {} : { matchLabels: s.matchLabels }),
    ...(s.matchExpressions === undefined ? {} : { matchExpressions: s.matchExpressions }),
  }))
  return { ...rest, nodeSelectors: converted }
}

/** uint32 on the MetalLB types; 0 means "not set". */
export const ASN = { min: 0, max: 4294967295 } as const
/** CRD bounds and default (MetalLB's CRD caps the port at 16384). */
export const PEER_PORT = { min: 0, max: 16384, default: 179 } as const
/** A hold time under 3 s is refused unless it is 0 (RFC 4271 §4.2); MetalLB compares whole seconds. */
export const MIN_HOLD_TIME_SECONDS = 3
/** CRD validation rules on connectTime: whole seconds in this range. */
export const CONNECT_TIME_SECONDS = { min: 1, max: 65535 } as const

export const bgpPeerDescriptions = {
  'spec.myASN': 'AS number of this side of the session.',
  'spec.peerASN': 'AS number the peer must use. Give exactly one of peerASN and dynamicASN.',
  'spec.dynamicASN': 'Accept the peer\'s AS number as it comes: "internal" (must equal myASN) or "external" (must differ).',
  'spec.peerAddress': 'Address to connect to. Give exactly one of peerAddress and interface.',
  'spec.interface': 'Interface to peer over with BGP unnumbered, instead of an address.',
  'spec.sourceAddress': 'Local address to connect from.',
  'spec.peerPort': 'TCP port to connect to (default 179).',
  'spec.holdTime': 'Hold time, as a duration ("90s"); 0 or at least 3s. Keepalive defaults to a third of it.',
  'spec.keepaliveTime': 'Keepalive interval, as a duration ("30s"); may not exceed the hold time.',
  'spec.connectTime': 'Wait between connection attempts, a whole number of seconds from 1s to 65535s.',
  'spec.routerID': 'BGP identifier to announce, an IPv4 address.',
  'spec.nodeSelectors': 'Nodes that peer with this router; empty means every node.',
  'spec.password': 'TCP MD5 password. Give at most one of password and passwordSecret.',
  'spec.passwordSecret': 'A kubernetes.io/basic-auth Secret whose "password" key holds the TCP MD5 password.',
  'spec.bfdProfile': 'Name of the BFDProfile for a BFD session alongside this one; unset means no BFD.',
  'spec.enableGracefulRestart': 'Ask the peer to keep forwarding while the session restarts.',
  'spec.ebgpMultiHop': 'The eBGP peer is more than one hop away. Not allowed when peerASN equals myASN.',
  'spec.vrf': 'Host VRF whose interfaces the session uses.',
  'spec.disableMP': 'Exchange IPv4 and IPv6 routes in separate sessions (deprecated upstream).',
  'spec.dualStackAddressFamily': 'Exchange both IPv4 and IPv6 routes over this session.',
  'spec.localASN': 'AS number to show this peer instead of myASN (local-as, without prepending myASN); leave it out to use myASN (0 is refused at apply; an object stored with 0 before counts as unset).',
} as const

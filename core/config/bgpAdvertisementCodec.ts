// Wire shape of BGPAdvertisement (metallb.io/v1beta1), its numeric ranges, defaults and field
// descriptions. Ranges follow the CRD and MetalLB's config parser.
import * as t from 'io-ts'
import { labelSelectorCodec, objectWithOptionalSpecCodec } from './metaCodec.js'

const bgpAdvertisementSpecCodec = t.partial({
  aggregationLength: t.Int,
  aggregationLengthV6: t.Int,
  localPref: t.Int,
  asPathPrepend: t.Int,
  communities: t.array(t.string),
  ipAddressPools: t.array(t.string),
  ipAddressPoolSelectors: t.array(labelSelectorCodec),
  nodeSelectors: t.array(labelSelectorCodec),
  peers: t.array(t.string),
  serviceSelectors: t.array(labelSelectorCodec),
})

export const bgpAdvertisementCodec = objectWithOptionalSpecCodec('BGPAdvertisement', bgpAdvertisementSpecCodec)
export type BGPAdvertisementWire = t.TypeOf<typeof bgpAdvertisementCodec>

/** CRD: minimum 1, default 32; MetalLB refuses more than 32. */
export const AGGREGATION_LENGTH = { min: 1, max: 32, default: 32 } as const
/**
 * CRD: default 128, no minimum; MetalLB refuses more than 128. IronLB also refuses negative
 * lengths, which MetalLB would only reject once an IPv6 pool is attached.
 */
export const AGGREGATION_LENGTH_V6 = { min: 0, max: 128, default: 128 } as const
/** LOCAL_PREF is an unsigned 32-bit attribute (RFC 4271 §5.1.5). */
export const LOCAL_PREF = { min: 0, max: 4294967295, default: 0 } as const
/** MetalLB v0.16.2's CRD: 1..10 when set; unset (0) prepends nothing. */
export const AS_PATH_PREPEND = { min: 1, max: 10 } as const

export const bgpAdvertisementDescriptions = {
  'spec.aggregationLength': 'Prefix length IPv4 addresses are announced with; 32 announces each address alone.',
  'spec.aggregationLengthV6': 'Prefix length IPv6 addresses are announced with; 128 announces each address alone.',
  'spec.localPref': 'LOCAL_PREF attribute sent to iBGP peers.',
  'spec.asPathPrepend':
    'Specifies the number of times to prepend the ASN to the AS-path on outgoing BGP updates, artificially lengthening the path for traffic engineering.',
  'spec.communities':
    'Communities attached to the announcements: "65000:100", "large:65000:1:2", or the name of an alias from a Community object.',
  'spec.ipAddressPools': 'Pools announced by this advertisement, by name. With no pools and no pool selectors, every pool is announced.',
  'spec.ipAddressPoolSelectors': 'Label selectors for the pools announced by this advertisement.',
  'spec.nodeSelectors': 'Nodes that announce; empty means every node.',
  'spec.peers': 'BGPPeer names to announce to; empty means every peer.',
  'spec.serviceSelectors': 'Label selectors for the Services this advertisement applies to; empty means all of them.',
} as const

// Wire shape of L2Advertisement (metallb.io/v1beta1) and its field descriptions.
import * as t from 'io-ts'
import { labelSelectorCodec, objectWithOptionalSpecCodec } from './metaCodec.js'

/** Both fields required, as in MetalLB's PreferredNodeSelector (no omitempty on either). */
const preferredNodeSelectorCodec = t.type({
  weight: t.Int,
  preference: labelSelectorCodec,
})

const l2AdvertisementSpecCodec = t.partial({
  ipAddressPools: t.array(t.string),
  ipAddressPoolSelectors: t.array(labelSelectorCodec),
  nodeSelectors: t.array(labelSelectorCodec),
  interfaces: t.array(t.string),
  serviceSelectors: t.array(labelSelectorCodec),
  preferredNodeSelectors: t.array(preferredNodeSelectorCodec),
})

export const l2AdvertisementCodec = objectWithOptionalSpecCodec('L2Advertisement', l2AdvertisementSpecCodec)
export type L2AdvertisementWire = t.TypeOf<typeof l2AdvertisementCodec>

/** PreferredSchedulingTerm's range, which MetalLB's CRD copies. */
export const PREFERENCE_WEIGHT = { min: 1, max: 100 } as const

export const l2AdvertisementDescriptions = {
  'spec.ipAddressPools': 'Pools announced by this advertisement, by name. With no pools and no pool selectors, every pool is announced.',
  'spec.ipAddressPoolSelectors': 'Label selectors for the pools announced by this advertisement.',
  'spec.nodeSelectors': 'Nodes that may announce; empty means every node.',
  'spec.interfaces': 'Network interfaces to answer ARP and NDP on; empty means every interface.',
  'spec.serviceSelectors': 'Label selectors for the Services this advertisement applies to; empty means all of them.',
  'spec.preferredNodeSelectors':
    'Soft preferences for the announcing node. A node selected by this advertisement gains the weight of every preference it matches; the highest total across the advertisements of a Service announces, ties broken by hash. Preferred nodes that are down or not eligible are passed over.',
  'spec.preferredNodeSelectors[].weight': 'How much matching the preference counts, from 1 to 100.',
  'spec.preferredNodeSelectors[].preference': 'Label selector for the preferred nodes; an empty one matches every node of this advertisement.',
} as const

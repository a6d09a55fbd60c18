// Wire shape of L2Advertisement (metallb.io/v1beta1) and its field descriptions.
import * as t from 'io-ts'
import { labelSelectorCodec, objectWithOptionalSpecCodec } from './metaCodec.js'

export const l2AdvertisementSpecCodec = t.partial({
  ipAddressPools: t.array(t.string),
  ipAddressPoolSelectors: t.array(labelSelectorCodec),
  nodeSelectors: t.array(labelSelectorCodec),
  interfaces: t.array(t.string),
  serviceSelectors: t.array(labelSelectorCodec),
})

export const l2AdvertisementCodec = objectWithOptionalSpecCodec('L2Advertisement', l2AdvertisementSpecCodec)
export type L2AdvertisementWire = t.TypeOf<typeof l2AdvertisementCodec>

export const l2AdvertisementDescriptions = {
  'spec.ipAddressPools': 'Pools announced by this advertisement, by name. With no pools and no pool selectors, every pool is announced.',
  'spec.ipAddressPoolSelectors': 'Label selectors for the pools announced by this advertisement.',
  'spec.nodeSelectors': 'Nodes that may announce; empty means every node.',
  'spec.interfaces': 'Network interfaces to answer ARP and NDP on; empty means every interface.',
  'spec.serviceSelectors': 'Label selectors for the Services this advertisement applies to; empty means all of them.',
} as const

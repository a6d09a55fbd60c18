// Wire shape of IPAddressPool (metallb.io/v1beta1), with its defaults and field descriptions.
import * as t from 'io-ts'
import { labelSelectorCodec, objectCodec } from './metaCodec.js'

const serviceAllocationCodec = t.partial({
  priority: t.Int,
  namespaces: t.array(t.string),
  namespaceSelectors: t.array(labelSelectorCodec),
  serviceSelectors: t.array(labelSelectorCodec),
})

const ipAddressPoolSpecCodec = t.intersection([
  t.type({ addresses: t.array(t.string) }),
  t.partial({
    autoAssign: t.boolean,
    avoidBuggyIPs: t.boolean,
    serviceAllocation: serviceAllocationCodec,
  }),
])

export const ipAddressPoolCodec = objectCodec('IPAddressPool', ipAddressPoolSpecCodec)
export type IPAddressPoolWire = t.TypeOf<typeof ipAddressPoolCodec>

/** CRD defaults (kubebuilder:default on the MetalLB types). */
export const IP_ADDRESS_POOL_DEFAULTS = { autoAssign: true, avoidBuggyIPs: false, priority: 0 } as const

export const ipAddressPoolDescriptions = {
  'spec.addresses':
    'Address blocks the pool hands out, each a CIDR ("192.0.2.0/24") or a first-last range ("192.0.2.10-192.0.2.20"). No block may overlap another block of any pool.',
  'spec.autoAssign': 'When false, addresses are given only to Services that ask for this pool or for a specific address.',
  'spec.avoidBuggyIPs': 'When true, IPv4 addresses ending in .0 or .255 are never handed out.',
  'spec.serviceAllocation':
    'Limits the pool to some Services. When present the pool serves only the Services it matches; present but empty matches every Service.',
  'spec.serviceAllocation.priority': 'Among matching pools, lower positive numbers are tried first; pools without a priority come last.',
  'spec.serviceAllocation.namespaces': 'Namespaces whose Services may use the pool.',
  'spec.serviceAllocation.namespaceSelectors': 'Label selectors for namespaces whose Services may use the pool.',
  'spec.serviceAllocation.serviceSelectors': 'Label selectors for Services that may use the pool.',
} as const

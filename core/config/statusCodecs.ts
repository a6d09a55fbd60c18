// Wire shapes of what IronLB writes rather than reads, as MetalLB v0.16 has them: IPAddressPool's
// status counters, the per-Service announcement records the speaker keeps (ServiceL2Status,
// ServiceBGPStatus) and the ConfigurationState each component reports. The CRDs are derived from
// these codecs (core/crd), so the writers and the API server agree on the shape.
import * as t from 'io-ts'
import { objectMetaCodec } from './metaCodec.js'

/** IPAddressPool `status`: every counter is always written (MetalLB: int64, no omitempty). */
export const ipAddressPoolStatusCodec = t.type({
  assignedIPv4: t.Int,
  assignedIPv6: t.Int,
  availableIPv4: t.Int,
  availableIPv6: t.Int,
})

export const ipAddressPoolStatusDescriptions = {
  assignedIPv4: 'IPv4 addresses of the pool given to Services.',
  assignedIPv6: 'IPv6 addresses of the pool given to Services.',
  availableIPv4: 'IPv4 addresses of the pool still free.',
  availableIPv6: 'IPv6 addresses of the pool still free.',
} as const

/** Labels the speaker puts on ServiceL2Status and ServiceBGPStatus objects, as MetalLB does. */
export const STATUS_LABELS = {
  node: 'metallb.io/node',
  serviceName: 'metallb.io/service-name',
  serviceNamespace: 'metallb.io/service-namespace',
} as const

/** Name prefixes (metadata.generateName) MetalLB gives the two status kinds. */
export const STATUS_NAME_PREFIX = { l2: 'l2-', bgp: 'bgp-' } as const

const announcementFields = {
  node: t.string,
  serviceName: t.string,
  serviceNamespace: t.string,
}

const serviceL2StatusStatusCodec = t.partial({
  ...announcementFields,
  interfaces: t.array(t.partial({ name: t.string })),
})

export const serviceL2StatusCodec = t.intersection(
  [t.type({ metadata: objectMetaCodec }), t.partial({ spec: t.type({}), status: serviceL2StatusStatusCodec })],
  'ServiceL2Status',
)

export const serviceL2StatusDescriptions = {
  spec: 'Unused: the object only carries status.',
  status: 'Where one LoadBalancer Service is announced in layer 2 mode.',
  'status.node': 'The node answering ARP and NDP for the Service. Fixed once set.',
  'status.serviceName': 'Name of the Service. Fixed once set.',
  'status.serviceNamespace': 'Namespace of the Service. Fixed once set.',
  'status.interfaces': 'Network interfaces the node announces the addresses on.',
  'status.interfaces[].name': 'The interface name.',
} as const

const serviceBGPStatusStatusCodec = t.partial({
  ...announcementFields,
  peers: t.array(t.string),
})

export const serviceBGPStatusCodec = t.intersection(
  [t.type({ metadata: objectMetaCodec }), t.partial({ spec: t.type({}), status: serviceBGPStatusStatusCodec })],
  'ServiceBGPStatus',
)

export const serviceBGPStatusDescriptions = {
  spec: 'Unused: the object only carries status.',
  status: 'Which BGP peers one node is configured to announce one LoadBalancer Service to.',
  'status.node': 'The announcing node. Fixed once set.',
  'status.serviceName': 'Name of the Service. Fixed once set.',
  'status.serviceNamespace': 'Namespace of the Service. Fixed once set.',
  'status.peers':
    'BGPPeer names the Service is configured to be announced to; whether a session is up and the route actually sent is not shown here.',
} as const

/** metav1.Condition, as every Kubernetes status condition list holds it. */
const conditionCodec = t.intersection([
  t.type({
    type: t.string,
    status: t.keyof({ True: null, False: null, Unknown: null }),
    lastTransitionTime: t.string,
    reason: t.string,
    message: t.string,
  }),
  t.partial({ observedGeneration: t.Int }),
])

export const conditionDescriptions = {
  type: 'What the condition is about, in CamelCase or as example.com/CamelCase.',
  status: 'True, False or Unknown.',
  lastTransitionTime: 'When status last changed (RFC 3339).',
  reason: 'A CamelCase word naming why status has its value.',
  message: 'Details for people; may be empty.',
  observedGeneration: 'The metadata.generation the condition was computed from.',
} as const

/** Valid, Invalid, or Unknown when the component has not checked yet. */
const configurationResultCodec = t.keyof({ Valid: null, Invalid: null, Unknown: null })

const configurationStateStatusCodec = t.partial({
  result: configurationResultCodec,
  errorSummary: t.string,
  conditions: t.array(conditionCodec),
})

export const configurationStateCodec = t.intersection(
  [t.type({ metadata: objectMetaCodec }), t.partial({ status: configurationStateStatusCodec })],
  'ConfigurationState',
)

/** Labels MetalLB puts on ConfigurationState objects; node-name only on a speaker's. */
export const CONFIGURATION_STATE_LABELS = {
  componentType: 'metallb.io/component-type',
  nodeName: 'metallb.io/node-name',
} as const

export const configurationStateDescriptions = {
  status: 'The outcome of the last configuration check by one component.',
  'status.result': 'Valid, Invalid, or Unknown when the component has not checked yet.',
  'status.errorSummary': 'Every configuration error found, joined; empty when the result is Valid.',
  'status.conditions': 'Conditions of the component\'s reconcilers, one per type.',
} as const

// The kinds IronLB writes for people to read: ServiceL2Status and ServiceBGPStatus (one object per
// announced Service and node, written by the speaker) and ConfigurationState (one per component).
// Their fields are only written through the status subresource. As in MetalLB, which Service and
// node a status object describes is fixed once written (CEL transition rules).
import {
  conditionDescriptions,
  configurationStateCodec,
  configurationStateDescriptions,
  serviceBGPStatusCodec,
  serviceBGPStatusDescriptions,
  serviceL2StatusCodec,
  serviceL2StatusDescriptions,
} from '../../config/statusCodecs.js'
import type { KindDef, PrinterColumn } from '../crd.js'
import { type Overlays, describe, mergeOverlays, under } from '../openApi.js'

const fixedOnceSet = (field: string): Overlays => ({
  [`status.${field}`]: { rules: [{ rule: 'self == oldSelf', message: `${field} cannot be changed once set` }] },
})

const announcementOverlays: Overlays = mergeOverlays(
  fixedOnceSet('node'),
  fixedOnceSet('serviceName'),
  fixedOnceSet('serviceNamespace'),
)

const serviceColumns = (nodeColumn: string): PrinterColumn[] => [
  { name: nodeColumn, type: 'string', jsonPath: '.status.node' },
  { name: 'Service Name', type: 'string', jsonPath: '.status.serviceName' },
  { name: 'Service Namespace', type: 'string', jsonPath: '.status.serviceNamespace' },
]

export const serviceL2StatusKind: KindDef = {
  kind: 'ServiceL2Status',
  plural: 'servicel2statuses',
  description:
    'Which node announces a LoadBalancer Service in layer 2 mode, and on which interfaces. Written by the speaker; labelled metallb.io/node, metallb.io/service-name and metallb.io/service-namespace.',
  versions: [
    {
      name: 'v1beta1',
      served: true,
      storage: true,
      codec: serviceL2StatusCodec,
      overlays: mergeOverlays(describe(serviceL2StatusDescriptions), announcementOverlays),
      statusSubresource: true,
      printerColumns: serviceColumns('Allocated Node'),
    },
  ],
}

export const serviceBGPStatusKind: KindDef = {
  kind: 'ServiceBGPStatus',
  plural: 'servicebgpstatuses',
  description:
    'Which BGP peers one node announces a LoadBalancer Service to. Written by the speaker; labelled metallb.io/node, metallb.io/service-name and metallb.io/service-namespace.',
  versions: [
    {
      name: 'v1beta1',
      served: true,
      storage: true,
      codec: serviceBGPStatusCodec,
      overlays: mergeOverlays(describe(serviceBGPStatusDescriptions), announcementOverlays),
      statusSubresource: true,
      printerColumns: serviceColumns('Node'),
    },
  ],
}

// metav1.Condition's own validation, as every built-in API and controller-gen declare it.
const CONDITION_TYPE_RE = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$'
const CONDITION_REASON_RE = '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$'

const conditionOverlays: Overlays = {
  type: { maxLength: 316, pattern: CONDITION_TYPE_RE },
  reason: { minLength: 1, maxLength: 1024, pattern: CONDITION_REASON_RE },
  message: { maxLength: 32768 },
  lastTransitionTime: { format: 'date-time' },
  observedGeneration: { format: 'int64', minimum: 0 },
}

export const configurationStateKind: KindDef = {
  kind: 'ConfigurationState',
  plural: 'configurationstates',
  description:
    'Whether one IronLB component found the MetalLB configuration valid. Labelled metallb.io/component-type (controller or speaker) and, for a speaker, metallb.io/node-name.',
  versions: [
    {
      name: 'v1beta1',
      served: true,
      storage: true,
      codec: configurationStateCodec,
      overlays: mergeOverlays(
        describe(configurationStateDescriptions),
        under('status.conditions[]', mergeOverlays(describe(conditionDescriptions), conditionOverlays)),
        { 'status.conditions': { listType: 'map', listMapKeys: ['type'] } },
      ),
      statusSubresource: true,
      printerColumns: [
        { name: 'Result', type: 'string', jsonPath: '.status.result' },
        { name: 'ErrorSummary', type: 'string', jsonPath: '.status.errorSummary' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
}

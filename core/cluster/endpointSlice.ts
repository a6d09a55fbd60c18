// EndpointSlice objects to core/model/endpoints.ts. A slice belongs to the Service named by its
// `kubernetes.io/service-name` label (MetalLB's serviceNameForSlice); a slice without that label
// was not made for a Service and is left out. Conditions follow MetalLB's EndpointCanServe: an
// unset `ready` counts as ready, an unset `serving` as whatever `ready` is.
import { asNodeName, serviceKey } from '../model/names.js'
import type { Endpoint, EndpointSlice } from '../model/endpoints.js'
import type { EndpointSliceWire } from './codecs.js'
import { DEFAULT_NAMESPACE } from './service.js'

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name'

export const endpointSliceFrom = (wire: EndpointSliceWire): EndpointSlice | undefined => {
  const labels = wire.metadata.labels ?? {}
  const serviceName = Object.prototype.hasOwnProperty.call(labels, SERVICE_NAME_LABEL) ? labels[SERVICE_NAME_LABEL] : undefined
  if (serviceName === undefined || serviceName === '') return undefined
  const namespace = wire.metadata.namespace === undefined || wire.metadata.namespace === '' ? DEFAULT_NAMESPACE : wire.metadata.namespace
  const endpoints: Endpoint[] = (wire.endpoints ?? []).map((e) => {
    const ready = e.conditions?.ready ?? true
    return {
      addresses: e.addresses,
      nodeName: e.nodeName === undefined || e.nodeName === '' ? undefined : asNodeName(e.nodeName),
      ready,
      serving: e.conditions?.serving ?? ready,
      terminating: e.conditions?.terminating ?? false,
    }
  })
  return { namespace, name: wire.metadata.name, service: serviceKey(namespace, serviceName), endpoints }
}

// Node and Namespace objects to the core model: names, labels, and for nodes the two signals that
// keep a node from announcing (the NetworkUnavailable condition being "True", and the
// exclude-from-external-load-balancers label being present with any value).
import { asNodeName } from '../model/names.js'
import { EXCLUDE_FROM_LB_LABEL, type Node } from '../model/node.js'
import type { Namespace } from '../model/service.js'
import type { NamespaceWire, NodeWire } from './codecs.js'

export const nodeFrom = (wire: NodeWire): Node => {
  const labels = Object.fromEntries(Object.entries(wire.metadata.labels ?? {}))
  return {
    name: asNodeName(wire.metadata.name),
    labels,
    networkUnavailable: (wire.status?.conditions ?? []).some((c) => c.type === 'NetworkUnavailable' && c.status === 'True'),
    excludedFromLoadBalancers: Object.prototype.hasOwnProperty.call(labels, EXCLUDE_FROM_LB_LABEL),
  }
}

export const namespaceFrom = (wire: NamespaceWire): Namespace => ({
  name: wire.metadata.name,
  labels: Object.fromEntries(Object.entries(wire.metadata.labels ?? {})),
})

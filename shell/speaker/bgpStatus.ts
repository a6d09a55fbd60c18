// ServiceBGPStatus: one per (Service, node) listing the peers the Service is advertised to
// (core/speaker/bgpStatusWrites.ts decides the writes from the plan's advertised routes).
import { STATUS_NAME_PREFIX } from '../../core/config/statusCodecs.js'
import type { BgpStatusWrite, DesiredBgpStatus } from '../../core/speaker/bgpStatusWrites.js'
import type { KubeObject } from '../kube/reflector.js'
import { statusPublisher, writeStatuses, type StatusDeps, type StatusKind } from './statusObjects.js'

const BGP_STATUS: StatusKind<DesiredBgpStatus> = {
  kind: 'ServiceBGPStatus',
  plural: 'servicebgpstatuses',
  namePrefix: STATUS_NAME_PREFIX.bgp,
  protocol: 'bgp',
  logPrefix: 'bgp-status',
  fieldsOf: (d) => ({ peers: d.peers }),
}

export const writeBgpStatus = (deps: StatusDeps, writes: readonly BgpStatusWrite[]): Promise<readonly KubeObject[]> => writeStatuses(BGP_STATUS, deps, writes)

export const bgpStatusPublisher = (deps: StatusDeps, observe: (o: KubeObject) => void, kick: () => void): ((writes: readonly BgpStatusWrite[]) => void) =>
  statusPublisher(BGP_STATUS, deps, observe, kick)

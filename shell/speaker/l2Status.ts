// ServiceL2Status: one per Service announced from this node, naming the interfaces it is announced on
// (core/speaker/l2StatusWrites.ts decides the writes from the cache).
import { STATUS_NAME_PREFIX } from '../../core/config/statusCodecs.js'
import type { DesiredL2Status } from '../../core/speaker/l2StatusDiff.js'
import type { L2StatusWrite } from '../../core/speaker/l2StatusWrites.js'
import type { KubeObject } from '../kube/reflector.js'
import { statusPublisher, writeStatuses, type StatusDeps, type StatusKind } from './statusObjects.js'

const L2_STATUS: StatusKind<DesiredL2Status> = {
  kind: 'ServiceL2Status',
  plural: 'servicel2statuses',
  namePrefix: STATUS_NAME_PREFIX.l2,
  protocol: 'layer2',
  logPrefix: 'l2-status',
  fieldsOf: (d) => ({ interfaces: d.interfaces.map((name) => ({ name })) }),
}

export const writeL2Status = (deps: StatusDeps, writes: readonly L2StatusWrite[]): Promise<readonly KubeObject[]> => writeStatuses(L2_STATUS, deps, writes)

export const l2StatusPublisher = (deps: StatusDeps, observe: (o: KubeObject) => void, kick: () => void): ((writes: readonly L2StatusWrite[]) => void) =>
  statusPublisher(L2_STATUS, deps, observe, kick)

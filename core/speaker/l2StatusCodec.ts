// This node's ServiceL2Status objects, as the caches hold them, decoded at the boundary into the
// diff's plain records (l2StatusDiff.ts). Each field is read on its own, so one malformed field costs
// only itself: the Service falls back to the labels the speaker sets on create (a status not yet
// patched has only those), unreadable interfaces read as none (the diff then rewrites them), and an
// object naming no Service is skipped, since nothing can be diffed against it.
import * as t from 'io-ts'
import { STATUS_LABELS } from '../config/statusCodecs.js'
import type { L2StatusObject } from './l2StatusDiff.js'

const Named = t.type({ metadata: t.type({ name: t.string }) })
const Labels = t.type({ metadata: t.type({ labels: t.UnknownRecord }) })
const StatusNames = t.type({ status: t.partial({ serviceName: t.string, serviceNamespace: t.string }) })
const Interfaces = t.type({ status: t.type({ interfaces: t.UnknownArray }) })
const InterfaceName = t.type({ name: t.string })

const orUndefined = <A>(r: t.Validation<A>): A | undefined => (r._tag === 'Right' ? r.right : undefined)
const labelOf = (labels: Record<string, unknown> | undefined, key: string): string | undefined => {
  const v = labels?.[key]
  return typeof v === 'string' ? v : undefined
}

export const decodeL2Status = (raw: unknown): L2StatusObject | undefined => {
  const name = orUndefined(Named.decode(raw))?.metadata.name
  const labels = orUndefined(Labels.decode(raw))?.metadata.labels
  const status = orUndefined(StatusNames.decode(raw))?.status
  const serviceName = status?.serviceName ?? labelOf(labels, STATUS_LABELS.serviceName)
  const serviceNamespace = status?.serviceNamespace ?? labelOf(labels, STATUS_LABELS.serviceNamespace)
  if (name === undefined || serviceName === undefined || serviceNamespace === undefined) return undefined
  const listed = orUndefined(Interfaces.decode(raw))?.status.interfaces ?? []
  const interfaces = listed.flatMap((i) => {
    const n = orUndefined(InterfaceName.decode(i))
    return n === undefined ? [] : [n.name]
  })
  return { name, serviceName, serviceNamespace, interfaces }
}

export const decodeL2Statuses = (objects: readonly unknown[]): readonly L2StatusObject[] =>
  objects.flatMap((o) => {
    const s = decodeL2Status(o)
    return s === undefined ? [] : [s]
  })

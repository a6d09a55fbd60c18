// This node's ServiceBGPStatus objects, as the caches hold them, decoded at the boundary into
// bgpStatusWrites.ts's records. As for ServiceL2Status (l2StatusCodec.ts), each field is read on its
// own: the Service falls back to the labels set on create, a peer list that is not a list of strings
// reads as none (a desired list is never empty, so the writes rewrite it), and an object naming no
// Service is skipped.
import * as t from 'io-ts'
import { STATUS_LABELS } from '../config/statusCodecs.js'
import type { BgpStatusObject } from './bgpStatusWrites.js'

const Named = t.type({ metadata: t.type({ name: t.string }) })
const Labels = t.type({ metadata: t.type({ labels: t.UnknownRecord }) })
const StatusNames = t.type({ status: t.partial({ serviceName: t.string, serviceNamespace: t.string }) })
const Peers = t.type({ status: t.type({ peers: t.UnknownArray }) })

const orUndefined = <A>(r: t.Validation<A>): A | undefined => (r._tag === 'Right' ? r.right : undefined)
const labelOf = (labels: Record<string, unknown> | undefined, key: string): string | undefined => {
  const v = labels?.[key]
  return typeof v === 'string' ? v : undefined
}

export const decodeBgpStatus = (raw: unknown): BgpStatusObject | undefined => {
  const name = orUndefined(Named.decode(raw))?.metadata.name
  const labels = orUndefined(Labels.decode(raw))?.metadata.labels
  const status = orUndefined(StatusNames.decode(raw))?.status
  const serviceName = status?.serviceName ?? labelOf(labels, STATUS_LABELS.serviceName)
  const serviceNamespace = status?.serviceNamespace ?? labelOf(labels, STATUS_LABELS.serviceNamespace)
  if (name === undefined || serviceName === undefined || serviceNamespace === undefined) return undefined
  const listed = orUndefined(Peers.decode(raw))?.status.peers ?? []
  const peers = listed.every((p): p is string => typeof p === 'string') ? listed : []
  return { name, serviceName, serviceNamespace, peers }
}

/** `decode`: decodeBgpStatus, or the same kept per object (the speaker's caches hand one in). */
export const decodeBgpStatuses = (objects: readonly unknown[], decode: (raw: unknown) => BgpStatusObject | undefined = decodeBgpStatus): readonly BgpStatusObject[] =>
  objects.flatMap((o) => {
    const s = decode(o)
    return s === undefined ? [] : [s]
  })

// What ServiceL2Status and ServiceBGPStatus objects have in common, read from the caches' raw objects
// one field at a time, so a malformed field costs only itself: the object's name and the Service it
// is about, which falls back to the labels the speaker sets on create (a status not yet patched has
// only those). An object naming no Service reads as undefined: nothing can be compared against it.
import * as t from 'io-ts'
import { STATUS_LABELS } from '../config/statusCodecs.js'

interface StatusHeader {
  readonly name: string
  readonly serviceName: string
  readonly serviceNamespace: string
}

const Named = t.type({ metadata: t.type({ name: t.string }) })
const Labels = t.type({ metadata: t.type({ labels: t.UnknownRecord }) })
const StatusNames = t.type({ status: t.partial({ serviceName: t.string, serviceNamespace: t.string }) })

export const orUndefined = <A>(r: t.Validation<A>): A | undefined => (r._tag === 'Right' ? r.right : undefined)

const labelOf = (labels: Record<string, unknown> | undefined, key: string): string | undefined => {
  const v = labels?.[key]
  return typeof v === 'string' ? v : undefined
}

export const decodeStatusHeader = (raw: unknown): StatusHeader | undefined => {
  const name = orUndefined(Named.decode(raw))?.metadata.name
  const labels = orUndefined(Labels.decode(raw))?.metadata.labels
  const status = orUndefined(StatusNames.decode(raw))?.status
  const serviceName = status?.serviceName ?? labelOf(labels, STATUS_LABELS.serviceName)
  const serviceNamespace = status?.serviceNamespace ?? labelOf(labels, STATUS_LABELS.serviceNamespace)
  return name === undefined || serviceName === undefined || serviceNamespace === undefined ? undefined : { name, serviceName, serviceNamespace }
}

/** Each object through `decode`, the undecodable left out. */
export const decodeAll = <A>(objects: readonly unknown[], decode: (raw: unknown) => A | undefined): readonly A[] =>
  objects.flatMap((o) => {
    const s = decode(o)
    return s === undefined ? [] : [s]
  })

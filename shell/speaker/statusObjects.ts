// Writes a node's per-Service status objects (ServiceL2Status, ServiceBGPStatus): the core decides the
// creates, updates and deletes from the cache; this makes them, one publish at a time. The two kinds
// differ only in their resource, name prefix, protocol and status fields (a StatusKind each).
// As MetalLB, the speaker records a `nodeAssigned` Event on the Service when it creates the object, so an
// Event means ownership moved, not that a resync happened.
import { STATUS_LABELS } from '../../core/config/statusCodecs.js'
import { absurd } from '../../core/fp/absurd.js'
import type { EventRecorder } from '../kube/events.js'
import type { KubeObject } from '../kube/reflector.js'
import type { RestClient } from '../kube/rest.js'
import type { Logger } from '../obs/log.js'

/** What every desired status names: the Service it speaks for. */
interface ForService {
  readonly serviceNamespace: string
  readonly serviceName: string
}

type StatusWrite<D extends ForService> =
  | ({ readonly _tag: 'Create' } & D)
  | ({ readonly _tag: 'Update'; readonly name: string } & D)
  | { readonly _tag: 'Delete'; readonly name: string }

export interface StatusKind<D extends ForService> {
  readonly kind: 'ServiceL2Status' | 'ServiceBGPStatus'
  readonly plural: string
  readonly namePrefix: string
  readonly protocol: 'layer2' | 'bgp'
  /** Prefix of the warnings this kind logs (`<prefix>-not-created`, ...). */
  readonly logPrefix: string
  /** The kind's own status fields, besides node and Service. */
  readonly fieldsOf: (d: D) => Record<string, unknown>
}

export interface StatusDeps {
  readonly rest: RestClient
  readonly log: Logger
  readonly events: EventRecorder
  readonly namespace: string
  readonly node: string
}

const WRITE_TIMEOUT_MS = 5_000

const basePath = <D extends ForService>(k: StatusKind<D>, deps: StatusDeps): string =>
  `/apis/metallb.io/v1beta1/namespaces/${deps.namespace}/${k.plural}`

const patchStatus = <D extends ForService>(k: StatusKind<D>, deps: StatusDeps, name: string, d: D) =>
  deps.rest.request('PATCH', `${basePath(k, deps)}/${name}/status`, {
    contentType: 'application/merge-patch+json',
    body: { status: { node: deps.node, serviceName: d.serviceName, serviceNamespace: d.serviceNamespace, ...k.fieldsOf(d) } },
    timeoutMs: WRITE_TIMEOUT_MS,
  })

/** POST with the labels, then the status, then the Event; the object written, for the cache, once the POST landed. */
const create = async <D extends ForService>(k: StatusKind<D>, deps: StatusDeps, d: D): Promise<KubeObject | undefined> => {
  const labels = { [STATUS_LABELS.node]: deps.node, [STATUS_LABELS.serviceName]: d.serviceName, [STATUS_LABELS.serviceNamespace]: d.serviceNamespace }
  const created = await deps.rest.request('POST', basePath(k, deps), {
    body: { apiVersion: 'metallb.io/v1beta1', kind: k.kind, metadata: { generateName: k.namePrefix, namespace: deps.namespace, labels } },
    timeoutMs: WRITE_TIMEOUT_MS,
  })
  const name = (created.body as KubeObject | undefined)?.metadata?.name
  if (created.status >= 300 || name === undefined) {
    deps.log.warn(`${k.logPrefix}-not-created`, { service: `${d.serviceNamespace}/${d.serviceName}`, status: created.status })
    return undefined
  }
  const patched = await patchStatus(k, deps, name, d).catch((error: unknown) => ({ status: 0, body: undefined, error }))
  const service = { apiVersion: 'v1', kind: 'Service', namespace: d.serviceNamespace, name: d.serviceName }
  await deps.events.record(service, 'Normal', 'nodeAssigned', `announcing from node "${deps.node}" with protocol "${k.protocol}"`)
  if (patched.status > 0 && patched.status < 300) return patched.body as KubeObject
  deps.log.warn(`${k.logPrefix}-not-updated`, { name, status: patched.status, ...('error' in patched ? { error: patched.error } : {}) })
  // The object exists without its status: still handed to the cache, whose decoder reads the Service
  // from the labels, so the next pass updates this one instead of creating a second.
  return created.body as KubeObject
}

/** Makes each write in turn; returns the objects created, for the cache. */
export const writeStatuses = async <D extends ForService>(k: StatusKind<D>, deps: StatusDeps, writes: readonly StatusWrite<D>[]): Promise<readonly KubeObject[]> => {
  const written: KubeObject[] = []
  for (const w of writes) {
    switch (w._tag) {
      case 'Create': {
        const o = await create(k, deps, w)
        if (o !== undefined) written.push(o)
        break
      }
      case 'Update': {
        const res = await patchStatus(k, deps, w.name, w)
        if (res.status >= 300) deps.log.warn(`${k.logPrefix}-not-updated`, { name: w.name, status: res.status })
        break
      }
      case 'Delete': {
        const res = await deps.rest.request('DELETE', `${basePath(k, deps)}/${w.name}`, { timeoutMs: WRITE_TIMEOUT_MS })
        if (res.status >= 300 && res.status !== 404) deps.log.warn(`${k.logPrefix}-not-deleted`, { name: w.name, status: res.status })
        break
      }
      default:
        absurd(w)
    }
  }
  return written
}

/**
 * Single-flight: a publish starts the writes unless some are running; a plan arriving meanwhile is
 * dropped and the loop kicked when they end, so the next pass decides again from a cache that holds
 * what was written.
 */
export const statusPublisher = <D extends ForService>(
  k: StatusKind<D>,
  deps: StatusDeps,
  observe: (o: KubeObject) => void,
  kick: () => void,
): ((writes: readonly StatusWrite<D>[]) => void) => {
  let busy = false
  let pending = false
  return (writes) => {
    // Even an empty plan marks the running publish stale: it was decided before those writes landed.
    if (busy) {
      pending = true
      return
    }
    if (writes.length === 0) return
    busy = true
    writeStatuses(k, deps, writes)
      .then((written) => written.forEach(observe))
      .catch((err: unknown) => deps.log.warn(`${k.logPrefix}-failed`, { error: err }))
      .finally(() => {
        busy = false
        if (pending) {
          pending = false
          kick()
        }
      })
  }
}

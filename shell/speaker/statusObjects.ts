// Writes a node's per-Service status objects (ServiceL2Status, ServiceBGPStatus): the core decides the
// creates, updates and deletes from the cache; this makes them, one publish at a time, up to
// WRITES_IN_FLIGHT objects at once (one request at a time per speaker wrote about 3 objects a second at
// 10,000 Services: README's BGP bench rows). Writes about one object (its name, or for a create its
// Service) run in the order given, so the last one decided is the one that stays. The two kinds differ
// only in their resource, name prefix, protocol and status fields (a StatusKind each).
// As MetalLB, the speaker records a `nodeAssigned` Event on the Service when it creates the object, so an
// Event means ownership moved, not that a resync happened; it is queued, not awaited.
import { STATUS_LABELS } from '../../core/config/statusCodecs.js'
import { absurd } from '../../core/fp/absurd.js'
import { type EventQueue, eventQueue } from '../kube/eventQueue.js'
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
  readonly events: EventQueue
  readonly namespace: string
  readonly node: string
}

/** The speaker's deps: its nodeAssigned Events wait in a bounded queue of their own, a few POSTs at a time. */
export const queuedStatusDeps = (d: Omit<StatusDeps, 'events'> & { readonly events: EventRecorder }): StatusDeps => ({
  ...d,
  events: eventQueue(d.events, { capacity: 1_024, posters: 2, onDrop: (reason) => d.log.warn('event-dropped', { reason }) }),
})

const WRITE_TIMEOUT_MS = 5_000
/** Objects written at once: the API server's answers overlap, and the rest client keeps 16 sockets. */
const WRITES_IN_FLIGHT = 8

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
  deps.events.enqueue(service, 'Normal', 'nodeAssigned', `announcing from node "${deps.node}" with protocol "${k.protocol}"`)
  if (patched.status > 0 && patched.status < 300) return patched.body as KubeObject
  deps.log.warn(`${k.logPrefix}-not-updated`, { name, status: patched.status, ...('error' in patched ? { error: patched.error } : {}) })
  // The object exists without its status: still handed to the cache, whose decoder reads the Service
  // from the labels, so the next pass updates this one instead of creating a second.
  return created.body as KubeObject
}

/** Makes one write; the object it created, if any. */
const writeOne = async <D extends ForService>(k: StatusKind<D>, deps: StatusDeps, w: StatusWrite<D>): Promise<KubeObject | undefined> => {
  switch (w._tag) {
    case 'Create':
      return create(k, deps, w)
    case 'Update': {
      const res = await patchStatus(k, deps, w.name, w)
      if (res.status >= 300) deps.log.warn(`${k.logPrefix}-not-updated`, { name: w.name, status: res.status })
      return undefined
    }
    case 'Delete': {
      const res = await deps.rest.request('DELETE', `${basePath(k, deps)}/${w.name}`, { timeoutMs: WRITE_TIMEOUT_MS })
      if (res.status >= 300 && res.status !== 404) deps.log.warn(`${k.logPrefix}-not-deleted`, { name: w.name, status: res.status })
      return undefined
    }
    default:
      return absurd(w)
  }
}

/** Which object a write is about: writes with one key run one after another, in the order given. */
const objectOf = <D extends ForService>(w: StatusWrite<D>): string => (w._tag === 'Create' ? `service ${w.serviceNamespace}/${w.serviceName}` : `name ${w.name}`)

/** Makes the writes, WRITES_IN_FLIGHT objects at a time; returns the objects created, for the cache. */
export const writeStatuses = async <D extends ForService>(k: StatusKind<D>, deps: StatusDeps, writes: readonly StatusWrite<D>[]): Promise<readonly KubeObject[]> => {
  const byObject = new Map<string, StatusWrite<D>[]>()
  for (const w of writes) {
    const key = objectOf(w)
    const chain = byObject.get(key)
    if (chain === undefined) byObject.set(key, [w])
    else chain.push(w)
  }
  const chains = [...byObject.values()]
  const written: KubeObject[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < chains.length) {
      for (const w of chains[next++] ?? []) {
        // One failed request must not lose what the others created: the cache needs every one of them,
        // or the next pass would create a second object for a Service.
        const o = await writeOne(k, deps, w).catch((error: unknown) => void deps.log.warn(`${k.logPrefix}-failed`, { object: objectOf(w), error }))
        if (o !== undefined) written.push(o)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(WRITES_IN_FLIGHT, chains.length) }, worker))
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

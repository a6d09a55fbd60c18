// Publishes this node's ServiceL2Status writes (core/speaker/l2StatusWrites.ts decides them from the
// cache), one publish at a time: a plan arriving while one runs is dropped and the loop kicked when
// it ends, so the next pass decides again from a cache that holds what was written. As MetalLB, the
// speaker records a `nodeAssigned` Event on the Service when the status object is created, so an
// Event means ownership moved, not that a resync happened.
import { STATUS_LABELS, STATUS_NAME_PREFIX } from '../../core/config/statusCodecs.js'
import type { DesiredL2Status } from '../../core/speaker/l2StatusDiff.js'
import type { L2StatusWrite } from '../../core/speaker/l2StatusWrites.js'
import { absurd } from '../../core/fp/absurd.js'
import type { EventRecorder } from '../kube/events.js'
import type { KubeObject } from '../kube/reflector.js'
import type { RestClient } from '../kube/rest.js'
import type { Logger } from '../obs/log.js'

interface L2StatusDeps {
  readonly rest: RestClient
  readonly log: Logger
  readonly events: EventRecorder
  readonly namespace: string
  readonly node: string
}

const basePath = (deps: L2StatusDeps): string => `/apis/metallb.io/v1beta1/namespaces/${deps.namespace}/servicel2statuses`

const statusBody = (deps: L2StatusDeps, d: DesiredL2Status) => ({
  status: { node: deps.node, serviceName: d.serviceName, serviceNamespace: d.serviceNamespace, interfaces: d.interfaces.map((name) => ({ name })) },
})

const patchStatus = (deps: L2StatusDeps, name: string, d: DesiredL2Status) =>
  deps.rest.request('PATCH', `${basePath(deps)}/${name}/status`, { contentType: 'application/merge-patch+json', body: statusBody(deps, d), timeoutMs: 5_000 })

/** POST, then the status, then the Event; the object written, for the cache, once the POST landed. */
const create = async (deps: L2StatusDeps, d: DesiredL2Status): Promise<KubeObject | undefined> => {
  const labels = { [STATUS_LABELS.node]: deps.node, [STATUS_LABELS.serviceName]: d.serviceName, [STATUS_LABELS.serviceNamespace]: d.serviceNamespace }
  const created = await deps.rest.request('POST', basePath(deps), {
    body: { apiVersion: 'metallb.io/v1beta1', kind: 'ServiceL2Status', metadata: { generateName: STATUS_NAME_PREFIX.l2, namespace: deps.namespace, labels } },
    timeoutMs: 5_000,
  })
  const name = (created.body as KubeObject | undefined)?.metadata?.name
  if (created.status >= 300 || name === undefined) {
    deps.log.warn('l2-status-not-created', { service: `${d.serviceNamespace}/${d.serviceName}`, status: created.status })
    return undefined
  }
  const patched = await patchStatus(deps, name, d).catch((error: unknown) => ({ status: 0, body: undefined, error }))
  const service = { apiVersion: 'v1', kind: 'Service', namespace: d.serviceNamespace, name: d.serviceName }
  await deps.events.record(service, 'Normal', 'nodeAssigned', `announcing from node "${deps.node}" with protocol "layer2"`)
  if (patched.status > 0 && patched.status < 300) return patched.body as KubeObject
  deps.log.warn('l2-status-not-updated', { name, status: patched.status, ...('error' in patched ? { error: patched.error } : {}) })
  // The object exists without its status: still handed to the cache, whose decoder reads the Service
  // from the labels, so the next pass updates this one instead of creating a second.
  return created.body as KubeObject
}

/** Makes each write in turn; returns the objects created, for the cache. */
export const writeL2Status = async (deps: L2StatusDeps, writes: readonly L2StatusWrite[]): Promise<readonly KubeObject[]> => {
  const written: KubeObject[] = []
  for (const w of writes) {
    switch (w._tag) {
      case 'Create': {
        const o = await create(deps, w)
        if (o !== undefined) written.push(o)
        break
      }
      case 'Update': {
        const res = await patchStatus(deps, w.name, w)
        if (res.status >= 300) deps.log.warn('l2-status-not-updated', { name: w.name, status: res.status })
        break
      }
      case 'Delete': {
        const res = await deps.rest.request('DELETE', `${basePath(deps)}/${w.name}`, { timeoutMs: 5_000 })
        if (res.status >= 300 && res.status !== 404) deps.log.warn('l2-status-not-deleted', { name: w.name, status: res.status })
        break
      }
      default:
        absurd(w)
    }
  }
  return written
}

/** Single-flight: `publish` starts the writes unless some are running; then the loop is kicked after. */
export const l2StatusPublisher = (deps: L2StatusDeps, observe: (o: KubeObject) => void, kick: () => void): ((writes: readonly L2StatusWrite[]) => void) => {
  let busy = false
  let pending = false
  return (writes) => {
    if (busy) {
      pending = true
      return
    }
    busy = true
    writeL2Status(deps, writes)
      .then((written) => written.forEach(observe))
      .catch((err: unknown) => deps.log.warn('l2-status-failed', { error: err }))
      .finally(() => {
        busy = false
        if (pending) {
          pending = false
          kick()
        }
      })
  }
}

// Publishes this node's ServiceBGPStatus writes (core/speaker/bgpStatusWrites.ts decides them from
// the plan's advertised routes and the cache), one publish at a time, as shell/speaker/l2Status.ts
// does for Layer 2: a plan arriving while one runs is dropped and the loop kicked when it ends. On
// create the speaker records MetalLB's `nodeAssigned` Event on the Service with protocol "bgp".
import { STATUS_LABELS, STATUS_NAME_PREFIX } from '../../core/config/statusCodecs.js'
import { absurd } from '../../core/fp/absurd.js'
import type { BgpStatusWrite, DesiredBgpStatus } from '../../core/speaker/bgpStatusWrites.js'
import type { EventRecorder } from '../kube/events.js'
import type { KubeObject } from '../kube/reflector.js'
import type { RestClient } from '../kube/rest.js'
import type { Logger } from '../obs/log.js'

interface BgpStatusDeps {
  readonly rest: RestClient
  readonly log: Logger
  readonly events: EventRecorder
  readonly namespace: string
  readonly node: string
}

const basePath = (deps: BgpStatusDeps): string => `/apis/metallb.io/v1beta1/namespaces/${deps.namespace}/servicebgpstatuses`

const patchStatus = (deps: BgpStatusDeps, name: string, d: DesiredBgpStatus) =>
  deps.rest.request('PATCH', `${basePath(deps)}/${name}/status`, {
    contentType: 'application/merge-patch+json',
    body: { status: { node: deps.node, serviceName: d.serviceName, serviceNamespace: d.serviceNamespace, peers: d.peers } },
    timeoutMs: 5_000,
  })

/** POST with the labels, then the status, then the Event; the object written, for the cache, once the POST landed. */
const create = async (deps: BgpStatusDeps, d: DesiredBgpStatus): Promise<KubeObject | undefined> => {
  const labels = { [STATUS_LABELS.node]: deps.node, [STATUS_LABELS.serviceName]: d.serviceName, [STATUS_LABELS.serviceNamespace]: d.serviceNamespace }
  const created = await deps.rest.request('POST', basePath(deps), {
    body: { apiVersion: 'metallb.io/v1beta1', kind: 'ServiceBGPStatus', metadata: { generateName: STATUS_NAME_PREFIX.bgp, namespace: deps.namespace, labels } },
    timeoutMs: 5_000,
  })
  const name = (created.body as KubeObject | undefined)?.metadata?.name
  if (created.status >= 300 || name === undefined) {
    deps.log.warn('bgp-status-not-created', { service: `${d.serviceNamespace}/${d.serviceName}`, status: created.status })
    return undefined
  }
  const patched = await patchStatus(deps, name, d).catch((error: unknown) => ({ status: 0, body: undefined, error }))
  const service = { apiVersion: 'v1', kind: 'Service', namespace: d.serviceNamespace, name: d.serviceName }
  await deps.events.record(service, 'Normal', 'nodeAssigned', `announcing from node "${deps.node}" with protocol "bgp"`)
  if (patched.status > 0 && patched.status < 300) return patched.body as KubeObject
  deps.log.warn('bgp-status-not-updated', { name, status: patched.status, ...('error' in patched ? { error: patched.error } : {}) })
  // The object exists without its status: still handed to the cache, whose decoder reads the Service
  // from the labels, so the next pass updates this one instead of creating a second.
  return created.body as KubeObject
}

/** Makes each write in turn; returns the objects created, for the cache. */
export const writeBgpStatus = async (deps: BgpStatusDeps, writes: readonly BgpStatusWrite[]): Promise<readonly KubeObject[]> => {
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
        if (res.status >= 300) deps.log.warn('bgp-status-not-updated', { name: w.name, status: res.status })
        break
      }
      case 'Delete': {
        const res = await deps.rest.request('DELETE', `${basePath(deps)}/${w.name}`, { timeoutMs: 5_000 })
        if (res.status >= 300 && res.status !== 404) deps.log.warn('bgp-status-not-deleted', { name: w.name, status: res.status })
        break
      }
      default:
        absurd(w)
    }
  }
  return written
}

/** Single-flight: `publish` starts the writes unless some are running; then the loop is kicked after. */
export const bgpStatusPublisher = (deps: BgpStatusDeps, observe: (o: KubeObject) => void, kick: () => void): ((writes: readonly BgpStatusWrite[]) => void) => {
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
    writeBgpStatus(deps, writes)
      .then((written) => written.forEach(observe))
      .catch((err: unknown) => deps.log.warn('bgp-status-failed', { error: err }))
      .finally(() => {
        busy = false
        if (pending) {
          pending = false
          kick()
        }
      })
  }
}

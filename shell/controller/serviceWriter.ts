// Applies one ServiceWrite (decided in core/controller/serviceStatus.ts) to the API server: one merge
// patch of the status subresource carrying the status, the annotations and the resourceVersion it was
// computed from, so a concurrent change makes it fail with 409 and the next pass recomputes. One write,
// as MetalLB's UpdateStatus: the Service's status strategy resets only `spec`, so metadata written
// through /status is kept (serviceWriter.int.ts checks it against the real API server). Its Events are
// queued once the write landed.
import type { WriteTarget } from '../../core/controller/servicePlan.js'
import type { ServiceWrite } from '../../core/controller/serviceStatus.js'
import type { EventQueue } from '../kube/eventQueue.js'
import type { KubeObject } from '../kube/reflector.js'
import { type RestClient, ensureOk, ApiError } from '../kube/rest.js'

type WriteResult = { readonly _tag: 'Written'; readonly latest: KubeObject } | { readonly _tag: 'Unchanged' } | { readonly _tag: 'Conflict' } | { readonly _tag: 'Gone' }

const MERGE_PATCH = 'application/merge-patch+json'

const patch = async (rest: RestClient, path: string, body: unknown, what: string): Promise<KubeObject> =>
  ensureOk(await rest.request('PATCH', path, { contentType: MERGE_PATCH, body }), what).body as KubeObject

export const applyServiceWrite = async (rest: RestClient, to: WriteTarget, write: ServiceWrite, events: EventQueue): Promise<WriteResult> => {
  if (write.status === undefined && write.annotations === undefined) return { _tag: 'Unchanged' }
  const { namespace, name } = to
  const path = `/api/v1/namespaces/${namespace}/services/${name}`
  const metadata = { resourceVersion: to.resourceVersion, ...(write.annotations === undefined ? {} : { annotations: write.annotations }) }
  let latest: KubeObject
  try {
    latest = await patch(rest, `${path}/status`, { metadata, ...(write.status === undefined ? {} : { status: write.status }) }, `update service ${namespace}/${name}`)
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) return { _tag: 'Conflict' }
    if (err instanceof ApiError && err.status === 404) return { _tag: 'Gone' }
    throw err
  }
  const target = { apiVersion: 'v1', kind: 'Service', namespace, name, ...(to.uid === undefined ? {} : { uid: to.uid }) }
  // Queued, not awaited: the next write need not wait for an Event's POST (shell/kube/eventQueue.ts).
  for (const e of write.events) events.enqueue(target, e.type, e.reason, e.message)
  return { _tag: 'Written', latest }
}

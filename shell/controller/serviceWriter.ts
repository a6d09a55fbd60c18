// Applies one ServiceWrite (decided in core/controller/serviceStatus.ts) to the API server: the status
// subresource first, then the annotations, each a merge patch carrying the resourceVersion it was
// computed from, so a concurrent change makes it fail with 409 and the next pass recomputes.
import type { WriteTarget } from '../../core/controller/servicePlan.js'
import type { ServiceWrite } from '../../core/controller/serviceStatus.js'
import type { EventRecorder } from '../kube/events.js'
import type { KubeObject } from '../kube/reflector.js'
import { type RestClient, ensureOk, ApiError } from '../kube/rest.js'

type WriteResult = { readonly _tag: 'Written'; readonly latest: KubeObject } | { readonly _tag: 'Unchanged' } | { readonly _tag: 'Conflict' } | { readonly _tag: 'Gone' }

const MERGE_PATCH = 'application/merge-patch+json'

const versionOf = (o: KubeObject): string | undefined => o.metadata?.resourceVersion

const patch = async (rest: RestClient, path: string, body: unknown, what: string): Promise<KubeObject> =>
  ensureOk(await rest.request('PATCH', path, { contentType: MERGE_PATCH, body }), what).body as KubeObject

export const applyServiceWrite = async (rest: RestClient, to: WriteTarget, write: ServiceWrite, events: EventRecorder): Promise<WriteResult> => {
  if (write.status === undefined && write.annotations === undefined) return { _tag: 'Unchanged' }
  const { namespace, name } = to
  const path = `/api/v1/namespaces/${namespace}/services/${name}`
  let latest: KubeObject | undefined
  try {
    if (write.status !== undefined)
      latest = await patch(rest, `${path}/status`, { metadata: { resourceVersion: to.resourceVersion }, status: write.status }, `update status of service ${namespace}/${name}`)
    if (write.annotations !== undefined) {
      const version = latest === undefined ? to.resourceVersion : versionOf(latest)
      latest = await patch(rest, path, { metadata: { resourceVersion: version, annotations: write.annotations } }, `annotate service ${namespace}/${name}`)
    }
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) return { _tag: 'Conflict' }
    if (err instanceof ApiError && err.status === 404) return { _tag: 'Gone' }
    throw err
  }
  const target = { apiVersion: 'v1', kind: 'Service', namespace, name, ...(to.uid === undefined ? {} : { uid: to.uid }) }
  for (const e of write.events) await events.record(target, e.type, e.reason, e.message)
  return { _tag: 'Written', latest: latest ?? {} }
}

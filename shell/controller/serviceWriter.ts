// Applies a ServiceWrite (decided in core/controller/serviceStatus.ts) to the API server: the status
// subresource first, then the annotations, each a merge patch carrying the resourceVersion it was
// computed from, so a concurrent change makes it fail with 409 and the next pass recomputes.
import type { ServiceWrite } from '../../core/controller/serviceStatus.js'
import type { EventRecorder } from '../kube/events.js'
import { type RestClient, ensureOk, ApiError } from '../kube/rest.js'

export interface LiveService {
  readonly metadata: { readonly namespace: string; readonly name: string; readonly uid?: string; readonly resourceVersion?: string }
}

export type WriteResult = { readonly _tag: 'Written'; readonly latest: LiveService } | { readonly _tag: 'Unchanged' } | { readonly _tag: 'Conflict' } | { readonly _tag: 'Gone' }

const MERGE_PATCH = 'application/merge-patch+json'

export const applyServiceWrite = async (rest: RestClient, svc: LiveService, write: ServiceWrite, events: EventRecorder): Promise<WriteResult> => {
  if (write.status === undefined && write.annotations === undefined) return { _tag: 'Unchanged' }
  const { namespace, name } = svc.metadata
  const path = `/api/v1/namespaces/${namespace}/services/${name}`
  let latest = svc
  try {
    if (write.status !== undefined) {
      const res = await rest.request('PATCH', `${path}/status`, {
        contentType: MERGE_PATCH,
        body: { metadata: { resourceVersion: latest.metadata.resourceVersion }, status: write.status },
      })
      latest = ensureOk(res, `update status of service ${namespace}/${name}`).body as LiveService
    }
    if (write.annotations !== undefined) {
      const res = await rest.request('PATCH', path, {
        contentType: MERGE_PATCH,
        body: { metadata: { resourceVersion: latest.metadata.resourceVersion, annotations: write.annotations } },
      })
      latest = ensureOk(res, `annotate service ${namespace}/${name}`).body as LiveService
    }
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) return { _tag: 'Conflict' }
    if (err instanceof ApiError && err.status === 404) return { _tag: 'Gone' }
    throw err
  }
  const target = { apiVersion: 'v1', kind: 'Service', namespace, name, ...(svc.metadata.uid === undefined ? {} : { uid: svc.metadata.uid }) }
  for (const e of write.events) await events.record(target, e.type, e.reason, e.message)
  return { _tag: 'Written', latest }
}

// Publishes this node's ServiceL2Status objects (core/speaker/l2StatusDiff.ts decides what changes),
// and the `nodeAssigned` Event when a Service starts being announced here: emitted only when the
// status object is created, so an Event means ownership moved, not that a resync happened.
import { type DesiredL2Status, type L2StatusObject, diffL2Status } from '../../core/speaker/l2StatusDiff.js'
import { STATUS_LABELS, STATUS_NAME_PREFIX } from '../../core/config/statusCodecs.js'
import type { EventRecorder } from '../kube/events.js'
import type { RestClient } from '../kube/rest.js'
import type { Logger } from '../obs/log.js'

export interface L2StatusDeps {
  readonly rest: RestClient
  readonly log: Logger
  readonly events: EventRecorder
  readonly namespace: string
  readonly node: string
}

interface StatusObject {
  readonly metadata?: { readonly name?: string; readonly labels?: Record<string, string> }
  readonly status?: { readonly serviceName?: string; readonly serviceNamespace?: string; readonly interfaces?: readonly { readonly name?: string }[] }
}

export const l2StatusOf = (o: StatusObject): L2StatusObject | undefined => {
  const name = o.metadata?.name
  const serviceName = o.status?.serviceName ?? o.metadata?.labels?.[STATUS_LABELS.serviceName]
  const serviceNamespace = o.status?.serviceNamespace ?? o.metadata?.labels?.[STATUS_LABELS.serviceNamespace]
  if (name === undefined || serviceName === undefined || serviceNamespace === undefined) return undefined
  return { name, serviceName, serviceNamespace, interfaces: (o.status?.interfaces ?? []).flatMap((i) => (i.name === undefined ? [] : [i.name])) }
}

export const publishL2Status = async (deps: L2StatusDeps, desired: readonly DesiredL2Status[], existing: readonly StatusObject[]): Promise<readonly StatusObject[]> => {
  const base = `/apis/metallb.io/v1beta1/namespaces/${deps.namespace}/servicel2statuses`
  const current = existing.flatMap((o) => {
    const s = l2StatusOf(o)
    return s === undefined ? [] : [s]
  })
  const changes = diffL2Status(desired, current)
  const written: StatusObject[] = []
  const statusBody = (d: { serviceNamespace: string; serviceName: string; interfaces: readonly string[] }) => ({
    node: deps.node,
    serviceName: d.serviceName,
    serviceNamespace: d.serviceNamespace,
    interfaces: d.interfaces.map((name) => ({ name })),
  })
  for (const d of changes.create) {
    const created = await deps.rest.request('POST', base, {
      body: {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'ServiceL2Status',
        metadata: {
          generateName: STATUS_NAME_PREFIX.l2,
          namespace: deps.namespace,
          labels: { [STATUS_LABELS.node]: deps.node, [STATUS_LABELS.serviceName]: d.serviceName, [STATUS_LABELS.serviceNamespace]: d.serviceNamespace },
        },
      },
      timeoutMs: 5_000,
    })
    const name = (created.body as StatusObject | undefined)?.metadata?.name
    if (created.status >= 300 || name === undefined) {
      deps.log.warn('l2-status-not-created', { service: `${d.serviceNamespace}/${d.serviceName}`, status: created.status })
      continue
    }
    const patched = await deps.rest.request('PATCH', `${base}/${name}/status`, {
      contentType: 'application/merge-patch+json',
      body: { status: statusBody(d) },
      timeoutMs: 5_000,
    })
    if (patched.status < 300) written.push(patched.body as StatusObject)
    await deps.events.record(
      { apiVersion: 'v1', kind: 'Service', namespace: d.serviceNamespace, name: d.serviceName },
      'Normal',
      'nodeAssigned',
      `announcing from node "${deps.node}" with protocol "layer2"`,
    )
  }
  for (const u of changes.update) {
    const o = current.find((c) => c.name === u.name)
    if (o === undefined) continue
    const res = await deps.rest.request('PATCH', `${base}/${u.name}/status`, {
      contentType: 'application/merge-patch+json',
      body: { status: statusBody({ ...o, interfaces: u.interfaces }) },
      timeoutMs: 5_000,
    })
    if (res.status >= 300) deps.log.warn('l2-status-not-updated', { name: u.name, status: res.status })
  }
  for (const name of changes.delete) {
    const res = await deps.rest.request('DELETE', `${base}/${name}`, { timeoutMs: 5_000 })
    if (res.status >= 300 && res.status !== 404) deps.log.warn('l2-status-not-deleted', { name, status: res.status })
  }
  return written
}

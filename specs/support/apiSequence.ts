// One sequence of Service requests, run against memoryApi (memoryApi.spec.ts) and against the real
// kube-apiserver (memoryApi.int.ts), so the cases memoryApi models are checked to answer alike: the
// transcript keeps what memoryApi promises (status codes, Status reasons, whether the resourceVersion
// moved, the fields written) and leaves out what the API server adds (clusterIP, nodePorts, ...).
import type { RestClient, RestResponse } from '../../shell/kube/rest.js'

export interface Step {
  readonly step: string
  readonly status: number
  readonly reason?: string
  /** Whether the Service's resourceVersion moved (writes only). */
  readonly rvMoved?: boolean
  readonly ingress?: readonly string[]
  readonly annotations?: Readonly<Record<string, string>>
  /** spec.sessionAffinity is ClientIP (a spec field to see which path changes spec). */
  readonly clientIP?: boolean
}

interface Svc {
  spec?: { sessionAffinity?: string }
  metadata: { resourceVersion?: string; annotations?: Record<string, string> }
  status?: { loadBalancer?: { ingress?: { ip?: string }[] } }
}

const MERGE = 'application/merge-patch+json'

/** What the sequence checks of a response. */
const seen = (step: string, res: RestResponse, before?: string): Step => {
  const body = res.body as (Svc & { reason?: string }) | undefined
  if (res.status >= 300) return { step, status: res.status, reason: body?.reason ?? '' }
  const ann = body?.metadata.annotations ?? {}
  const ours = Object.fromEntries(Object.entries(ann).filter(([k]) => k.startsWith('spec.ironlb.io/')))
  return {
    step,
    status: res.status,
    ...(before === undefined ? {} : { rvMoved: body?.metadata.resourceVersion !== before }),
    ingress: (body?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? ''),
    annotations: ours,
    clientIP: body?.spec?.sessionAffinity === 'ClientIP',
  }
}

/** Runs the sequence in `namespace` (which must exist and hold no Service named `seq`). */
export const runApiSequence = async (rest: RestClient, namespace: string): Promise<{ steps: Step[]; watched: string[] }> => {
  const coll = `/api/v1/namespaces/${namespace}/services`
  const path = `${coll}/seq`
  const steps: Step[] = []
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'seq', namespace },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
    status: { loadBalancer: { ingress: [{ ip: '203.0.113.1' }] } },
  }
  const created = await rest.request('POST', coll, { body: service })
  steps.push(seen('create (a status sent with it is dropped)', created))
  let rv = (created.body as Svc).metadata.resourceVersion ?? ''
  const createdRv = rv

  const watched: string[] = []
  const stopWatch = new AbortController()
  const watching = rest.stream(coll, { watch: true, resourceVersion: createdRv }, (o) => void watched.push((o as { type: string }).type), stopWatch.signal).catch((err: unknown) => void watched.push(`error: ${String(err)}`))

  const write = async (step: string, p: string, body: unknown): Promise<void> => {
    const res = await rest.request('PATCH', p, { contentType: MERGE, body })
    steps.push(seen(step, res, rv))
    if (res.status < 300) rv = (res.body as Svc).metadata.resourceVersion ?? ''
  }
  const ingress = (...ips: string[]) => ({ loadBalancer: { ingress: ips.map((ip) => ({ ip })) } })

  steps.push(seen('get', await rest.request('GET', path)))
  await write('status with the current resourceVersion', `${path}/status`, { metadata: { resourceVersion: rv }, status: ingress('192.0.2.1') })
  await write('status with a stale resourceVersion', `${path}/status`, { metadata: { resourceVersion: createdRv }, status: ingress('192.0.2.2') })
  await write('status unchanged: no new resourceVersion', `${path}/status`, { metadata: { resourceVersion: rv }, status: ingress('192.0.2.1') })
  await write('annotations on the object', path, { metadata: { resourceVersion: rv, annotations: { 'spec.ironlb.io/a': '1' } } })
  await write('status through the object path is ignored', path, { status: ingress('192.0.2.9') })
  await write('annotations through /status are kept', `${path}/status`, { metadata: { annotations: { 'spec.ironlb.io/b': '2' } }, status: ingress('192.0.2.1', '192.0.2.3') })
  await write('spec through /status is ignored', `${path}/status`, { spec: { sessionAffinity: 'ClientIP' } })
  await write('spec through the object path', path, { spec: { sessionAffinity: 'ClientIP' } })
  await write('a null removes a key; a list is replaced whole', path, { metadata: { annotations: { 'spec.ironlb.io/a': null } } })
  await write('status without a resourceVersion', `${path}/status`, { status: ingress('198.51.100.7') })
  steps.push(seen('get a missing Service', await rest.request('GET', `${coll}/missing`)))
  await write('patch a missing Service', `${coll}/missing/status`, { status: ingress('192.0.2.1') })
  steps.push(seen('create it again', await rest.request('POST', coll, { body: service })))
  const listed = await rest.request('GET', coll)
  const listBody = listed.body as { metadata?: { resourceVersion?: string }; items?: unknown[] }
  steps.push({ step: `list: ${listBody.items?.length ?? 0} item(s), resourceVersion ${/^\d+$/.test(listBody.metadata?.resourceVersion ?? '') ? 'present' : 'absent'}`, status: listed.status })
  const deleted = await rest.request('DELETE', path)
  steps.push({ step: 'delete', status: deleted.status })
  steps.push(seen('get after delete', await rest.request('GET', path)))

  // The watch has seen every change by now or shortly after (bounded: 5 s).
  const deadline = Date.now() + 5_000
  while (!watched.includes('DELETED') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  stopWatch.abort()
  await watching
  return { steps, watched }
}

/** What kube-apiserver answers to the sequence (memoryApi.int.ts checks the real one gives the same). */
export const EXPECTED: readonly Step[] = [
  { step: 'create (a status sent with it is dropped)', status: 201, ingress: [], annotations: {}, clientIP: false },
  { step: 'get', status: 200, ingress: [], annotations: {}, clientIP: false },
  { step: 'status with the current resourceVersion', status: 200, rvMoved: true, ingress: ['192.0.2.1'], annotations: {}, clientIP: false },
  { step: 'status with a stale resourceVersion', status: 409, reason: 'Conflict' },
  { step: 'status unchanged: no new resourceVersion', status: 200, rvMoved: false, ingress: ['192.0.2.1'], annotations: {}, clientIP: false },
  { step: 'annotations on the object', status: 200, rvMoved: true, ingress: ['192.0.2.1'], annotations: { 'spec.ironlb.io/a': '1' }, clientIP: false },
  { step: 'status through the object path is ignored', status: 200, rvMoved: false, ingress: ['192.0.2.1'], annotations: { 'spec.ironlb.io/a': '1' }, clientIP: false },
  { step: 'annotations through /status are kept', status: 200, rvMoved: true, ingress: ['192.0.2.1', '192.0.2.3'], annotations: { 'spec.ironlb.io/a': '1', 'spec.ironlb.io/b': '2' }, clientIP: false },
  { step: 'spec through /status is ignored', status: 200, rvMoved: false, ingress: ['192.0.2.1', '192.0.2.3'], annotations: { 'spec.ironlb.io/a': '1', 'spec.ironlb.io/b': '2' }, clientIP: false },
  { step: 'spec through the object path', status: 200, rvMoved: true, ingress: ['192.0.2.1', '192.0.2.3'], annotations: { 'spec.ironlb.io/a': '1', 'spec.ironlb.io/b': '2' }, clientIP: true },
  { step: 'a null removes a key; a list is replaced whole', status: 200, rvMoved: true, ingress: ['192.0.2.1', '192.0.2.3'], annotations: { 'spec.ironlb.io/b': '2' }, clientIP: true },
  { step: 'status without a resourceVersion', status: 200, rvMoved: true, ingress: ['198.51.100.7'], annotations: { 'spec.ironlb.io/b': '2' }, clientIP: true },
  { step: 'get a missing Service', status: 404, reason: 'NotFound' },
  { step: 'patch a missing Service', status: 404, reason: 'NotFound' },
  { step: 'create it again', status: 409, reason: 'AlreadyExists' },
  { step: 'list: 1 item(s), resourceVersion present', status: 200 },
  { step: 'delete', status: 200 },
  { step: 'get after delete', status: 404, reason: 'NotFound' },
]
export const EXPECTED_WATCH = ['MODIFIED', 'MODIFIED', 'MODIFIED', 'MODIFIED', 'MODIFIED', 'MODIFIED', 'DELETED']

// Small helpers for integration tests that talk to the test API server: a REST client from the
// kubeconfig, create/apply/delete of plain JSON objects, and bounded polling.
import { KubeConfig } from '@kubernetes/client-node'
import { type RestClient, ensureOk, restClient } from '../../shell/kube/rest.js'

export const testKubeconfig = (): string => {
  const path = process.env['IRONLB_TEST_KUBECONFIG'] ?? process.env['KUBECONFIG']
  if (path === undefined || path === '') throw new Error('IRONLB_TEST_KUBECONFIG is not set: run through `make integration` (withControlPlane)')
  return path
}

export const testRest = async (kubeconfig = testKubeconfig()): Promise<RestClient> => {
  const kc = new KubeConfig()
  kc.loadFromFile(kubeconfig)
  return restClient(kc)
}

export const randomSuffix = (): string => Math.random().toString(36).slice(2, 8)

interface ObjectRef {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: { readonly name: string; readonly namespace?: string }
}

const PLURALS: Record<string, string> = {
  Namespace: 'namespaces',
  Service: 'services',
  Node: 'nodes',
  EndpointSlice: 'endpointslices',
  IPAddressPool: 'ipaddresspools',
  L2Advertisement: 'l2advertisements',
  BGPAdvertisement: 'bgpadvertisements',
  BGPPeer: 'bgppeers',
  BFDProfile: 'bfdprofiles',
  Community: 'communities',
  ConfigurationState: 'configurationstates',
  Lease: 'leases',
  Event: 'events',
}

export const collectionPath = (apiVersion: string, kind: string, namespace?: string): string => {
  const plural = PLURALS[kind]
  if (plural === undefined) throw new Error(`no plural known for ${kind}`)
  const group = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`
  return namespace === undefined ? `${group}/${plural}` : `${group}/namespaces/${namespace}/${plural}`
}

export const objectPath = (o: ObjectRef): string => `${collectionPath(o.apiVersion, o.kind, o.metadata.namespace)}/${o.metadata.name}`

export const create = async <T = unknown>(rest: RestClient, o: ObjectRef): Promise<T> =>
  ensureOk(await rest.request('POST', collectionPath(o.apiVersion, o.kind, o.metadata.namespace), { body: o }), `create ${o.kind} ${o.metadata.name}`).body as T

/** Server-side apply, so tests can restate an object's spec without reading it first. */
export const apply = async <T = unknown>(rest: RestClient, o: ObjectRef): Promise<T> =>
  ensureOk(
    await rest.request('PATCH', objectPath(o), { body: o, contentType: 'application/apply-patch+yaml', query: { fieldManager: 'ironlb-tests', force: true } }),
    `apply ${o.kind} ${o.metadata.name}`,
  ).body as T

export const remove = async (rest: RestClient, o: ObjectRef): Promise<void> => {
  const res = await rest.request('DELETE', objectPath(o))
  if (res.status !== 404) ensureOk(res, `delete ${o.kind} ${o.metadata.name}`)
}

export const get = async <T = unknown>(rest: RestClient, o: ObjectRef): Promise<T | undefined> => {
  const res = await rest.request('GET', objectPath(o))
  return res.status === 404 ? undefined : (ensureOk(res, `get ${o.kind} ${o.metadata.name}`).body as T)
}

export const list = async <T = unknown>(rest: RestClient, apiVersion: string, kind: string, namespace?: string): Promise<T[]> =>
  ((ensureOk(await rest.request('GET', collectionPath(apiVersion, kind, namespace)), `list ${kind}`).body as { items?: T[] }).items ?? [])

/** Polls `probe` until it returns a value (not undefined), at most `timeoutMs`; throws with `what`. */
export const eventually = async <T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, everyMs = 100): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const v = await probe()
      if (v !== undefined) return v
    } catch (err) {
      lastError = err
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError === undefined ? '' : ` (last error: ${String(lastError)})`}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

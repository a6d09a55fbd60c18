// A controller under test: its own config namespace, its own loadBalancerClass (so controllers of
// other test files, which share the API server, leave its Services alone), and helpers to make
// pools and Services and to wait for what the controller writes.
import type { RestClient } from '../../../shell/kube/rest.js'
import { type ControllerProcess, startControllerProcess } from '../../support/controllerProcess.js'
import { ensureCrds } from '../../support/crds.js'
import { apply, create, eventually, get, randomSuffix, testKubeconfig, testRest } from '../../support/kube.js'

export interface LiveService {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly annotations?: Record<string, string>; readonly resourceVersion: string }
  readonly spec: { readonly type: string; readonly loadBalancerClass?: string }
  readonly status?: {
    readonly loadBalancer?: { readonly ingress?: readonly { readonly ip?: string }[] }
    readonly conditions?: readonly { readonly type: string; readonly status: string; readonly reason: string; readonly message: string }[]
  }
}

export interface ServiceSpecOptions {
  readonly annotations?: Record<string, string>
  readonly labels?: Record<string, string>
  readonly ipFamilyPolicy?: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack'
  readonly ports?: readonly { readonly port: number; readonly protocol?: 'TCP' | 'UDP' }[]
  readonly selector?: Record<string, string>
  readonly externalTrafficPolicy?: 'Cluster' | 'Local'
  readonly type?: 'LoadBalancer' | 'ClusterIP'
  readonly loadBalancerIP?: string
  readonly ipFamilies?: readonly ('IPv4' | 'IPv6')[]
}

export const ingressOf = (svc: LiveService | undefined): string[] => (svc?.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip === undefined ? [] : [i.ip]))
export const conditionOf = (svc: LiveService | undefined) => svc?.status?.conditions?.find((c) => c.type === 'ironlb.io/IPAllocated')

export interface Fixture {
  readonly rest: RestClient
  readonly kubeconfig: string
  readonly configNamespace: string
  readonly lbClass: string
  readonly controllers: ControllerProcess[]
  readonly startController: (identity: string, extraArgs?: readonly string[]) => Promise<ControllerProcess>
  readonly mkNamespace: (labels?: Record<string, string>) => Promise<string>
  readonly applyPool: (name: string, spec: Record<string, unknown>) => Promise<void>
  readonly mkService: (namespace: string, name: string, o?: ServiceSpecOptions) => Promise<LiveService>
  readonly serviceBody: (namespace: string, name: string, o?: ServiceSpecOptions) => Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace: string } }
  readonly getService: (namespace: string, name: string) => Promise<LiveService | undefined>
  /** Waits until `probe` holds for the Service, returning it. */
  readonly waitService: (namespace: string, name: string, what: string, probe: (s: LiveService) => boolean, timeoutMs?: number) => Promise<LiveService>
  readonly stop: () => Promise<void>
}

export const startFixture = async (prefix: string): Promise<Fixture> => {
  const kubeconfig = testKubeconfig()
  await ensureCrds(kubeconfig)
  const rest = await testRest(kubeconfig)
  const id = `${prefix}-${randomSuffix()}`
  const configNamespace = `cfg-${id}`
  const lbClass = `ironlb.test/${id}`
  await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: configNamespace } })
  const controllers: ControllerProcess[] = []
  const serviceBody = (namespace: string, name: string, o: ServiceSpecOptions = {}) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, ...(o.annotations === undefined ? {} : { annotations: o.annotations }), ...(o.labels === undefined ? {} : { labels: o.labels }) },
    spec: {
      type: o.type ?? 'LoadBalancer',
      ...((o.type ?? 'LoadBalancer') === 'LoadBalancer' ? { loadBalancerClass: lbClass, externalTrafficPolicy: o.externalTrafficPolicy ?? 'Cluster' } : {}),
      ...(o.ipFamilyPolicy === undefined ? {} : { ipFamilyPolicy: o.ipFamilyPolicy }),
      ...(o.loadBalancerIP === undefined ? {} : { loadBalancerIP: o.loadBalancerIP }),
      ...(o.ipFamilies === undefined ? {} : { ipFamilies: o.ipFamilies }),
      selector: o.selector ?? { app: name },
      ports: (o.ports ?? [{ port: 80 }]).map((p, i) => ({ name: `p${i}`, port: p.port, protocol: p.protocol ?? 'TCP' })),
    },
  })
  const getService = (namespace: string, name: string) => get<LiveService>(rest, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace } })
  return {
    rest,
    kubeconfig,
    configNamespace,
    lbClass,
    controllers,
    startController: async (identity, extraArgs = []) => {
      const c = await startControllerProcess({ kubeconfig, namespace: configNamespace, lbClass, identity, extraArgs })
      controllers.push(c)
      return c
    },
    mkNamespace: async (labels) => {
      const name = `ns-${id}-${randomSuffix()}`
      await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(labels === undefined ? {} : { labels }) } })
      return name
    },
    applyPool: async (name, spec) => {
      await apply(rest, { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name, namespace: configNamespace }, spec } as never)
    },
    serviceBody,
    mkService: (namespace, name, o) => create<LiveService>(rest, serviceBody(namespace, name, o)),
    getService,
    waitService: (namespace, name, what, probe, timeoutMs = 45_000) =>
      eventually(`${namespace}/${name}: ${what}`, timeoutMs, async () => {
        const s = await getService(namespace, name)
        return s !== undefined && probe(s) ? s : undefined
      }),
    stop: async () => {
      await Promise.all(controllers.map((c) => c.kill('SIGTERM')))
      rest.close()
    },
  }
}

// `ironlb simulate`: the controller's decision run offline on a set of objects. It calls the
// controller's own reconcile (core/controller/reconcile.ts) and prints its projection (projection.ts),
// so what it prints is what the controller would write for those objects; then the speakers' (planL2,
// in layer2.ts): which node announces each IP in Layer 2, and (bgp.ts) which routes each node sends
// each BGPPeer.
import { decodeClusterObjects } from '../cluster/decodeCluster.js'
import { isConfigKind, isStatusKind } from '../crd/catalog.js'
import { initialControllerState, reconcileController } from '../controller/reconcile.js'
import type { Service } from '../model/service.js'
import { simulateBgp } from './bgp.js'
import { type Layer2Simulation, simulateLayer2 } from './layer2.js'
import { projectSimulation } from './projection.js'
import { type ErrorReport, type SimulationReport, sortReport } from './report.js'

interface SimulateOptions {
  readonly namespace: string
  /**
   * Whether the user named the namespace (--namespace) rather than taking the default. Then
   * configuration found elsewhere is an error; otherwise a note, since the default was a guess.
   */
  readonly namespaceGiven?: boolean
  readonly loadBalancerClass: string | undefined
  /** Nodes whose speakers are dead (`--down`); every other Node of the input runs a live one. */
  readonly down?: readonly string[]
}

interface Simulation {
  readonly report: SimulationReport
  /** What the table shows beyond the report: unannounced IPs and why, and the nodes taken down. */
  readonly layer2: Layer2Simulation
  /** Notes for stderr: objects of kinds the simulation does not read, configuration outside the namespace. */
  readonly notes: readonly string[]
  /** 0: the config works (even with pending Services); 1: the config is invalid. */
  readonly exitCode: 0 | 1
}

/** Kubernetes' own kinds the simulation reads (core/cluster); MetalLB's come from the CRD catalog. */
const CLUSTER_KINDS = new Set(['Service', 'Node', 'Namespace', 'EndpointSlice'])

const field = (o: unknown, key: string): unknown => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined)

const describe = (o: unknown): string => {
  const kind = field(o, 'kind')
  const meta = field(o, 'metadata')
  const name = field(meta, 'name')
  const ns = field(meta, 'namespace')
  return `${typeof kind === 'string' ? kind : '(no kind)'} ${typeof ns === 'string' ? `${ns}/` : ''}${typeof name === 'string' ? name : '(no name)'}`
}

const apiVersionOf = (o: unknown): string => {
  const v = field(o, 'apiVersion')
  return typeof v === 'string' ? v : '(no apiVersion)'
}

/** The object's own namespace, when it names one other than `namespace`. */
const otherNamespace = (o: unknown, namespace: string): string | undefined => {
  const ns = field(field(o, 'metadata'), 'namespace')
  return typeof ns === 'string' && ns !== '' && ns !== namespace ? ns : undefined
}

const errorOutside = (o: unknown, ns: string, namespace: string): ErrorReport => {
  const name = field(field(o, 'metadata'), 'name')
  return {
    kind: String(field(o, 'kind')),
    namespace: ns,
    name: typeof name === 'string' ? name : '(no name)',
    field: 'metadata.namespace',
    message: `${JSON.stringify(ns)} is not ${JSON.stringify(namespace)}, the namespace given with --namespace; MetalLB reads its configuration from that namespace only`,
  }
}

/** Simulate prints nothing that depends on the time; conditions written "now" get this one. */
const SIMULATION_TIME = '1970-01-01T00:00:00Z'

/**
 * Hand-written manifests lack what the API server fills in on create. Like a dual-stack cluster
 * whose primary family is IPv4, give SingleStack Services [IPv4] and the others [IPv4, IPv6];
 * Services exported from a cluster (`kubectl get -o yaml`) already carry their families.
 */
export const withServerDefaults = (s: Service): Service =>
  s.ipFamilies.length > 0 || s.clusterIPFamilies.length > 0 ? s : { ...s, ipFamilies: s.ipFamilyPolicy === 'SingleStack' ? [4] : [4, 6] }

export const simulate = (objects: readonly unknown[], options: SimulateOptions): Simulation => {
  const notes: string[] = []
  const outside: ErrorReport[] = []
  const configObjects: unknown[] = []
  const clusterObjects: unknown[] = []
  for (const o of objects) {
    const kind = field(o, 'kind')
    const apiVersion = field(o, 'apiVersion')
    const metallb = typeof apiVersion === 'string' && apiVersion.startsWith('metallb.io/')
    const elsewhere = otherNamespace(o, options.namespace)
    if (typeof kind === 'string' && metallb && isConfigKind(kind)) {
      // MetalLB reads its configuration from its own namespace only; anything else it never sees.
      if (elsewhere === undefined) configObjects.push(o)
      else if (options.namespaceGiven === true) outside.push(errorOutside(o, elsewhere, options.namespace))
      else notes.push(`ignored ${describe(o)}: not in ${options.namespace}, the namespace MetalLB reads its configuration from (--namespace names another)`)
    } else if (typeof kind === 'string' && !metallb && CLUSTER_KINDS.has(kind)) clusterObjects.push(o)
    // Status kinds only report; reading them would change nothing.
    else if (!(typeof kind === 'string' && metallb && isStatusKind(kind)))
      notes.push(`ignored ${describe(o)} (${apiVersionOf(o)}): not a kind the simulation reads`)
  }
  const cluster = decodeClusterObjects(clusterObjects)
  for (const p of cluster.problems) notes.push(`skipped ${p.kind} ${p.namespace === '' ? '' : `${p.namespace}/`}${p.name}: ${p.field}: ${p.message}`)

  const down = options.down ?? []
  const defaulted = cluster.services.map(withServerDefaults)
  const { plan } = reconcileController(
    { configObjects, services: defaulted, shown: cluster.shown, namespaces: cluster.namespaces },
    initialControllerState,
    { now: SIMULATION_TIME, namespace: options.namespace, loadBalancerClass: options.loadBalancerClass },
  )
  const projected = projectSimulation(plan)
  const config = plan.config._tag === 'Latest' ? plan.config.config : undefined
  if (config === undefined || plan.allocation === undefined || outside.length > 0)
    return {
      report: { services: [], pools: [], errors: [...outside, ...projected.errors], announcements: [] },
      layer2: { announcements: [], unannounced: [], down: [...down], unknownDown: [] },
      notes,
      exitCode: 1,
    }
  const speakers = { loadBalancerClass: options.loadBalancerClass, down }
  const layer2 = simulateLayer2(config, cluster, defaulted, plan.allocation.plan, speakers)
  const bgp = simulateBgp(config, cluster, defaulted, plan.allocation.plan, speakers)
  const announcements = [...layer2.announcements, ...bgp]
  return { report: sortReport({ services: projected.services, pools: projected.pools, errors: [], announcements }), layer2, notes, exitCode: 0 }
}

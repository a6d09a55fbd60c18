// The Layer 2 part of `ironlb simulate`: who would announce each assigned IP, from the allocation
// plan's IPs and the input's Nodes and EndpointSlices. In a simulation every Node runs a speaker
// and all of them are alive, except those named by `--down`, which answers "who announces if these
// nodes die?". The speakers' class is the controller's `--lb-class`, as both binaries take the same.
import type { AllocationPlan } from '../alloc/outcome.js'
import type { ClusterObjects } from '../cluster/decodeCluster.js'
import { assignedFromPlan } from '../l2/assigned.js'
import { type InterfaceChoice, type ServiceSkipReason, describeSkip } from '../l2/decision.js'
import { planL2 } from '../l2/plan.js'
import type { Config } from '../model/config.js'
import type { NodeName } from '../model/names.js'
import type { Service } from '../model/service.js'
import { formatIP } from '../net/address.js'
import type { L2AnnouncementReport } from './report.js'

/** An assigned IP nobody would announce, for the table (the JSON lists announcements only). */
interface UnannouncedReport {
  readonly service: string
  readonly ip: string
  readonly reason: ServiceSkipReason
  readonly message: string
}

export interface Layer2Simulation {
  readonly announcements: readonly L2AnnouncementReport[]
  readonly unannounced: readonly UnannouncedReport[]
  /** The `--down` nodes, sorted. */
  readonly down: readonly string[]
  /** `--down` names that are no Node of the input: a typo the command refuses. */
  readonly unknownDown: readonly string[]
}

/** Reasons the services table already tells (no IP, not ours): not repeated under Layer 2. */
const TOLD_ALREADY: ReadonlySet<ServiceSkipReason> = new Set(['NotLoadBalancer', 'OtherLoadBalancerClass', 'NoIP'])

const interfaceNames = (i: InterfaceChoice): readonly string[] => (i._tag === 'AllInterfaces' ? ['*'] : i.names)

export const simulateLayer2 = (
  config: Config,
  cluster: ClusterObjects,
  services: readonly Service[],
  plan: AllocationPlan,
  options: { readonly loadBalancerClass: string | undefined; readonly down: readonly string[] },
): Layer2Simulation => {
  const down = [...new Set(options.down)].sort()
  const names = new Set<string>(cluster.nodes.map((n) => n.name))
  const l2 = planL2({
    config,
    services,
    assigned: assignedFromPlan(plan),
    nodes: cluster.nodes,
    endpointSlices: cluster.endpointSlices,
    live: new Set<NodeName>(cluster.nodes.map((n) => n.name).filter((n) => !down.includes(n))),
    loadBalancerClass: options.loadBalancerClass,
  })
  return {
    announcements: l2.announcements.map((a) => ({
      service: a.service,
      ip: formatIP(a.ip),
      protocol: 'layer2' as const,
      node: a.node,
      interfaces: interfaceNames(a.interfaces),
    })),
    unannounced: l2.skipped.flatMap((s) =>
      s.ip === undefined || TOLD_ALREADY.has(s.reason) ? [] : [{ service: s.service, ip: formatIP(s.ip), reason: s.reason, message: describeSkip(s.reason) }],
    ),
    down,
    unknownDown: down.filter((n) => !names.has(n)),
  }
}

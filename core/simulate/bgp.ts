// The BGP part of `ironlb simulate`: which node sends which route to which BGPPeer for each
// assigned IP, from core/bgp/advertise.ts run for every Node of the input, as each speaker would.
// A `--down` node's speaker is dead, so its sessions are down and it sends nothing: only its own
// rows go, since every other eligible node advertises the same IPs already (ECMP, no election).
import type { AllocationPlan } from '../alloc/outcome.js'
import { whatShouldNodeAdvertise } from '../bgp/advertise.js'
import type { ClusterObjects } from '../cluster/decodeCluster.js'
import { assignedFromPlan } from '../l2/assigned.js'
import { formatCommunity } from '../model/community.js'
import type { Config } from '../model/config.js'
import type { Service } from '../model/service.js'
import { formatIP } from '../net/address.js'
import { formatPrefix } from '../net/prefix.js'
import type { BgpAnnouncementReport } from './report.js'

export const simulateBgp = (
  config: Config,
  cluster: ClusterObjects,
  services: readonly Service[],
  plan: AllocationPlan,
  options: { readonly loadBalancerClass: string | undefined; readonly down: readonly string[] },
): BgpAnnouncementReport[] => {
  if (config.bgpPeers.length === 0 || config.bgpAdvertisements.length === 0) return []
  const assigned = assignedFromPlan(plan)
  const nodes = [...cluster.nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return nodes
    .filter((n) => !options.down.includes(n.name))
    .flatMap((node) =>
      whatShouldNodeAdvertise(node.name, {
        config,
        services,
        assigned,
        nodes: cluster.nodes,
        endpointSlices: cluster.endpointSlices,
        loadBalancerClass: options.loadBalancerClass,
      }).advertised.map((a) => ({
        service: a.service,
        ip: formatIP(a.ip),
        protocol: 'bgp' as const,
        node: node.name,
        peer: a.peer,
        prefix: formatPrefix(a.route.prefix),
        communities: [...a.route.communities, ...a.route.largeCommunities].map(formatCommunity),
        localPref: a.route.localPref ?? null,
      })),
    )
}

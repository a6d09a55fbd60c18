// Properties of the Layer 2 planner over generated clusters: agreement with the reference
// (reference.ts), one announcer per announced IP, the per-node view agreeing with the cluster view,
// independence from input order, stability when a node dies or goes away, and owners that are
// always eligible.
import t from 'tap'
import fc from 'fast-check'
import type { L2Plan, NodeSkipReason } from '../../../core/l2/decision.js'
import { type L2Input, planL2, whatShouldNodeAnnounce } from '../../../core/l2/plan.js'
import type { NodeName } from '../../../core/model/names.js'
import { formatIP } from '../../../core/net/address.js'
import { clusterArb } from './arbitraries.js'
import { referenceOwner } from './reference.js'
import { showInterfaces, showPlan } from './mk.js'

const RUNS = { numRuns: 300 }

/** "service ip" for an announcement or skipped entry. */
const at = (service: string, ip: { family: 4 | 6; value: bigint } | undefined): string => `${service} ${ip === undefined ? '-' : formatIP(ip as never)}`

const announcedBy = (plan: L2Plan): Map<string, string> => new Map(plan.announcements.map((a) => [at(a.service, a.ip), `${a.node} ${showInterfaces(a.interfaces)}`]))

/** Every node a speaker could run on: the Nodes, live names without one, and one nobody knows. */
const askers = (input: L2Input): NodeName[] => [...new Set([...input.nodes.map((n) => n.name), ...input.live, 'stranger' as NodeName])]

t.test('agrees with the reference', async () => {
  fc.assert(
    fc.property(clusterArb, (input) => {
      const plan = planL2(input)
      const owners = announcedBy(plan)
      const reasons = new Map(plan.skipped.map((s) => [at(s.service, s.ip), s.reason]))
      for (const svc of input.services) {
        const want = referenceOwner(input, svc)
        const ips = input.assigned.get(svc.key) ?? []
        for (const ip of ips.length === 0 ? [undefined] : ips) {
          const where = at(svc.key, ip)
          const got = owners.get(where) ?? reasons.get(where)
          const expected = 'owner' in want ? `${want.owner} ${want.interfaces}` : want.reason
          if (got !== expected) throw new Error(`${where}: got ${got}, want ${expected}`)
        }
      }
      return plan.announcements.length + plan.skipped.length === input.services.reduce((n, s) => n + Math.max(1, (input.assigned.get(s.key) ?? []).length), 0)
    }),
    RUNS,
  )
})

t.test('exactly one node announces each announced IP, and none a skipped one', async () => {
  fc.assert(
    fc.property(clusterArb, (input) => {
      const plan = planL2(input)
      const count = new Map<string, number>()
      for (const node of askers(input))
        for (const e of whatShouldNodeAnnounce(node, input)) if (e.decision._tag === 'Announce') count.set(at(e.service, e.ip), (count.get(at(e.service, e.ip)) ?? 0) + 1)
      return (
        plan.announcements.every((a) => count.get(at(a.service, a.ip)) === 1) && plan.skipped.every((s) => count.get(at(s.service, s.ip)) === undefined)
      )
    }),
    RUNS,
  )
})

const NODE_LEVEL: ReadonlySet<NodeSkipReason> = new Set(['UnknownNode', 'NodeNotSelected', 'SpeakerDown', 'NetworkUnavailable', 'ExcludedNode', 'NoLocalEndpoints'])

t.test('each node\'s view agrees with the cluster view', async () => {
  fc.assert(
    fc.property(clusterArb, (input) => {
      const plan = planL2(input)
      const owners = announcedBy(plan)
      const reasons = new Map(plan.skipped.map((s) => [at(s.service, s.ip), s.reason]))
      for (const node of askers(input)) {
        const view = whatShouldNodeAnnounce(node, input)
        if (view.length !== plan.announcements.length + plan.skipped.length) return false
        for (const e of view) {
          const where = at(e.service, e.ip)
          const owner = owners.get(where)
          const d = e.decision
          if (d._tag === 'Announce') {
            if (owner !== `${node} ${showInterfaces(d.interfaces)}`) return false
          } else if (owner !== undefined) {
            // Announced elsewhere: this node lost the election or sits out for a reason of its own.
            if (owner.startsWith(`${node} `) || !(d.reason === 'NotOwner' || NODE_LEVEL.has(d.reason))) return false
          } else {
            const r = reasons.get(where)
            // Nobody announces: the same Service reason, or, when no node is eligible, this node's own.
            if (r === 'NoEligibleNode' ? !NODE_LEVEL.has(d.reason) : d.reason !== r) return false
          }
        }
      }
      return true
    }),
    RUNS,
  )
})

const shuffled = <A>(xs: readonly A[], seed: number): A[] =>
  xs
    .map((x, i) => ({ x, k: Math.imul(i + 1, 2654435761) ^ seed }))
    .sort((a, b) => a.k - b.k)
    .map((e) => e.x)

t.test('the same answer whatever the order of the inputs', async () => {
  fc.assert(
    fc.property(clusterArb, fc.integer(), (input, seed) => {
      const reordered: L2Input = {
        ...input,
        services: shuffled(input.services, seed),
        nodes: shuffled(input.nodes, seed ^ 1),
        endpointSlices: shuffled(input.endpointSlices.map((s) => ({ ...s, endpoints: shuffled(s.endpoints, seed ^ 2) })), seed ^ 3),
        live: new Set(shuffled([...input.live], seed ^ 4)),
        config: { ...input.config, l2Advertisements: shuffled(input.config.l2Advertisements, seed ^ 5) },
      }
      const a = showPlan(planL2(input))
      return JSON.stringify(a) === JSON.stringify(showPlan(planL2(reordered))) && JSON.stringify(a) === JSON.stringify(showPlan(planL2(input)))
    }),
    RUNS,
  )
})

t.test('when a node dies or is deleted, only the IPs it announced move', async () => {
  fc.assert(
    fc.property(clusterArb, fc.nat(), (input, pick) => {
      const before = planL2(input)
      const gone = input.nodes[pick % input.nodes.length]?.name
      if (gone === undefined) return true
      const dead = planL2({ ...input, live: new Set([...input.live].filter((n) => n !== gone)) })
      const deleted = planL2({ ...input, nodes: input.nodes.filter((n) => n.name !== gone) })
      for (const after of [dead, deleted]) {
        const now = announcedBy(after)
        for (const a of before.announcements) if (a.node !== gone && now.get(at(a.service, a.ip)) !== `${a.node} ${showInterfaces(a.interfaces)}`) return false
        if (after.announcements.some((a) => a.node === gone)) return false
      }
      return true
    }),
    RUNS,
  )
})

t.test('the owner is always eligible', async () => {
  fc.assert(
    fc.property(clusterArb, (input) => {
      const byName = new Map(input.nodes.map((n) => [n.name, n]))
      const services = new Map(input.services.map((s) => [s.key, s]))
      return planL2(input).announcements.every((a) => {
        const node = byName.get(a.node)
        const svc = services.get(a.service)
        if (node === undefined || svc === undefined) return false
        const local = svc.externalTrafficPolicy !== 'Local' || input.endpointSlices.some((s) => s.service === svc.key && s.endpoints.some((e) => e.nodeName === node.name && (e.ready || e.serving)))
        return input.live.has(node.name) && !node.networkUnavailable && (!node.excludedFromLoadBalancers || input.ignoreExcludeLB === true) && local
      })
    }),
    RUNS,
  )
})

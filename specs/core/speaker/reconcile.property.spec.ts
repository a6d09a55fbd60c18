// The speaker never announces an IP whose reason says otherwise, over runs of passes on random small
// clusters (API objects as the caches hold them): every IP on any interface has an Announce decision
// for this node, and the cluster-wide plan (core/l2/plan.ts planL2, a separate election path) names
// this node for it; every IP with a reason is on no interface; unable to answer, nothing is held;
// the gratuitous re-assertion and the taken list name only IPs announced here; interfaces are only
// usable ones. Each Service holds IPs no other Service holds, so "the IP" and "the Service's IP" agree.
import t from 'tap'
import fc from 'fast-check'
import { decodeClusterObjects } from '../../../core/cluster/decodeCluster.js'
import { buildConfig } from '../../../core/config/buildConfig.js'
import { assignedFromIngress } from '../../../core/l2/assigned.js'
import { planL2 } from '../../../core/l2/plan.js'
import { asNodeName } from '../../../core/model/names.js'
import { formatIP } from '../../../core/net/address.js'
import type { SpeakerInput, SpeakerStep } from '../../../core/speaker/speakerPlan.js'
import { ABLE, NS, SELF, UNABLE, mkInput, rawL2, rawNode, rawPool, rawService, rawSlice, run } from './mk.js'

const NODES = ['n0', 'n1', 'n2', 'n3']
const IFACES = ['eth0', 'eth1', 'eth2']
const IPS = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4', '2001:db8::1', '2001:db8::2', '203.0.113.9']

// Mostly with this node's Node object, now and then without (UnknownNode for every IP).
const nodesArb = fc.tuple(fc.constantFrom(true, true, true, true, false), fc.subarray(NODES.slice(1))).map(([self, others]) => (self ? [SELF, ...others] : others.length > 0 ? others : ['n1'])).chain((names) =>
  fc.tuple(...names.map((n) => fc.constantFrom('edge', 'worker').map((role) => rawNode(n, { role })))),
)
const adArb = (i: number) =>
  fc
    .record({
      interfaces: fc.constantFrom([], [], ['eth0'], ['eth1', 'eth2'], ['eth9']),
      nodeSelectors: fc.constantFrom([], [], [{ matchLabels: { role: 'edge' } }]),
    })
    .map((spec) => rawL2(`ad${i}`, { ipAddressPools: ['p'], ...spec }))
const adsArb = fc.constantFrom(0, 1, 1, 2).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => adArb(i))))
const servicesArb = fc.shuffledSubarray(IPS, { minLength: 1 }).chain((ips) =>
  fc.tuple(
    ...ips.map((ip, i) =>
      fc
        .record({
          local: fc.boolean(),
          noIP: fc.integer({ min: 0, max: 6 }).map((x) => x === 0),
          type: fc.constantFrom('LoadBalancer', 'LoadBalancer', 'LoadBalancer', 'ClusterIP'),
          endpoints: fc.array(fc.record({ node: fc.constantFrom(...NODES, 'elsewhere'), ready: fc.constantFrom(true, true, false) }), { maxLength: 3 }),
        })
        .map((o) => [rawService(`s${i}`, { ips: o.noIP ? [] : [ip], local: o.local, type: o.type }), rawSlice(`s${i}`, o.endpoints)]),
    ),
  ).map((pairs) => pairs.flat()),
)
const passArb = fc.record({
  readiness: fc.oneof({ weight: 7, arbitrary: fc.constant(ABLE) }, { weight: 1, arbitrary: fc.constant(UNABLE) }),
  synced: fc.oneof({ weight: 7, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  joined: fc.oneof({ weight: 7, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  // Mostly alive itself (the detector counts itself alive while it runs), now and then not.
  alive: fc.tuple(fc.constantFrom(true, true, true, true, false), fc.subarray(NODES.slice(1))).map(([self, others]) => (self ? [SELF, ...others] : others)),
  interfaces: fc.subarray(IFACES),
})
const scenarioArb = fc.record({
  objects: fc.tuple(nodesArb, adsArb, servicesArb).map(([nodes, ads, services]) => [rawPool('p', ['198.51.100.0/29', '2001:db8::/125']), ...nodes, ...ads, ...services]),
  passes: fc.array(passArb, { minLength: 1, maxLength: 4 }),
})

type Pass = typeof passArb extends fc.Arbitrary<infer P> ? P : never

const inputOf = (objects: readonly { kind: string }[], p: Pass): SpeakerInput =>
  mkInput(objects, {
    readiness: p.readiness,
    synced: p.synced,
    interfaces: p.interfaces,
    membership: p.joined ? { _tag: 'In', alive: new Set(p.alive) } : { _tag: 'Out' },
  })

/** This node's IPs by the cluster-wide plan, from the same objects and live set. */
const ownedByPlan = (objects: readonly { kind: string }[], alive: readonly string[]): Set<string> => {
  const config = buildConfig(objects, { namespace: NS })
  if (config._tag !== 'Valid') throw new Error('the scenario\'s config is valid')
  const cluster = decodeClusterObjects(objects)
  const plan = planL2({
    config: config.config,
    services: cluster.services,
    assigned: assignedFromIngress(cluster.services),
    nodes: cluster.nodes,
    endpointSlices: cluster.endpointSlices,
    live: new Set(alive.map(asNodeName)),
    loadBalancerClass: undefined,
  })
  return new Set(plan.announcements.filter((a) => a.node === SELF).map((a) => formatIP(a.ip)))
}

/** What is wrong with one step, as sentences; empty when nothing is. */
const faults = (step: SpeakerStep, input: SpeakerInput, owned: ReadonlySet<string> | undefined): string[] => {
  const out: string[] = []
  const r = step.plan.protocols.layer2.responder
  if (input.readiness._tag === 'Unable') {
    if (r._tag !== 'Withdraw') out.push(`unable, yet ${r._tag}`)
    if (step.state.announced.size > 0) out.push('unable, yet the state keeps announced IPs')
    const writes = step.plan.protocols.layer2.statuses
    if (writes._tag === 'Write' && writes.writes.some((w) => w._tag !== 'Delete')) out.push('unable, yet a status is written')
    return out
  }
  if (r._tag !== 'Announce') return out
  const announced = new Set(r.announced.map((a) => a.ip))
  const held = new Set([...r.interfaces.values()].flat().map(formatIP))
  for (const ip of held) {
    if (!announced.has(ip)) out.push(`${ip} on an interface without an Announce decision`)
    if (owned !== undefined && !owned.has(ip)) out.push(`${ip} on an interface, but the cluster plan names another node`)
  }
  for (const n of step.state.reasons.values()) if (n.ip !== undefined && (held.has(n.ip) || announced.has(n.ip))) out.push(`${n.ip} announced, yet its reason is ${n.reason}`)
  if (owned !== undefined) for (const ip of owned) if (!announced.has(ip)) out.push(`${ip} owned by the cluster plan, not announced`)
  for (const ip of r.reassert.map(formatIP)) if (!announced.has(ip)) out.push(`re-asserting ${ip}, not announced here`)
  for (const ip of r.taken) if (!announced.has(ip)) out.push(`taking ${ip}, not announced here`)
  for (const name of r.interfaces.keys()) if (!input.interfaces.includes(name)) out.push(`${name} is not usable`)
  return out
}

t.test('never announces an IP whose reason says otherwise', async (t) => {
  let announcing = 0
  fc.assert(
    fc.property(scenarioArb, ({ objects, passes }) => {
      const inputs = passes.map((p) => inputOf(objects, p))
      const steps = run(inputs)
      return steps.every((step, i) => {
        const input = inputs[i] as SpeakerInput
        const p = passes[i]
        const owned = input.membership._tag === 'In' && p !== undefined ? ownedByPlan(objects, p.alive) : undefined
        const found = faults(step, input, owned)
        if (step.plan.protocols.layer2.responder._tag === 'Announce' && step.state.announced.size > 0) announcing++
        if (found.length > 0) throw new Error(found.join('; '))
        return true
      })
    }),
    { numRuns: 200 },
  )
  t.ok(announcing > 30, `the runs announce something often enough to matter (${announcing} passes)`)
})

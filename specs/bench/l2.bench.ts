// Layer 2 planner figures for 1,000 Services on 100 nodes: the cluster-wide plan (every eligible
// node hashed for every Service) and one node's view (what a speaker recomputes on every change,
// stopping each election at the first node that beats it), with and without preferences, for
// Cluster and Local policy. Prints, asserts nothing; `benchL2` is for specs/bench/run.ts.
import { performance } from 'node:perf_hooks'
import { type L2Input, planL2, whatShouldNodeAnnounce } from '../../core/l2/plan.js'
import type { L2Advertisement } from '../../core/model/advertisement.js'
import type { EndpointSlice } from '../../core/model/endpoints.js'
import type { Node } from '../../core/model/node.js'
import type { Service } from '../../core/model/service.js'
import { mkAd, mkEndpoint, mkL2Input, mkNode, mkPool, mkService, mkSlice, prefer } from '../core/l2/mk.js'

const NODES = 100
const SERVICES = 1000

const mkNodes = (): Node[] =>
  Array.from({ length: NODES }, (_, i) => mkNode(`node-${String(i).padStart(3, '0')}`, { labels: { role: i < 10 ? 'edge' : 'worker', zone: `z${i % 4}` } }))

/** Every third Service Local, every fifth dual-stack; endpoints on three nodes each. */
const mkCluster = (local: 'none' | 'mixed', ads: readonly L2Advertisement[]): L2Input => {
  const nodes = mkNodes()
  const services: Service[] = []
  const slices: EndpointSlice[] = []
  for (let i = 0; i < SERVICES; i++) {
    const v4 = `10.${(i >> 8) & 255}.${i & 255}.${1 + (i % 200)}`
    const holds = i % 5 === 0 ? [v4, `fd00::${i.toString(16)}`] : [v4]
    const isLocal = local === 'mixed' && i % 3 === 0
    services.push(mkService(`svc-${i}`, { holds, externalTrafficPolicy: isLocal ? 'Local' : 'Cluster', labels: { app: `a${i % 7}` } }))
    slices.push(mkSlice(`svc-${i}`, [0, 1, 2].map((k) => mkEndpoint({ node: nodes[(i * 7 + k * 31) % NODES]?.name ?? '' }))))
  }
  return mkL2Input({ pools: [mkPool('p', ['10.0.0.0/8', 'fd00::/64'])], ads, nodes, services, slices })
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0

const timeMs = (f: () => unknown, runs: number): number => {
  const times: number[] = []
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now()
    f()
    times.push(performance.now() - t0)
  }
  return median(times)
}

export async function benchL2(): Promise<void> {
  const print = (line: string): void => void process.stdout.write(`${line}\n`)
  const scenarios: ReadonlyArray<[string, L2Input]> = [
    ['Cluster policy, one advertisement', mkCluster('none', [mkAd('all', { pools: ['p'] })])],
    ['a third Local', mkCluster('mixed', [mkAd('all', { pools: ['p'] })])],
    ['a third Local, edge nodes preferred', mkCluster('mixed', [mkAd('all', { pools: ['p'], preferred: [prefer(100, { role: 'edge' })] })])],
    [
      'a third Local, three advertisements with interfaces and preferences',
      mkCluster('mixed', [
        mkAd('a', { pools: ['p'], interfaces: ['eth0'] }),
        mkAd('b', { pools: ['p'], interfaces: ['eth1'], preferred: [prefer(10, { zone: 'z1' })] }),
        mkAd('c', { pools: ['p'], preferred: [prefer(5, { zone: 'z2' })] }),
      ]),
    ],
  ]
  // Warm the JIT on the first scenario.
  for (let k = 0; k < 3; k++) planL2(scenarios[0]?.[1] ?? mkCluster('none', []))
  for (const [label, input] of scenarios) {
    const plan = planL2(input)
    const cluster = timeMs(() => planL2(input), 5)
    const nodes = input.nodes.map((n) => n.name)
    const t0 = performance.now()
    for (const node of nodes) whatShouldNodeAnnounce(node, input)
    const perNode = (performance.now() - t0) / nodes.length
    print(
      `l2: ${SERVICES} services x ${NODES} nodes, ${label}: planL2 median ${cluster.toFixed(1)} ms; whatShouldNodeAnnounce ${perNode.toFixed(1)} ms per node (mean over all ${nodes.length}); ${plan.announcements.length} IPs announced from ${new Set(plan.announcements.map((a) => a.node)).size} nodes`,
    )
  }
}

// Allocation planner figures: full planning time for 1,000 / 10,000 / 100,000 Services over 50 pools
// (IPv4 ranges and CIDRs, IPv6 /64s, a few dual-stack pools), a restart (every Service feeding its
// IPs back), the engine's replan after one added Service at 100,000, heap in use, and the controller's
// allocation step at 5,000 and 10,000 with one Service changed: a full plan against planFrom (which
// diffs the whole snapshot itself). Targets on the 2-core reference machine: 100,000 planned in <= 1 s,
// one added Service replanned in <= 20 ms, heap growing with assignments and not with pool sizes.
// Wired into `make bench` by the lead; prints, asserts nothing.
import { performance } from 'node:perf_hooks'
import { planFrom } from '../../core/alloc/incremental.js'
import { type AllocationState, planAllocation, replanAllocation, startAllocation } from '../../core/alloc/plan.js'
import type { AllocationInput } from '../../core/alloc/outcome.js'
import type { Pool } from '../../core/model/pool.js'
import type { Service } from '../../core/model/service.js'
import { mkAllocation, mkConfig, mkPool, mkSelector, mkService } from '../core/alloc/mk.js'

/** A deterministic generator, so every run plans the same cluster. */
const lcg = (seed: number): (() => number) => {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

export const mkPools = (): Pool[] => {
  const pools: Pool[] = []
  for (let i = 0; i < 30; i++)
    pools.push(
      mkPool(`v4-${String(i).padStart(2, '0')}`, [`10.${i}.0.0/18`, `10.${i}.64.1-10.${i}.80.254`], {
        avoidBuggyIPs: i % 3 === 0,
        autoAssign: i !== 7,
        ...(i % 10 === 5 ? { serviceAllocation: mkAllocation({ priority: i, namespaces: [`team-${i % 4}`] }) } : {}),
      }),
    )
  for (let i = 0; i < 15; i++) pools.push(mkPool(`v6-${String(i).padStart(2, '0')}`, [`2001:db8:${i.toString(16)}::/64`]))
  for (let i = 0; i < 5; i++)
    pools.push(
      mkPool(`dual-${i}`, [`172.16.${i * 16}.0/20`, `fd00:${i}::/64`], {
        serviceAllocation: mkAllocation({ priority: 1, serviceSelectors: [mkSelector({ tier: 'edge' })] }),
      }),
    )
  return pools
}

const stamp = (i: number): string => new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString()

export const mkServices = (n: number, seed: number, offset = 0): Service[] => {
  const rnd = lcg(seed)
  const out: Service[] = []
  for (let j = 0; j < n; j++) {
    const i = j + offset
    const r = rnd()
    const ns = `team-${i % 4}`
    const base = { ns, creationTimestamp: stamp(i), labels: i % 50 === 0 ? { tier: 'edge' } : {} }
    if (r < 0.6) out.push(mkService(`svc-${i}`, base))
    else if (r < 0.8) out.push(mkService(`svc-${i}`, { ...base, ipFamilies: [6] }))
    else if (r < 0.9) out.push(mkService(`svc-${i}`, { ...base, ipFamilies: [4, 6], ipFamilyPolicy: 'PreferDualStack' }))
    else if (r < 0.95) out.push(mkService(`svc-${i}`, { ...base, pool: `v4-${String(i % 30).padStart(2, '0')}` }))
    // Pairs sharing one IP on different ports.
    else out.push(mkService(`svc-${i}`, { ...base, sharingKey: `pair-${i >> 1}`, ports: [{ protocol: 'TCP', port: 8000 + (i % 2) }] }))
  }
  return out
}

const input = (services: readonly Service[], pools: readonly Pool[]): AllocationInput => ({
  config: mkConfig(pools),
  services,
  namespaces: [],
  loadBalancerClass: undefined,
})

const gc = (): void => {
  const g = (globalThis as { gc?: () => void }).gc
  if (g !== undefined) g()
}

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`

/** Wall time, and CPU time of this process (all threads, GC helpers included) for a busy machine. */
const timed = <T>(f: () => T): { value: T; ms: number; cpu: number } => {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const value = f()
  const ms = performance.now() - t0
  const c = process.cpuUsage(c0)
  return { value, ms, cpu: (c.user + c.system) / 1000 }
}

/** Services with the IPs their plan gave them, as the cluster shows them once statuses are written. */
const withPlannedIPs = (services: readonly Service[], state: AllocationState): Service[] =>
  services.map((s) => {
    const o = state.plan.outcomes.get(s.key)
    return o?._tag === 'Assigned' ? { ...s, ingressIPs: o.ips } : s
  })

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0

/**
 * One controller pass's allocation with one Service changed, on a settled cluster (statuses written):
 * a full plan against planFrom from the last pass's state. planFrom gets the Services either as the
 * same objects as last pass but the changed one (a decoder that reuses unchanged objects) or all as
 * deep copies (one that decodes afresh: every Service then compared by value). The config is a new Map each
 * pass in both, as the controller builds it. Medians over `runs` passes in this process.
 */
type Sample = { readonly ms: number; readonly cpu: number }

const benchControllerStep = (n: number, pools: readonly Pool[], print: (line: string) => void): void => {
  const runs = 15
  const services = mkServices(n, n)
  const settled = withPlannedIPs(services, startAllocation(input(services, pools)))
  for (const change of ['edited (a label)', 'added'] as const) {
    let current = settled
    let reused = planFrom(undefined, input(current, pools))
    let copied = reused
    const full: Sample[] = []
    const same: Sample[] = []
    const copies: Sample[] = []
    for (let k = 0; k < runs; k++) {
      if (change === 'added') {
        const [svc] = mkServices(1, 31 + k, n + k)
        if (svc !== undefined) current = [...current, svc]
      } else {
        const at = (k * 7_919) % current.length
        current = current.map((s, i) => (i === at ? { ...s, labels: { ...s.labels, revision: String(k) } } : s))
      }
      // What decoding every raw Service afresh gives: equal values, no object shared with last pass.
      const copy = current.map((s) => structuredClone(s))
      full.push(timed(() => planAllocation(input(current, pools))))
      const r = timed(() => planFrom(reused, input(current, pools)))
      same.push(r)
      reused = r.value
      const c = timed(() => planFrom(copied, input(copy, pools)))
      copies.push(c)
      copied = c.value
    }
    // This machine is shared: CPU time says more than wall time, so the ratio is of CPU medians.
    const cpuOf = (xs: readonly Sample[]): number => median(xs.map((x) => x.cpu))
    const msOf = (xs: readonly Sample[]): number => median(xs.map((x) => x.ms))
    const show = (xs: readonly Sample[]): string =>
      `${cpuOf(xs).toFixed(2)} ms cpu (${msOf(xs).toFixed(2)} ms wall), ${(cpuOf(full) / Math.max(cpuOf(xs), 0.001)).toFixed(1)}x less`
    print(
      `alloc: controller step at ${n}, 1 service ${change}, median of ${runs}: full plan ${cpuOf(full).toFixed(1)} ms cpu (${msOf(full).toFixed(1)} ms wall); planFrom ${show(same)} with unchanged objects reused; ${show(copies)} with every object decoded afresh (deep copies)`,
    )
  }
}

export async function benchAllocation(): Promise<void> {
  const pools = mkPools()
  const print = (line: string): void => void process.stdout.write(`${line}\n`)
  print(`alloc: ${pools.length} pools; gc ${typeof (globalThis as { gc?: unknown }).gc === 'function' ? 'exposed' : 'not exposed (run node --expose-gc for exact heap)'}`)
  // Warm the JIT so the first size is not charged for compilation.
  startAllocation(input(mkServices(20_000, 99), pools))
  for (const n of [1_000, 10_000, 100_000]) {
    const services = mkServices(n, n)
    gc()
    const heap0 = process.memoryUsage().heapUsed
    const full = timed(() => startAllocation(input(services, pools)))
    gc()
    const heap1 = process.memoryUsage().heapUsed
    // Two more runs: this machine is shared, so the median says more than any single run.
    const again = [full, timed(() => startAllocation(input(services, pools))), timed(() => startAllocation(input(services, pools)))]
    const assigned = [...full.value.plan.outcomes.values()].filter((o) => o._tag === 'Assigned').length
    print(
      `alloc: plan ${n} services: first ${full.ms.toFixed(0)} ms (cpu ${full.cpu.toFixed(0)} ms), median of 3 ${median(again.map((r) => r.ms)).toFixed(0)} ms (cpu ${median(again.map((r) => r.cpu)).toFixed(0)} ms); ${assigned} assigned; heap +${mb(heap1 - heap0)} (state and plan)`,
    )
    if (n !== 100_000) continue
    const held = withPlannedIPs(services, full.value)
    const restart = timed(() => startAllocation(input(held, pools)))
    print(`alloc: restart ${n} services holding IPs: ${restart.ms.toFixed(0)} ms (cpu ${restart.cpu.toFixed(0)} ms)`)
    for (const [label, start] of [
      ['settled (every Service holds its IPs)', restart.value],
      ['fresh (statuses not yet written)', full.value],
    ] as const) {
      let state = start
      const times: number[] = []
      for (let k = 0; k < 21; k++) {
        const [added] = mkServices(1, 7 + k, n + k)
        if (added === undefined) continue
        const one = timed(() => replanAllocation(state, { upserted: [added], deleted: [] }))
        times.push(one.ms)
        state = one.value
      }
      print(`alloc: replan after 1 added service at ${n}, ${label}: median ${median(times).toFixed(2)} ms, max ${Math.max(...times).toFixed(2)} ms over ${times.length}`)
    }
  }
  // What a controller meets after the first plan of a fresh cluster: its own status writes coming
  // back as updates (confirmations), and then ordinary churn on a settled cluster.
  {
    const services = mkServices(100_000, 100_000)
    let state = startAllocation(input(services, pools))
    const confirm = (from: number, to: number) => withPlannedIPs(services.slice(from, to), state)
    for (const [from, to] of [[0, 1], [1, 1_001], [1_001, 100_000]] as const) {
      const up = confirm(from, to)
      const r = timed(() => replanAllocation(state, { upserted: up, deleted: [] }))
      state = r.value
      print(`alloc: status writes confirming the plan at 100000, batch of ${to - from}: ${r.ms.toFixed(1)} ms (${state.changed.size} outcomes changed)`)
    }
    const gone = services.slice(500, 501).map((s) => s.key)
    const del = timed(() => replanAllocation(state, { upserted: [], deleted: gone }))
    print(`alloc: delete 1 service holding an IP at 100000, settled: ${del.ms.toFixed(2)} ms (${del.value.changed.size} outcomes changed)`)
  }
  for (const n of [5_000, 10_000]) benchControllerStep(n, pools, print)
  // Pool size must not matter: the same Services over /48s instead of /64s.
  const wide = pools.map((p) => (p.name.startsWith('v6') ? mkPool(p.name, [`2001:db8:${p.name.slice(3)}::/48`]) : p))
  const services = mkServices(10_000, 10_000)
  gc()
  const h0 = process.memoryUsage().heapUsed
  const w = timed(() => startAllocation(input(services, wide)))
  gc()
  print(`alloc: plan 10000 services over IPv6 /48 pools: ${w.ms.toFixed(0)} ms (cpu ${w.cpu.toFixed(0)} ms), heap +${mb(process.memoryUsage().heapUsed - h0)}`)
}

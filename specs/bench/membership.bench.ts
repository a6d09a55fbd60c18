// Failure-detector figures, measured, never assumed:
//  1. detection latency over many simulated crashes (virtual clock, n = 5..50, 0 % and 5 % loss);
//  2. false deaths under 5 % loss over 60 s runs (simulated);
//  3. convergence after a partition heals (simulated);
//  4. messages per member per second at 10 (real UDP on loopback and simulated), 100 and 1,000
//     members (simulated);
//  5. failover estimate on real loopback UDP: a 5-member cluster, the owner is killed 20 times, and
//     we time until the next owner's own live set drops it, rounded up to a 20 ms client probe.
// Run: node --loader <ts loader> specs/bench/membership.bench.ts (or import benchMembership).
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import type { NodeName } from '../../core/model/names.js'
import { defaultConfig } from '../../core/membership/config.js'
import { aliveSet } from '../../core/membership/state.js'
import { SimNetwork } from '../core/membership/support/simNetwork.js'
import { type Node, lostAt, sleep, startCluster, stopAll, waitFor } from '../shell/membership/support/cluster.js'

const pct = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN
}
const dist = (xs: readonly number[]): string => `median ${pct(xs, 50).toFixed(0)}  p95 ${pct(xs, 95).toFixed(0)}  max ${Math.max(...xs).toFixed(0)} ms  (${xs.length} runs)`
const print = (s: string): void => void process.stdout.write(`${s}\n`)

const crashLatency = (n: number, loss: number, runs: number): { first: number[]; all: number[] } => {
  const first: number[] = []
  const all: number[] = []
  for (let seed = 1; seed <= runs; seed++) {
    const sim = new SimNetwork({ n, seed: seed * 1009 + n, loss, wire: false })
    sim.runUntil(2_000 + sim.pick(1_000))
    const victim = sim.names[sim.pick(n)] as NodeName
    const at = sim.now()
    sim.crash(victim)
    sim.runUntil(at + 5_000)
    const seen = new Map<string, number>()
    for (const d of sim.deaths) if (d.subject === victim && d.at >= at && !seen.has(d.observer)) seen.set(d.observer, d.at - at)
    first.push(Math.min(...seen.values()))
    all.push(seen.size === n - 1 ? Math.max(...seen.values()) : Infinity)
  }
  return { first, all }
}

const falseDeaths = (n: number, seeds: number): { deaths: number; suspicions: number; memberSeconds: number } => {
  let deaths = 0
  let suspicions = 0
  for (let seed = 1; seed <= seeds; seed++) {
    const sim = new SimNetwork({ n, seed: seed * 31 + n, loss: 0.05, wire: false })
    sim.runUntil(60_000)
    deaths += sim.deaths.length
    suspicions += sim.transitions.Suspect
  }
  return { deaths, suspicions, memberSeconds: n * seeds * 60 }
}

const healTimes = (n: number, runs: number): number[] => {
  const out: number[] = []
  for (let seed = 1; seed <= runs; seed++) {
    const sim = new SimNetwork({ n, seed: seed * 7 + n, loss: 0.05, wire: false })
    sim.runUntil(1_000)
    sim.partition([sim.names.slice(0, 1 + sim.pick(n - 1))])
    sim.runUntil(8_000)
    sim.heal()
    const at = sim.now()
    let took = Infinity
    for (let now = at; now <= at + 5_000; now += 5) {
      sim.runUntil(now)
      if (sim.names.every((x) => aliveSet(sim.state(x)).size === n)) {
        took = now - at
        break
      }
    }
    out.push(took)
  }
  return out
}

const simRate = (n: number): { sent: number; received: number } => {
  const sim = new SimNetwork({ n, seed: n, wire: false })
  sim.runUntil(1_000)
  const s0 = sim.sent.reduce((a, b) => a + b, 0)
  const r0 = sim.received.reduce((a, b) => a + b, 0)
  sim.runUntil(4_000)
  return { sent: (sim.sent.reduce((a, b) => a + b, 0) - s0) / n / 3, received: (sim.received.reduce((a, b) => a + b, 0) - r0) / n / 3 }
}

const loopbackRate = async (n: number): Promise<{ sent: number; received: number; bytes: number }> => {
  const nodes = await startCluster({ n, threadFor: () => 'main' })
  try {
    await sleep(1_000)
    const s0 = nodes.map((x) => x.handle.stats())
    await sleep(3_000)
    const s1 = nodes.map((x) => x.handle.stats())
    const sum = (f: (i: number) => number): number => nodes.reduce((a, _, i) => a + f(i), 0) / n / 3
    return {
      sent: sum((i) => (s1[i]?.sent ?? 0) - (s0[i]?.sent ?? 0)),
      received: sum((i) => (s1[i]?.received ?? 0) - (s0[i]?.received ?? 0)),
      bytes: sum((i) => (s1[i]?.bytesSent ?? 0) - (s0[i]?.bytesSent ?? 0)),
    }
  } finally {
    await stopAll(nodes)
  }
}

/** The owner of an IP is the first live member in a fixed order (here: by name). */
const failover = async (trials: number): Promise<number[]> => {
  const gaps: number[] = []
  for (let trial = 0; trial < trials; trial++) {
    const nodes = await startCluster({ n: 5, threadFor: () => 'main' })
    try {
      await sleep(500)
      const [owner, next] = nodes as [Node, Node]
      const at = performance.now()
      await owner.handle.stop()
      await waitFor(() => !next.handle.alive().has(owner.name), 3_000)
      const took = (lostAt(next, owner.name, at) ?? Infinity) - at
      gaps.push(Math.ceil(took / 20) * 20)
    } finally {
      await stopAll(nodes)
    }
  }
  return gaps
}

export async function benchMembership(): Promise<void> {
  const c = defaultConfig
  print('== membership (failure detector) ==')
  print(`config: probe every ${c.probeIntervalMs} ms, direct timeout ${c.directTimeoutMs} ms, probe timeout ${c.probeTimeoutMs} ms, k=${c.indirectChecks} helpers,`)
  print(`        suspicion ${c.suspicionMinMs}..${c.suspicionMaxMs} ms (min at ${c.suspicionConfirmations} confirmations), gossip every ${c.gossipIntervalMs} ms to ${c.gossipFanout}, dead members pinged every ${c.deadProbeIntervalMs} ms`)
  const t0 = performance.now()
  print('detection latency, simulated crashes (tick 10 ms, one-way delay 0.1-1 ms); "first" = first member to declare it dead, "all" = last live member to do so:')
  const allAll: number[] = []
  for (const loss of [0, 0.05])
    for (const n of [5, 10, 20, 50]) {
      const r = crashLatency(n, loss, 30)
      allAll.push(...r.all)
      print(`  n=${String(n).padStart(2)} loss=${(loss * 100).toFixed(0)}%  first: ${dist(r.first)}\n                 all:   ${dist(r.all)}`)
    }
  print(`  overall (all members): ${dist(allAll)}`)
  print('false deaths under 5% loss, 60 s virtual runs (simulated):')
  for (const [n, seeds] of [[10, 20], [20, 10], [50, 4]] as const) {
    const r = falseDeaths(n, seeds)
    print(`  n=${n}: ${seeds} runs, ${r.memberSeconds} member-seconds: ${r.deaths} false deaths (${r.suspicions} suspicions raised or heard, all refuted)`)
  }
  print('convergence after a partition heals (random split held 7 s, 5% loss, simulated):')
  for (const n of [10, 50]) print(`  n=${n}: ${dist(healTimes(n, 20))}`)
  print('messages per member per second, steady state, no loss:')
  const lb = await loopbackRate(10)
  print(`  n=10    real UDP on loopback (one process): sent ${lb.sent.toFixed(1)}/s, received ${lb.received.toFixed(1)}/s, ${lb.bytes.toFixed(0)} bytes/s sent`)
  for (const n of [10, 100, 1_000]) {
    const r = simRate(n)
    print(`  n=${String(n).padEnd(5)} simulated network:                sent ${r.sent.toFixed(1)}/s, received ${r.received.toFixed(1)}/s`)
  }
  print('failover estimate, real UDP on loopback, 5 members, owner killed (no Leave), 20 trials:')
  print('  (time until the next owner drops it from its live set, rounded up to the 20 ms client probe; ARP/GARP time not included)')
  print(`  ${dist(await failover(20))}`)
  print(`bench wall time ${((performance.now() - t0) / 1000).toFixed(0)} s`)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await benchMembership()

// Layer 2 failover as a client sees it, in the live lab (root): a dual-stack Service, the node that
// announces it loses power (link cut, speaker SIGKILLed) 20 times while the client sends an HTTP
// request to each IP every 20 ms with a 200 ms limit; prints the client's silence until another node
// answered (median, 95th percentile, worst), the move back after heal, and MetalLB's documented
// figures beside them (those are quoted, not measured), then holds the trials to the bars
// specs/e2e/failover.ts (run by outages.e2e.ts) holds its few to (failoverBars): a bar missed fails the bench.
// `benchFailover` is for specs/bench/run.ts; its lab is its own (a state folder named after this
// process) and always taken down.
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { labDown, labUp } from '../../shell/lab/lab.js'
import { dualStackWeb, median, percentile } from '../e2e/fixture.js'
import { failoverBars, failoverTrials, silences } from '../e2e/failoverTrials.js'

const TRIALS = Number(process.env['IRONLB_BENCH_FAILOVER_TRIALS'] ?? '20')

export async function benchFailover(): Promise<void> {
  const print = (line: string): void => void process.stdout.write(`${line}\n`)
  if (process.getuid?.() !== 0) {
    print('failover: skipped (the lab needs root)')
    return
  }
  if (!(TRIALS >= 20 && TRIALS <= 200)) throw new Error(`IRONLB_BENCH_FAILOVER_TRIALS must be 20..200, not ${TRIALS}`)
  const dir = join(tmpdir(), `ironlb-bench-failover-${process.pid}`)
  await labDown(dir)
  try {
    const lab = await labUp({ stateDir: dir, requireSpeakers: true })
    const ips = await dualStackWeb(lab)
    const t0 = Date.now()
    const trials = await failoverTrials(lab, 'default/web', ips, { trials: TRIALS })
    print(`failover: ${trials.length} power losses of the announcing node (3-node lab, ${((Date.now() - t0) / 1000).toFixed(0)} s), client request to each IP every 20 ms (200 ms limit)`)
    const ms = (x: number): string => (Number.isFinite(x) ? `${Math.round(x)} ms` : 'never')
    for (const ip of ips) {
      const gaps = silences(trials, ip)
      const proto = ip.includes(':') ? 'IPv6, NDP' : 'IPv4, ARP'
      print(`  ${ip} (${proto}): client without an answer: median ${ms(median(gaps))}, p95 ${ms(percentile(gaps, 95))}, worst ${ms(Math.max(...gaps))}; failed requests per failover: median ${median(trials.map((t) => t.away.get(ip)?.failed ?? NaN))}`)
    }
    const first = ips[0] ?? ''
    const backs = trials.map((t) => (t.back.get(first)?.at ?? Infinity) - t.tHeal)
    const backSilences = trials.map((t) => t.back.get(first)?.silentMs ?? Infinity)
    print(`  after heal (${first}; link up, speaker restarted): answered by the original node again after a median ${ms(median(backs))}; the move back left the client without an answer for median ${ms(median(backSilences))}, worst ${ms(Math.max(...backSilences))}`)
    print('  MetalLB, as documented (quoted, not measured here): memberlist detection alone takes about 4 s at default settings; MetalLB calls a failover under about 10 s normal')
    const bars = await failoverBars(lab, trials, ips)
    for (const bar of bars) print(`  ${bar.ok ? 'met' : 'MISSED'}: ${bar.what}`)
    const missed = bars.filter((b) => !b.ok).length
    if (missed > 0) throw new Error(`failover: ${missed} of ${bars.length} bars missed`)
  } finally {
    await labDown(dir)
  }
}

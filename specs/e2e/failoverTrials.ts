// Node-failure trials in a lab, shared by specs/e2e/failover.ts and specs/bench/failover.bench.ts:
// with the client probing every 20 ms, the node announcing the IPs loses power (link cut, speaker
// SIGKILLed); the trial records how long the client got no answer until another node answered, then
// heals the node and waits until ownership is back where it was (the probe answered by one node for a
// second, one ServiceL2Status naming it) before the next trial. Every wait is bounded. The bars the
// trials must meet are here too, one definition for the e2e spec (a few trials) and the bench (20).
import { moveAfter, startProbe, type Move, type Probe, type Sample } from '../../shell/lab/demo.js'
import type { Lab } from '../../shell/lab/lab.js'
import { electedFor, median, percentile, statusOwner } from './fixture.js'

export interface Trial {
  readonly n: number
  readonly victim: string
  /** When the node failed and when it was healed (ms since the epoch). */
  readonly tFail: number
  readonly tHeal: number
  /** Per IP: the move away from the failed node (undefined: nobody else answered within the bound). */
  readonly away: ReadonlyMap<string, Move | undefined>
  /** Per IP: the move back after heal (undefined: not back within the bound). */
  readonly back: ReadonlyMap<string, Move | undefined>
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** The node that answered every request to each of `ips` sent in the last `ms` (the same node for all), or undefined. */
export const steadyAnswerer = (samples: readonly Sample[], ips: readonly string[], ms: number, now = Date.now()): string | undefined => {
  const whos = new Set<string | undefined>()
  for (const ip of ips) {
    const recent = samples.filter((s) => s.ip === ip && s.t >= now - ms && s.t <= now - 250)
    if (recent.length < ms / 100) return undefined
    for (const s of recent) whos.add(s.who)
  }
  const [only] = [...whos]
  return whos.size === 1 ? only : undefined
}

/**
 * Waits (bounded) until one node answers steadily and is the one the Service's single ServiceL2Status
 * names (and, given `want`, is that node).
 */
export const settledOwner = async (lab: Lab, probe: Probe, svc: string, ips: readonly string[], timeoutMs: number, want?: string): Promise<string> => {
  const deadline = Date.now() + timeoutMs
  let last = ''
  for (;;) {
    const who = steadyAnswerer(probe.samples(), ips, 1_000)
    const status = who === undefined ? undefined : await statusOwner(lab, svc).catch(() => undefined)
    if (who !== undefined && status === who && (want === undefined || who === want)) return who
    last = `client answered by ${who ?? 'several or no nodes'}, ServiceL2Status ${status ?? 'not exactly one'}`
    if (Date.now() > deadline) throw new Error(`ownership of ${svc} not settled${want === undefined ? '' : ` on ${want}`} within ${timeoutMs} ms: ${last}`)
    await sleep(250)
  }
}

export interface TrialOptions {
  readonly trials: number
  /** Progress, one line per trial. */
  readonly say?: (line: string) => void
  /** How long a failed node stays down after the IPs moved (default 1 s). */
  readonly downMs?: number
}

/** Runs the trials on Service `svc` (holding `ips`); the lab's nodes all up at the start and the end. */
export const failoverTrials = async (lab: Lab, svc: string, ips: readonly string[], opts: TrialOptions): Promise<Trial[]> => {
  const probe = await startProbe(lab, ips, { maxSeconds: 60 + opts.trials * 90 })
  const out: Trial[] = []
  try {
    for (let n = 1; n <= opts.trials; n++) {
      const victim = await settledOwner(lab, probe, svc, ips, 60_000)
      await sleep(500)
      const tFail = Date.now()
      await lab.fail(victim)
      await probe.until(15_000, (s) => ips.every((ip) => moveAfter(s, ip, victim, tFail) !== undefined))
      await sleep(opts.downMs ?? 1_000)
      const tHeal = Date.now()
      const during = probe.samples()
      const away = new Map(ips.map((ip) => [ip, moveAfter(during, ip, victim, tFail, tHeal)] as const))
      await lab.heal(victim)
      const interim = (ip: string): string | undefined => away.get(ip)?.to
      await probe.until(30_000, (s) => ips.every((ip) => moveAfter(s, ip, interim(ip), tHeal)?.to === victim))
      await sleep(1_000)
      const after = probe.samples()
      const back = new Map(ips.map((ip) => [ip, moveAfter(after, ip, interim(ip), tHeal)] as const))
      const trial = { n, victim, tFail, tHeal, away, back }
      out.push(trial)
      opts.say?.(
        `trial ${n}: ${victim} failed; ${ips
          .map((ip) => {
            const a = away.get(ip)
            return a === undefined ? `${ip} never answered` : `${ip} silent ${a.silentMs} ms (${a.failed} failed) then ${a.to}, back after heal in ${back.get(ip)?.at === undefined ? '?' : (back.get(ip)?.at ?? 0) - tHeal} ms`
          })
          .join('; ')}`,
      )
    }
  } finally {
    await probe.stop()
  }
  return out
}

/** The silences of every trial for one IP (failed trials count as Infinity). */
export const silences = (trials: readonly Trial[], ip: string): number[] => trials.map((t) => t.away.get(ip)?.silentMs ?? Infinity)

/** One bar a run of trials must meet, said in words whether met or not. */
export interface Bar {
  readonly ok: boolean
  readonly what: string
}

/**
 * The failover bars, per IP: the client's silence at most 1 s in the median trial and 2 s in the worst,
 * the new owner answered every request after its first, and it is the node core/l2 elects without the
 * failed one (asked of the API server's objects now, so call it with every node up again).
 */
export const failoverBars = async (lab: Lab, trials: readonly Trial[], ips: readonly string[]): Promise<Bar[]> => {
  const bars: Bar[] = []
  for (const ip of ips) {
    const gaps = silences(trials, ip)
    const shown = `${ip}: silences in ms, trial order: ${gaps.join(', ')}; sorted: ${[...gaps].sort((a, b) => a - b).join(', ')}; p95 ${percentile(gaps, 95)}`
    bars.push({ ok: median(gaps) <= 1_000, what: `${ip}: median silence ${median(gaps)} ms <= 1000 ms (${shown})` })
    bars.push({ ok: Math.max(...gaps) <= 2_000, what: `${ip}: worst silence ${Math.max(...gaps)} ms <= 2000 ms (${shown})` })
    const unsteady = trials.filter((x) => (x.away.get(ip)?.failedAfter ?? 1) > 0).map((x) => x.n)
    bars.push({ ok: unsteady.length === 0, what: `${ip}: the new owner answered every request after its first (trials where it did not: ${unsteady.join(', ') || 'none'})` })
  }
  for (const victim of new Set(trials.map((x) => x.victim))) {
    const live = lab.nodes.filter((n) => n !== victim)
    for (const ip of ips) {
      const want = await electedFor(lab, ip, live)
      const got = [...new Set(trials.filter((x) => x.victim === victim).map((x) => x.away.get(ip)?.to))]
      bars.push({ ok: got.length === 1 && got[0] === want, what: `${ip}: with ${victim} down, ${want ?? 'nobody'} takes over (took over: ${got.map((g) => g ?? 'nobody').join(', ')})` })
    }
  }
  return bars
}

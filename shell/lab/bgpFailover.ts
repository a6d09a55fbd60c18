// BGP power losses in a router lab, shared by the demo (demoBgp.ts), specs/e2e/bgp.e2e.ts and the BGP
// bench: with every node advertising the Service's IPs and the client sending a request to each IP every
// 20 ms, one node loses power (lab.fail: link cut, speaker SIGKILLed); the router kernel's route events
// for each IP's prefix time when the router dropped the node's next hop (BFD's detection, bgpd's
// withdrawal, zebra's install), and the probe how long the client's requests kept failing.
// Then the node heals and the trial waits until the router holds every node's next hop again. Victims
// go round the nodes. Every wait is bounded.
import { answeredBy, failWindow, withdrawal, type FailWindow, type Withdrawal } from './bgpJudge.js'
import { fibNexthops, frrBfdUp, hostPrefix, watchFib } from './bgpView.js'
import { startProbe, type Probe } from './demo.js'
import type { Lab } from './lab.js'
import { sleep } from '../testbed/sys.js'

const PROBE_TIMEOUT_MS = 200

interface BgpTrial {
  readonly n: number
  readonly victim: string
  readonly tFail: number
  /** Per IP: when the router dropped the victim's next hop (undefined: not within the bound). */
  readonly withdrawn: ReadonlyMap<string, Withdrawal | undefined>
  /** Per IP: how long the client's requests kept failing. */
  readonly windows: ReadonlyMap<string, FailWindow>
  /** Per IP: who answered after the withdrawal, until heal. */
  readonly after: ReadonlyMap<string, ReadonlyMap<string, number>>
  /** From heal until the router held every node's next hop again. */
  readonly backMs: number
}

/** Every address of each node's eth0 (IPv4, IPv6 global and link-local: FRR may install either). */
export const nodeAddresses = async (lab: Lab): Promise<Map<string, string>> => {
  const out = new Map<string, string>()
  for (const n of lab.nodes) {
    const r = await lab.exec(n, ['ip', '-j', 'addr', 'show', 'dev', 'eth0'])
    const info = (JSON.parse(r.stdout || '[]') as { addr_info?: { local?: string }[] }[])[0]?.addr_info ?? []
    for (const a of info) if (a.local !== undefined) out.set(a.local, n)
  }
  return out
}

/** The nodes the router's FIB forwards `ip` to now, sorted (an unknown next hop shows as itself). */
export const fibNodes = async (lab: Lab, ip: string, addrs: ReadonlyMap<string, string>): Promise<string[]> =>
  [...new Set((await fibNexthops(lab, hostPrefix(ip))).map((h) => addrs.get(h) ?? h))].sort()

/** Waits (bounded) until the router's FIB forwards each IP to exactly `nodes`; resolves to the time it took. */
export const waitFibNodes = async (lab: Lab, ips: readonly string[], nodes: readonly string[], addrs: ReadonlyMap<string, string>, ms: number): Promise<number> => {
  const t0 = Date.now()
  const want = [...nodes].sort().join(',')
  let last = ''
  for (;;) {
    const seen = await Promise.all(ips.map((ip) => fibNodes(lab, ip, addrs)))
    if (seen.every((s) => s.join(',') === want)) return Date.now() - t0
    last = ips.map((ip, i) => `${ip} -> ${seen[i]?.join(',') || 'no route'}`).join('; ')
    if (Date.now() - t0 > ms) throw new Error(`the router's FIB did not forward to ${want} within ${ms} ms: ${last}`)
    await sleep(100)
  }
}

const hopsOf = (addrs: ReadonlyMap<string, string>, node: string): string[] => [...addrs].filter(([, n]) => n === node).map(([a]) => a)

/** Waits (bounded) until the router's BFD sessions with every node, both families, are Up: BFD comes up a second or two after BGP, and a power loss before that is noticed only when the hold time runs out. */
const waitBfdUp = async (lab: Lab, ms: number): Promise<void> => {
  const want = lab.nodes.flatMap((n) => [lab.address(n).v4, lab.address(n).v6])
  const deadline = Date.now() + ms
  for (;;) {
    const up = await frrBfdUp(lab)
    const missing = want.filter((a) => !up.has(a))
    if (missing.length === 0) return
    if (Date.now() > deadline) throw new Error(`the router's BFD sessions with ${missing.join(', ')} not Up within ${ms} ms`)
    await sleep(200)
  }
}

/** One power loss of `victim` on a probe that runs; every node advertising at the start and at the end. */
const oneLoss = async (lab: Lab, probe: Probe, ips: readonly string[], addrs: ReadonlyMap<string, string>, n: number, victim: string): Promise<BgpTrial> => {
  await waitFibNodes(lab, ips, lab.nodes, addrs, 90_000)
  await waitBfdUp(lab, 30_000)
  const watches = await Promise.all(ips.map((ip) => watchFib(lab, hostPrefix(ip), 30_000)))
  await sleep(500)
  const tFail = Date.now()
  const mine = hopsOf(addrs, victim)
  const gone = (i: number): Withdrawal | undefined => withdrawal(watches[i]?.states() ?? [], mine, tFail)
  try {
    await lab.fail(victim)
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline && !ips.every((_, i) => gone(i) !== undefined)) await sleep(50)
  } finally {
    await Promise.all(watches.map((w) => w.stop()))
  }
  const withdrawn = new Map(ips.map((ip, i) => [ip, gone(i)] as const))
  await sleep(1_000)
  const tHeal = Date.now()
  const samples = probe.samples()
  const windows = new Map(ips.map((ip) => [ip, failWindow(samples, ip, tFail, tHeal, PROBE_TIMEOUT_MS)] as const))
  const after = new Map(ips.map((ip) => [ip, answeredBy(samples, ip, tFail + (withdrawn.get(ip)?.ms ?? Infinity), tHeal)] as const))
  await lab.heal(victim)
  const backMs = await waitFibNodes(lab, ips, lab.nodes, addrs, 90_000)
  return { n, victim, tFail, withdrawn, windows, after, backMs }
}

/** `trials` power losses, victims in turn; `say` gets one line per trial. */
export const bgpPowerLosses = async (lab: Lab, ips: readonly string[], opts: { readonly trials: number; readonly say?: (line: string) => void }): Promise<BgpTrial[]> => {
  const addrs = await nodeAddresses(lab)
  const probe = await startProbe(lab, ips, { timeoutMs: PROBE_TIMEOUT_MS, maxSeconds: 60 + opts.trials * 120 })
  const out: BgpTrial[] = []
  try {
    for (let n = 1; n <= opts.trials; n++) {
      const trial = await oneLoss(lab, probe, ips, addrs, n, lab.nodes[(n - 1) % lab.nodes.length] ?? '')
      out.push(trial)
      opts.say?.(trialLine(trial))
    }
  } finally {
    await probe.stop()
  }
  return out
}

const trialLine = (x: BgpTrial): string =>
  `trial ${x.n}: ${x.victim} lost power; ${[...x.windows]
    .map(([ip, w]) => {
      const wd = x.withdrawn.get(ip)
      const by = [...(x.after.get(ip) ?? new Map<string, number>())].map(([node, k]) => `${node} ${k}`).join(', ')
      return `${ip}: router dropped its next hop after ${wd === undefined ? 'never' : `${wd.ms} ms`}, requests failed for ${w.ms} ms (${w.failed} of ${w.sent}), then answered by ${by || 'nobody'}`
    })
    .join('; ')}; all next hops back ${x.backMs} ms after heal`

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length === 0 ? NaN : s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2
}

/** One bar a run of trials must meet, said in words whether met or not. */
interface BgpBar {
  readonly ok: boolean
  readonly what: string
}

/** Issue 10's bars, per IP: the router drops the node's next hop within 500 ms and the client's requests fail for under 1 s (medians); every trial withdrew, and no answer came from the failed node after. */
export const bgpBars = (trials: readonly BgpTrial[], ips: readonly string[]): BgpBar[] =>
  ips.flatMap((ip) => {
    const wd = trials.map((x) => x.withdrawn.get(ip)?.ms ?? Infinity)
    const win = trials.map((x) => x.windows.get(ip)?.ms ?? Infinity)
    const fromVictim = trials.filter((x) => (x.after.get(ip)?.get(x.victim) ?? 0) > 0).map((x) => x.n)
    return [
      { ok: median(wd) <= 500, what: `${ip}: median time to the router dropping the node's next hop ${median(wd)} ms <= 500 ms (trials: ${wd.join(', ')}; timed by the kernel's route events)` },
      { ok: median(win) < 1_000, what: `${ip}: median time the client's requests kept failing ${median(win)} ms < 1000 ms (trials: ${win.join(', ')})` },
      { ok: fromVictim.length === 0, what: `${ip}: no answer from the failed node after its next hop was dropped (trials where one came: ${fromVictim.join(', ') || 'none'})` },
    ]
  })

// The Layer 2 demo, and the client's eye the end-to-end specs and the failover bench share.
//  - `runDemo(lab, say)` (`ironlb-lab demo` on a lab that is up): applies examples/l2-demo.yaml (a pool
//    with an IPv4 and an IPv6 range, an L2Advertisement, Services web-v4 and web-v6), prints who
//    announces each IP (ServiceL2Status and the speakers' metrics), who answered the client's curl,
//    and the MAC the client resolved next to that node's eth0 MAC; then the announcing node loses
//    power while the client probes every 20 ms, and the demo prints how long the client got no
//    answer, heals the node and prints the move back. Resolves to 0 only when every check held.
//  - `node dist/shell/lab/demo.js [--state DIR]` (`make demo`): lab up with the FRR router, runDemo, then
//    the BGP part (demoBgp.ts) on the same lab, lab down (always); exit 0 only when both held.
//  - `node dist/shell/lab/demo.js probe ...`: the probe itself, run inside the client's namespace by
//    `startProbe`: one HTTP request per target every EVERY ms, each with its own connection and a
//    TIMEOUT ms limit (as `curl -m 0.2` in a loop), one JSON line per request on stdout.
// What the probe saw is judged by `moveAfter` (pure); who answers ARP/NDP by arping and ndisc6.
import { spawn } from 'node:child_process'
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { labDown, labUp, repoRoot, METRICS_PORT, type Lab } from './lab.js'
import { runBgpDemo } from './demoBgp.js'
import { errText, inNs, sleep } from '../testbed/sys.js'
import { lanOf } from './topology.js'

const DEMO_MANIFEST = join(repoRoot, 'shell', 'lab', 'examples', 'l2-demo.yaml')
const DEMO_SERVICES: readonly string[] = ['demo/web-v4', 'demo/web-v6']
const PROBE_EVERY_MS = 20
const PROBE_TIMEOUT_MS = 200
const PROBE_ENTRY = join(repoRoot, 'dist', 'shell', 'lab', 'demo.js')

// ---- the client's probe ------------------------------------------------------------------------------

/** One request: when it was sent (ms since the epoch), how long it took, and the node that answered. */
export interface Sample {
  readonly ip: string
  readonly t: number
  readonly ms: number
  /** The backend's answer (a node's name); absent when the request failed. */
  readonly who?: string
  readonly error?: string
}

export interface Probe {
  readonly samples: () => readonly Sample[]
  /** Waits (at most `ms`) until `holds` is true of the samples so far; says whether it became true. */
  readonly until: (ms: number, holds: (s: readonly Sample[]) => boolean) => Promise<boolean>
  readonly stop: () => Promise<readonly Sample[]>
}

/** Starts the probe in the client's namespace; resolves once every target has had one request. */
export const startProbe = async (lab: Lab, ips: readonly string[], opts: { everyMs?: number; timeoutMs?: number; maxSeconds?: number } = {}): Promise<Probe> => {
  const every = opts.everyMs ?? PROBE_EVERY_MS
  const argv = inNs(lab.namespace('client'), [process.execPath, PROBE_ENTRY, 'probe', String(every), String(opts.timeoutMs ?? PROBE_TIMEOUT_MS), String(opts.maxSeconds ?? 900), ...ips])
  const child = spawn(argv[0] ?? 'ip', argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] })
  const samples: Sample[] = []
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)))
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      samples.push(JSON.parse(line) as Sample)
    } catch {
      stderr += `unparsable probe line: ${line}\n`
    }
  })
  const closed = new Promise<void>((r) => child.once('close', () => r()))
  const until = async (ms: number, holds: (s: readonly Sample[]) => boolean): Promise<boolean> => {
    const deadline = Date.now() + ms
    for (;;) {
      if (holds(samples)) return true
      if (Date.now() >= deadline || child.exitCode !== null) return holds(samples)
      await sleep(Math.min(every, 50))
    }
  }
  const stop = async (): Promise<readonly Sample[]> => {
    child.stdin.end()
    const killer = setTimeout(() => child.kill('SIGKILL'), 3_000)
    await closed
    clearTimeout(killer)
    return [...samples].sort((a, b) => a.t - b.t)
  }
  if (!(await until(10_000, (s) => ips.every((ip) => s.some((x) => x.ip === ip))))) {
    await stop()
    throw new Error(`the client's probe did not start: ${stderr.trim() || 'no output'}`)
  }
  return { samples: () => [...samples].sort((a, b) => a.t - b.t), until, stop }
}

/** One request with its own connection; never rejects. */
const probeOnce = (ip: string, timeoutMs: number): Promise<Sample> =>
  new Promise((done) => {
    const t = Date.now()
    const t0 = performance.now()
    let finished = false
    const finish = (who: string | undefined, error: string | undefined): void => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      req.destroy()
      const ms = Math.round((performance.now() - t0) * 10) / 10
      done({ ip, t, ms, ...(who === undefined || who === '' ? {} : { who }), ...(error === undefined ? {} : { error }) })
    }
    const req = request({ host: ip, port: 80, path: '/', agent: false, headers: { connection: 'close' } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => finish(res.statusCode === 200 ? body.trim() : undefined, res.statusCode === 200 ? (body.trim() === '' ? 'empty answer' : undefined) : `HTTP ${res.statusCode}`))
      res.on('error', (e) => finish(undefined, e.message))
    })
    req.on('error', (e: NodeJS.ErrnoException) => finish(undefined, e.code ?? e.message))
    // Which half timed out tells a lost SYN (the neighbour entry) from a slow backend.
    let connected = false
    req.on('socket', (sock) => sock.once('connect', () => (connected = true)))
    // libuv runs expired timers before it polls sockets: after a stall of this process the timer would
    // win over an answer already waiting. So the timeout is declared only after one more poll, and a
    // stall is named in it (the sample then says little about the network).
    const timer = setTimeout(() => {
      const lateMs = Math.round(performance.now() - t0 - timeoutMs)
      const half = connected ? 'connected, no answer' : 'no connection'
      setImmediate(() => finish(undefined, `timeout (${half}${lateMs > 50 ? `; the probe stalled ${lateMs} ms` : ''})`))
    }, timeoutMs)
    req.end()
  })

/** The probe's own loop (inside the client's namespace): bounded by MAX_SECONDS and by stdin closing. */
const runProbe = async (args: readonly string[]): Promise<number> => {
  const [every, timeout, maxSeconds, ...ips] = args.map((a, i) => (i < 3 ? Number(a) : a))
  if (typeof every !== 'number' || typeof timeout !== 'number' || typeof maxSeconds !== 'number' || !(every >= 1) || !(timeout >= 1) || ips.length === 0) {
    process.stderr.write('usage: demo.js probe EVERY_MS TIMEOUT_MS MAX_SECONDS IP...\n')
    return 2
  }
  let stopped = false
  process.stdin.on('end', () => (stopped = true)).on('error', () => (stopped = true)).resume()
  const start = Date.now()
  const end = start + maxSeconds * 1000
  let k = 0
  while (!stopped && Date.now() < end) {
    const wait = start + k * every - Date.now()
    if (wait > 0) await sleep(wait)
    // A stalled process skips the ticks it missed (the samples' send times show the hole).
    else if (wait < -every) k = Math.ceil((Date.now() - start) / every)
    for (const ip of ips) void probeOnce(String(ip), timeout).then((s) => process.stdout.write(`${JSON.stringify(s)}\n`))
    k++
  }
  await sleep(timeout + 100)
  return 0
}

/** How the client saw `ip` leave node `from` after `tFault` (ms since the epoch). */
export interface Move {
  /** The first node other than `from` to answer a request sent at or after tFault. */
  readonly to: string
  /** When that request was sent. */
  readonly at: number
  /** Longest stretch without an answer before it: from the last answered request's send time. */
  readonly silentMs: number
  /** Requests sent in that stretch that got no answer. */
  readonly failed: number
  /** Failed requests sent after `at` (up to `until`): the new owner should be steady. */
  readonly failedAfter: number
  /** Largest spacing between two sends in the stretch: the probe's real resolution there. */
  readonly spacingMs: number
}

/** Pure: undefined when no other node answered after tFault (up to `until`). */
export const moveAfter = (samples: readonly Sample[], ip: string, from: string | undefined, tFault: number, until = Infinity): Move | undefined => {
  const mine = samples.filter((s) => s.ip === ip && s.t <= until).sort((a, b) => a.t - b.t)
  const first = mine.find((s) => s.t >= tFault && s.who !== undefined && s.who !== from)
  if (first === undefined) return undefined
  const before = mine.filter((s) => s.t < first.t)
  const lastOk = [...before].reverse().find((s) => s.who !== undefined)
  const since = lastOk?.t ?? tFault
  const stretch = mine.filter((s) => s.t >= since && s.t <= first.t)
  let spacing = 0
  for (let i = 1; i < stretch.length; i++) spacing = Math.max(spacing, (stretch[i]?.t ?? 0) - (stretch[i - 1]?.t ?? 0))
  return {
    to: first.who ?? '',
    at: first.t,
    silentMs: first.t - since,
    failed: before.filter((s) => s.t > since && s.who === undefined).length,
    failedAfter: mine.filter((s) => s.t > first.t && s.who === undefined).length,
    spacingMs: spacing,
  }
}

/** Pure: when the node answering `ip` changed (the send time of the first answer from the next node). */
export const switchTimes = (samples: readonly Sample[], ip: string): number[] => {
  const out: number[] = []
  let last: string | undefined
  for (const s of samples.filter((x) => x.ip === ip && x.who !== undefined).sort((a, b) => a.t - b.t)) {
    if (last !== undefined && s.who !== last) out.push(s.t)
    last = s.who
  }
  return out
}

// ---- who answers -----------------------------------------------------------------------------------

/** The source MAC of every ARP reply the client got for `ip` (arping, `count` requests `gapS` apart). */
export const arpReplies = async (lab: Lab, ip: string, count = 5, gapS = 0.2): Promise<string[]> => {
  const r = await lab.exec('client', ['arping', '-c', String(count), '-W', String(gapS), '-w', String(Math.ceil(count * gapS) + 2), '-I', 'eth0', ip], { timeoutMs: (count * gapS + 8) * 1000 })
  return [...r.stdout.matchAll(/bytes from ([0-9a-f:]{17}) \(/gi)].map((m) => (m[1] ?? '').toLowerCase())
}

/** The link-layer address of every Neighbor Advertisement the client got for `ip` (ndisc6 -m). */
export const ndpReplies = async (lab: Lab, ip: string, tries = 3): Promise<string[]> => {
  const r = await lab.exec('client', ['ndisc6', '-m', '-n', '-r', String(tries), '-w', '500', ip, 'eth0'], { timeoutMs: tries * 1000 + 5_000 })
  return [...r.stdout.matchAll(/Target link-layer address: ([0-9a-f:]{17})/gi)].map((m) => (m[1] ?? '').toLowerCase())
}

/** The lab host whose eth0 has `mac` (by the lab's addressing plan), or the MAC itself. */
export const hostOfMac = (lab: Lab, mac: string): string => lab.topology.hosts.find((h) => lanOf(h).mac === mac.toLowerCase())?.name ?? mac

/** The MAC of a host's eth0 as the kernel reports it now. */
export const eth0Mac = async (lab: Lab, host: string): Promise<string | undefined> => {
  const r = await lab.exec(host, ['ip', '-j', 'link', 'show', 'eth0'])
  return r.code === 0 ? (JSON.parse(r.stdout) as { address?: string }[])[0]?.address?.toLowerCase() : undefined
}

/** The MAC the client's neighbour table holds for `ip`. */
export const clientNeighbor = async (lab: Lab, ip: string): Promise<string | undefined> => {
  const r = await lab.exec('client', ['ip', '-j', 'neigh', 'show', 'to', ip, 'dev', 'eth0'])
  return r.code === 0 ? (JSON.parse(r.stdout || '[]') as { lladdr?: string }[])[0]?.lladdr?.toLowerCase() : undefined
}

/** One curl from the client: the node that answered, or undefined. */
export const curlFromClient = async (lab: Lab, ip: string): Promise<string | undefined> => {
  const r = await lab.exec('client', ['curl', '-s', '-g', '--max-time', '1', `http://${ip.includes(':') ? `[${ip}]` : ip}/`], { timeoutMs: 5_000 })
  return r.code === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : undefined
}

// ---- what the cluster says ---------------------------------------------------------------------------

const split = (svc: string): [string, string] => {
  const [ns, name] = svc.includes('/') ? svc.split('/', 2) : ['default', svc]
  return [ns ?? 'default', name ?? svc]
}

/** A Service's LoadBalancer ingress IPs. */
export const serviceIPs = async (lab: Lab, svc: string): Promise<string[]> => {
  const [ns, name] = split(svc)
  const s = await lab.kubectlJson<{ status?: { loadBalancer?: { ingress?: { ip?: string }[] } } }>(['get', 'service', '-n', ns, name])
  return (s.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip === undefined ? [] : [i.ip]))
}

interface L2StatusRecord {
  readonly name: string
  readonly node: string
  readonly interfaces: readonly string[]
}

/** The ServiceL2Status objects of a Service ("ns/name"), in name order (labels stand in for a status not written yet). */
export const l2Statuses = async (lab: Lab, svc: string): Promise<L2StatusRecord[]> => {
  const [ns, name] = split(svc)
  type Obj = { metadata?: { name?: string; labels?: Record<string, string> }; status?: { node?: string; serviceName?: string; serviceNamespace?: string; interfaces?: { name?: string }[] } }
  const list = await lab.kubectlJson<{ items?: Obj[] }>(['get', 'servicel2statuses', '-n', 'metallb-system'])
  const label = (o: Obj, k: string): string | undefined => o.metadata?.labels?.[`metallb.io/${k}`]
  return (list.items ?? [])
    .filter((o) => (o.status?.serviceName ?? label(o, 'service-name')) === name && (o.status?.serviceNamespace ?? label(o, 'service-namespace')) === ns)
    .map((o) => ({ name: o.metadata?.name ?? '', node: o.status?.node ?? label(o, 'node') ?? '', interfaces: (o.status?.interfaces ?? []).map((i) => i.name ?? '') }))
    .sort((a, b) => a.name.localeCompare(b.name))
}

/** The lab admin's bearer token (system:masters, so the speakers' SubjectAccessReview allows /metrics). */
const adminToken = (lab: Lab): string => {
  const cfg = JSON.parse(readFileSync(lab.kubeconfig('admin'), 'utf8')) as { users?: Array<{ user?: { token?: string } }> }
  const token = cfg.users?.[0]?.user?.token
  if (token === undefined) throw new Error(`no token in ${lab.kubeconfig('admin')}`)
  return token
}

/**
 * A speaker's metrics text (from inside its node), or undefined when it does not answer: over HTTPS
 * with the admin's token, as Prometheus scrapes them. -k because each speaker serves a certificate it
 * made at start; the token is what this exercises. The time allows one token review that cannot
 * reach the API server (a partitioned node answers from a recent grant once it gives up).
 */
export const speakerMetricsText = async (lab: Lab, node: string): Promise<string | undefined> => {
  const r = await lab.exec(node, ['curl', '-sfk', '--max-time', '8', '-H', `Authorization: Bearer ${adminToken(lab)}`, `https://127.0.0.1:${METRICS_PORT}/metrics`], { timeoutMs: 12_000 })
  return r.code === 0 ? r.stdout : undefined
}

/** metallb_speaker_announced series (value 1) of one metrics text: service and ip labels. */
export const announcedSeries = (text: string): { service: string; ip: string }[] =>
  [...text.matchAll(/^metallb_speaker_announced\{([^}]*)\} 1$/gm)].map((m) => {
    const labels = new Map([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1] ?? '', l[2] ?? '']))
    return { service: labels.get('service') ?? '', ip: labels.get('ip') ?? '' }
  })

/** The nodes whose speaker metrics say they announce `ip`. */
export const announcersByMetrics = async (lab: Lab, ip: string): Promise<string[]> => {
  const out: string[] = []
  for (const n of lab.nodes) {
    const text = await speakerMetricsText(lab, n)
    if (text !== undefined && announcedSeries(text).some((a) => a.ip === ip)) out.push(n)
  }
  return out
}

// ---- the demo ----------------------------------------------------------------------------------------

const poll = async <T>(ms: number, every: number, probe: () => Promise<T | undefined>): Promise<T | undefined> => {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await probe()
    if (v !== undefined || Date.now() >= deadline) return v
    await sleep(every)
  }
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`

/** Prints a table with a header row, columns two spaces apart. */
const table = (rows: readonly (readonly string[])[]): string[] => {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? []
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd())
}

/** What one demo run shares between its steps: the lab, its output, its failed checks, its abort. */
interface DemoRun {
  readonly lab: Lab
  readonly say: (line: string) => void
  /** Records `what` as a problem unless `ok`; says whether it held. */
  readonly check: (ok: boolean, what: string) => boolean
  /** Throws when the run was interrupted: called between steps. */
  readonly step: () => void
}

/** A Service of the demo and the node that announces its IP. */
interface Owned {
  readonly svc: string
  readonly ip: string
  readonly owner: string
}

/** A Service's IP, then its ServiceL2Status and an answer to the client's curl: one table row, or none without an IP. */
const observeService = async (run: DemoRun, svc: string): Promise<{ row: Owned; cells: string[] } | undefined> => {
  const { lab, check } = run
  run.step()
  const ip = await poll(30_000, 300, async () => (await serviceIPs(lab, svc))[0])
  if (!check(ip !== undefined, `${svc} got no IP within 30 s (ironlb-lab logs controller)`) || ip === undefined) return undefined
  // Settled: one ServiceL2Status, the same node in the metrics and answering curl (a loaded machine
  // can make the speakers' failure detector flap for a moment while the new objects arrive).
  let statuses: L2StatusRecord[] = []
  let byMetrics: string[] = []
  let answered = 'no answer'
  await poll(30_000, 300, async () => {
    statuses = await l2Statuses(lab, svc)
    byMetrics = await announcersByMetrics(lab, ip)
    answered = (await curlFromClient(lab, ip)) ?? 'no answer'
    const one = statuses.length === 1 ? statuses[0]?.node : undefined
    return one !== undefined && byMetrics.length === 1 && byMetrics[0] === one && answered === one ? true : undefined
  })
  const owner = statuses[0]?.node ?? '-'
  const resolved = (await clientNeighbor(lab, ip)) ?? '-'
  const ownMac = owner === '-' ? '-' : ((await eth0Mac(lab, owner)) ?? '-')
  check(statuses.length === 1, `${svc}: ${statuses.length} ServiceL2Status objects (want 1)`)
  check(byMetrics.length === 1 && byMetrics[0] === owner, `${svc}: metrics name ${byMetrics.join(', ') || 'no node'}, ServiceL2Status ${owner}`)
  check(answered === owner, `${svc}: curl answered by ${answered}, announced by ${owner}`)
  check(resolved === ownMac && resolved !== '-', `${svc}: the client resolved ${ip} to ${resolved}, ${owner}'s eth0 is ${ownMac}`)
  return { row: { svc, ip, owner }, cells: [svc, ip, `${owner} / ${byMetrics.join(',') || '-'}`, answered, `${resolved} (${hostOfMac(lab, resolved)})`, ownMac] }
}

const sayRow = (run: DemoRun, r: { svc: string; ip: string }, text: string): void => run.say(`  ${r.svc.padEnd(12)} ${r.ip.padEnd(18)} ${text}`)

/** `victim` fails; judges each row's move away from it (or, for rows elsewhere, no failed request); the interim owners. */
const failOver = async (run: DemoRun, probe: Probe, rows: readonly Owned[], victim: string): Promise<{ tHeal: number; interim: Map<string, string> }> => {
  const { check } = run
  await sleep(1_000)
  const tFail = Date.now()
  await run.lab.fail(victim)
  run.say(`${victim} fails (link cut, speaker SIGKILLed); the client sends an HTTP request to each IP every ${PROBE_EVERY_MS} ms (${PROBE_TIMEOUT_MS} ms timeout)`)
  const moved = (s: readonly Sample[]): boolean => rows.every((r) => r.owner !== victim || moveAfter(s, r.ip, victim, tFail) !== undefined)
  await probe.until(15_000, moved)
  await sleep(1_000)
  const tHeal = Date.now()
  const during = probe.samples()
  const interim = new Map<string, string>()
  for (const r of rows) {
    if (r.owner !== victim) {
      const failed = during.filter((s) => s.ip === r.ip && s.t >= tFail && s.who === undefined).length
      check(failed === 0, `${r.svc}: ${failed} failed requests though ${r.owner} did not fail`)
      sayRow(run, r, `on ${r.owner}, not affected: ${failed} requests failed`)
      continue
    }
    const m = moveAfter(during, r.ip, victim, tFail, tHeal)
    if (!check(m !== undefined, `${r.svc}: no other node answered within 15 s of ${victim} failing`) || m === undefined) {
      sayRow(run, r, 'no other node answered within 15 s')
      continue
    }
    interim.set(r.svc, m.to)
    check(m.failedAfter === 0, `${r.svc}: ${m.failedAfter} requests failed after ${m.to} took over`)
    sayRow(run, r, `no answer for ${secs(m.silentMs)} (${m.failed} requests failed), then ${m.to} answers`)
  }
  return { tHeal, interim }
}

/** `victim` heals; judges each of its rows' move back from the interim owner. */
const moveBack = async (run: DemoRun, probe: Probe, rows: readonly Owned[], victim: string, tHeal: number, interim: ReadonlyMap<string, string>): Promise<void> => {
  const { check } = run
  run.step()
  const verdict = await run.lab.heal(victim)
  run.say(`${victim} healed (link up, speaker ${verdict}); its IPs move back (the election is a hash: same nodes, same winner)`)
  const back = (s: readonly Sample[]): boolean => rows.every((r) => r.owner !== victim || moveAfter(s, r.ip, interim.get(r.svc), tHeal)?.to === victim)
  await probe.until(30_000, back)
  await sleep(1_000)
  const after = probe.samples()
  for (const r of rows) {
    if (r.owner !== victim) continue
    const m = moveAfter(after, r.ip, interim.get(r.svc), tHeal)
    if (!check(m?.to === victim, `${r.svc}: not back on ${victim} within 30 s of healing`) || m === undefined) {
      sayRow(run, r, `not back on ${victim} within 30 s`)
      continue
    }
    check(m.failedAfter === 0, `${r.svc}: ${m.failedAfter} requests failed after the move back`)
    sayRow(run, r, `back on ${victim} ${secs(m.at - tHeal)} after heal; ${m.failed} requests failed during the move`)
  }
}

/** Runs the demo on a lab that is up; resolves to 0 when every check held. */
export const runDemo = async (lab: Lab, say: (line: string) => void, signal?: AbortSignal): Promise<number> => {
  const problems: string[] = []
  const run: DemoRun = {
    lab,
    say,
    check: (ok, what) => {
      if (!ok) problems.push(what)
      return ok
    },
    step: () => {
      if (signal?.aborted === true) throw new Error('interrupted')
    },
  }
  const applied = await lab.kubectl(['apply', '-f', DEMO_MANIFEST])
  if (applied.code !== 0) throw new Error(`kubectl apply ${DEMO_MANIFEST}: ${applied.stderr.trim()}`)
  say(`applied shell/lab/examples/l2-demo.yaml: IPAddressPool lab-lan (198.51.100.200-220, 2001:db8:100::200-220), L2Advertisement lab-lan, Services ${DEMO_SERVICES.join(', ')}`)
  const rows: Owned[] = []
  const cells: string[][] = [['service', 'IP', 'announced by (ServiceL2Status / metrics)', 'curl answered', "client's MAC for the IP", "that node's eth0 MAC"]]
  for (const svc of DEMO_SERVICES) {
    const seen = await observeService(run, svc)
    if (seen === undefined) continue
    cells.push(seen.cells)
    rows.push(seen.row)
  }
  say('')
  for (const l of table(cells)) say(l)
  say('')
  // Every node that announces something fails once (both families fail over when they sit apart).
  const victims = [...new Set(rows.map((r) => r.owner))].filter((n) => lab.nodes.includes(n))
  if (victims.length === 0 || problems.length > 0) {
    say(`stopping here: ${problems.join('; ') || 'no node announces anything'}`)
    return 1
  }
  run.step()
  const probe = await startProbe(lab, rows.map((r) => r.ip))
  try {
    for (const victim of victims) {
      const { tHeal, interim } = await failOver(run, probe, rows, victim)
      await moveBack(run, probe, rows, victim, tHeal, interim)
    }
  } finally {
    await probe.stop()
  }
  say('')
  say(problems.length === 0 ? 'demo: every check held' : `demo: ${problems.length} checks failed:\n  ${problems.join('\n  ')}`)
  return problems.length === 0 ? 0 : 1
}

// ---- `make demo`: up, demo, down ------------------------------------------------------------------------

const fullDemo = async (args: readonly string[]): Promise<number> => {
  const stateDir = resolve(args[0] === '--state' && args[1] !== undefined ? args[1] : join(repoRoot, '.lab', 'demo'))
  const say = (l: string): void => void process.stdout.write(`${l}\n`)
  const abort = new AbortController()
  const onSignal = (): void => {
    if (abort.signal.aborted) {
      process.stderr.write(`leaving at once; the lab may be left: node dist/shell/lab/cli.js --state ${stateDir} down\n`)
      process.exit(130)
    }
    process.stderr.write('interrupted: taking the lab down (again to leave at once)\n')
    abort.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const progress: string[] = []
  let code = 1
  try {
    await labDown(stateDir) // whatever an earlier, interrupted demo left
    say(`bringing the lab up in ${stateDir} (about 20 s): etcd, kube-apiserver and the IronLB controller in infra, a speaker on each of node1..3, a client, an FRR router to the client's edge network`)
    const t0 = Date.now()
    const lab = await labUp({ stateDir, requireSpeakers: true, router: 'frr', progress: (l) => progress.push(l), signal: abort.signal })
    say(`lab up in ${secs(Date.now() - t0)}`)
    const l2 = await runDemo(lab, say, abort.signal)
    const bgp = await runBgpDemo(lab, say, abort.signal)
    code = l2 !== 0 ? l2 : bgp
  } catch (e) {
    say(`demo failed: ${errText(e)}`)
    if (progress.length > 0) say(`the lab's progress:\n  ${progress.slice(-8).join('\n  ')}`)
    code = 1
  } finally {
    if (code !== 0 && existsSync(join(stateDir, 'logs'))) {
      // The logs go with the lab: keep a copy for whoever looks into the failure.
      const kept = `${stateDir}-logs`
      rmSync(kept, { recursive: true, force: true })
      cpSync(join(stateDir, 'logs'), kept, { recursive: true })
      say(`the lab's logs are kept in ${kept}`)
    }
    try {
      const r = await labDown(stateDir)
      say(`lab down: ${r.namespaces.length} namespaces and ${r.processes} processes removed (${secs(r.ms)})`)
    } catch (e) {
      say(`lab down failed: ${errText(e)}; try: node dist/shell/lab/cli.js --state ${stateDir} down`)
      code = 1
    }
  }
  return abort.signal.aborted ? 130 : code
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (isMain) {
  const argv = process.argv.slice(2)
  ;(argv[0] === 'probe' ? runProbe(argv.slice(1)) : fullDemo(argv)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`demo: ${errText(e)}\n`)
      process.exit(1)
    },
  )
}

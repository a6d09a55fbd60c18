// `make bench-metallb`, speaker part (issue 12): MetalLB v0.16.2's speakers and IronLB's in the process lab,
// each system in a lab of its own (same shape, same objects, always taken down), each with its own
// controller, the labs up at the same time: the machine's pace changes over minutes (an idle speaker's
// CPU here has varied threefold from one hour to the next), so each phase is measured in one window for
// all. Per node, from /proc: the speaker for 60 s with a pool and an L2Advertisement and nothing
// announced; then in each lab in turn 1,000 LoadBalancer Services (a fifth IPv4, the rest IPv6, one IP
// each) created 100 at a time until each has its ServiceL2Status (the speaker that announces writes it,
// in both systems); then 10 s to settle and 60 s again for all. Root; `make metallb-bins`.
//
//   node dist/specs/bench/metallbSpeaker.bench.js [--out=DIR] [--ironlb-node=FLAG ...] [metallb] [ironlb] [ironlb-low-cost]
//   (default all three). IRONLB_BENCH_METALLB_SPEAKER_IPS (default 1000). --ironlb-node: Node flags for
//   IronLB's speakers in the default setting; the low-cost setting's flags are ironlbSetting.ts's.
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { labDown, labUp, type Lab } from '../../shell/lab/lab.js'
import { apply, mkL2Ad, mkPool, waitUntil, type Obj } from '../e2e/fixture.js'
import { startSystem } from '../support/metallb/labSystems.js'
import { type BenchSystem, flagsNote, labSystemOf, rowTag, SYSTEM_NAMES, speakerFlagsOf, systemsOf } from './ironlbSetting.js'
import { outDirOf, ratioText, saveRows } from './metallbRows.js'
import { type Idle, measureIdle, speakerPids } from './speakerIdle.js'

const IDLE_MS = 60_000
const IPS = Number(process.env['IRONLB_BENCH_METALLB_SPEAKER_IPS'] ?? '1000')
const print = (line: string): void => void process.stdout.write(`${line}\n`)
const load = (): string => loadavg()[0]?.toFixed(1) ?? '?'

interface Figures {
  readonly idle: Map<string, Idle>
  readonly loaded: Map<string, Idle>
  readonly perNode: Map<string, number>
  readonly announcedS: number
  readonly load: string
}

const service = (name: string, family: 'IPv4' | 'IPv6'): Obj => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ipFamilyPolicy: 'SingleStack', ipFamilies: [family], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
})

/** ServiceL2Status objects per node (status.node, or the label a status not written yet carries). */
const statusesPerNode = async (lab: Lab): Promise<Map<string, number>> => {
  type S = { metadata?: { labels?: Record<string, string> }; status?: { node?: string } }
  const list = await lab.kubectlJson<{ items?: S[] }>(['get', 'servicel2statuses', '-n', 'metallb-system'], { timeoutMs: 60_000 })
  const out = new Map(lab.nodes.map((n) => [n, 0]))
  for (const o of list.items ?? []) {
    const node = o.status?.node ?? o.metadata?.labels?.['metallb.io/node'] ?? '?'
    out.set(node, (out.get(node) ?? 0) + 1)
  }
  return out
}

interface Opened {
  readonly system: BenchSystem
  readonly lab: Lab
  readonly dir: string
}

/** `system` started in a lab of its own with the pool and the L2Advertisement, nothing announced yet. */
const openSystem = async (system: BenchSystem, ironlbNodeArgs: readonly string[], opened: Opened[]): Promise<void> => {
  const dir = join(tmpdir(), `ironlb-bench-metallb-speaker-${system}-${process.pid}`)
  await labDown(dir)
  const flags = speakerFlagsOf(system, ironlbNodeArgs)
  const lab = await labUp({ stateDir: dir, speakers: false, controller: false, ...(flags.speakerArgs === undefined ? {} : { speakerArgs: flags.speakerArgs }) })
  opened.push({ system, lab, dir })
  await startSystem(lab, labSystemOf(system), system === 'metallb' ? {} : { nodeArgs: flags.nodeArgs })
  const v4 = Math.round(IPS / 5)
  // 198.51.100.40-239 and 2001:db8:100::1000-: clear of the lab's hosts.
  const v6Last = (0x1000 + IPS - v4 - 1).toString(16)
  await apply(lab, [mkPool('bench', [`198.51.100.40-198.51.100.${39 + v4}`, `2001:db8:100::1000-2001:db8:100::${v6Last}`]), mkL2Ad('bench', { ipAddressPools: ['bench'] })])
}

/** IPS Services created 100 at a time; seconds from the first create until each has its ServiceL2Status, and the count per node. */
const announceAll = async (o: Opened): Promise<{ announcedS: number; perNode: Map<string, number> }> => {
  const v4 = Math.round(IPS / 5)
  const t0 = Date.now()
  const services = [...Array.from({ length: v4 }, (_, i) => service(`v4-${i}`, 'IPv4')), ...Array.from({ length: IPS - v4 }, (_, i) => service(`v6-${i}`, 'IPv6'))]
  for (let i = 0; i < services.length; i += 100) await apply(o.lab, services.slice(i, i + 100))
  let perNode = new Map<string, number>()
  const total = (): number => [...perNode.values()].reduce((a, b) => a + b, 0)
  await waitUntil(`${IPS} ServiceL2Status objects`, 900_000, async () => (perNode = await statusesPerNode(o.lab)) && total() >= IPS, 3_000).catch((e: unknown) => {
    throw new Error(`${String(e)}; per node: ${JSON.stringify([...perNode])}`)
  })
  const announcedS = (Date.now() - t0) / 1000
  print(`  ${SYSTEM_NAMES[o.system]}: ${IPS} Services announced ${announcedS.toFixed(1)} s after the first create; per node ${[...perNode].map(([n, c]) => `${n} ${c}`).join(', ')}`)
  return { announcedS, perNode }
}

/** Every opened system's speakers measured in the same window (so a change of the machine's pace falls on all), split by system. */
const measureTogether = async (opened: readonly Opened[]): Promise<Map<BenchSystem, Map<string, Idle>>> => {
  const pids = new Map<string, number>()
  for (const o of opened) for (const [n, pid] of await speakerPids(o.lab)) pids.set(`${o.system}/${n}`, pid)
  const all = await measureIdle(pids, IDLE_MS)
  return new Map(opened.map((o) => [o.system, new Map(o.lab.nodes.map((n) => [n, all.get(`${o.system}/${n}`)] as [string, Idle]))]))
}

/**
 * The systems' labs up at once (each its own API server and nodes): their speakers measured idle in one
 * window, then each lab's Services created and announced in turn (the other labs idle), then all
 * measured again in one window. Always taken down.
 */
const runTogether = async (systems: readonly BenchSystem[], ironlbNodeArgs: readonly string[]): Promise<Map<BenchSystem, Figures>> => {
  const opened: Opened[] = []
  const load0 = load()
  try {
    for (const system of systems) await openSystem(system, ironlbNodeArgs, opened)
    await new Promise((r) => setTimeout(r, 5_000))
    const idle = await measureTogether(opened)
    print(`  idle measured (load ${load0}-${load()}); creating ${IPS} Services in each lab in turn`)
    const announced = new Map<BenchSystem, { announcedS: number; perNode: Map<string, number> }>()
    for (const o of opened) announced.set(o.system, await announceAll(o))
    await new Promise((r) => setTimeout(r, 10_000))
    const loaded = await measureTogether(opened)
    const span = `${load0}-${load()}`
    return new Map(opened.map((o) => [o.system, { idle: idle.get(o.system) ?? new Map(), loaded: loaded.get(o.system) ?? new Map(), perNode: announced.get(o.system)?.perNode ?? new Map(), announcedS: announced.get(o.system)?.announcedS ?? NaN, load: span }]))
  } finally {
    for (const o of opened) await labDown(o.dir)
  }
}

const mib = (b: number): number => b / 1024 / 1024
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length

/** One row: each node's figure for both systems, the ratio of the means. */
const row = (label: string, m: Map<string, Idle>, i: Map<string, Idle>, of: (x: Idle) => number, unit: string, digits: number): string => {
  const cells = (x: Map<string, Idle>): number[] => [...x.values()].map(of)
  const shown = (xs: number[]): string => `${xs.map((v) => v.toFixed(digits)).join(', ')}${unit}`
  return `| ${label} | ${shown(cells(m))} | ${shown(cells(i))} | ${ratioText(mean(cells(i)), mean(cells(m)))} |`
}

/** The rows of MetalLB's figures `m` beside IronLB's `i`, each label naming the setting (`tag`). */
const rowsOf = (m: Figures, i: Figures, tag: string): string[] => {
  const lines: string[] = []
  for (const [phase, pick] of [['nothing announced', (f: Figures) => f.idle], [`${IPS.toLocaleString('en-US')} IPs announced`, (f: Figures) => f.loaded]] as const) {
    lines.push(row(`speaker${tag}, ${phase}: RSS at the end of ${IDLE_MS / 1000} s, per node`, pick(m), pick(i), (x) => mib(x.rssBytes), ' MiB', 1))
    lines.push(row(`speaker${tag}, ${phase}: of it anonymous (RSS less mapped files such as the binary's code)`, pick(m), pick(i), (x) => mib(x.anonRssBytes), ' MiB', 1))
    lines.push(row(`speaker${tag}, ${phase}: peak RSS, per node`, pick(m), pick(i), (x) => mib(x.peakRssBytes), ' MiB', 1))
    lines.push(row(`speaker${tag}, ${phase}: CPU over ${IDLE_MS / 1000} s, per node (% of a core)`, pick(m), pick(i), (x) => x.cpuPercent, '%', 2))
  }
  const counts = (f: Figures): string => [...f.perNode.values()].join(' / ')
  lines.push(`| speaker${tag}: ${IPS.toLocaleString('en-US')} Services, first create to all announced (IPs per node) | ${m.announcedS.toFixed(1)} s (${counts(m)}) | ${i.announcedS.toFixed(1)} s (${counts(i)}) | ${ratioText(i.announcedS, m.announcedS)} |`)
  return lines
}

const main = async (): Promise<void> => {
  if (process.getuid?.() !== 0) throw new Error('the lab needs root')
  if (!(IPS >= 10 && IPS <= 1000)) throw new Error(`IRONLB_BENCH_METALLB_SPEAKER_IPS must be 10..1000 (the pool's ranges), not ${IPS}`)
  const argv = process.argv.slice(2)
  const nodeArgs = argv.flatMap((a) => (a.startsWith('--ironlb-node=') ? [a.slice('--ironlb-node='.length)] : []))
  const done = await runTogether(systemsOf(argv), nodeArgs)
  for (const [system, f] of done) {
    for (const [n, x] of f.idle) {
      const y = f.loaded.get(n)
      print(`${SYSTEM_NAMES[system]} ${n}: nothing announced RSS ${mib(x.rssBytes).toFixed(1)} (anon ${mib(x.anonRssBytes).toFixed(1)}) / peak ${mib(x.peakRssBytes).toFixed(1)} MiB, CPU ${x.cpuPercent.toFixed(2)}%; ${f.perNode.get(n) ?? 0} IPs announced RSS ${mib(y?.rssBytes ?? NaN).toFixed(1)} (anon ${mib(y?.anonRssBytes ?? NaN).toFixed(1)}) / peak ${mib(y?.peakRssBytes ?? NaN).toFixed(1)} MiB, CPU ${(y?.cpuPercent ?? NaN).toFixed(2)}% (load ${f.load})`)
    }
  }
  const m = done.get('metallb')
  if (m === undefined) return
  const beside = (['ironlb', 'ironlb-low-cost'] as const).flatMap((s) => {
    const f = done.get(s)
    return f === undefined ? [] : [{ s, f }]
  })
  if (beside.length === 0) return
  const rows = beside.flatMap(({ s, f }) => rowsOf(m, f, rowTag(s)))
  print(`\nSpeakers, MetalLB v0.16.2 and IronLB in the process lab (3 nodes), ${new Date().toISOString().slice(0, 10)}:\n`)
  print('| | MetalLB v0.16.2 | IronLB | IronLB / MetalLB |')
  print('|---|---|---|---|')
  for (const l of rows) print(l)
  const runs = beside.map(({ s }) => `${SYSTEM_NAMES[s]} with ${flagsNote(s, nodeArgs)}`).join('; ')
  saveRows(outDirOf(argv), { order: 2, part: 'speaker', rows, notes: [`speakers: each system in a lab of its own, the labs up at once and each phase measured in one 60 s window for all (1-min load average over the run ${m.load}); ${runs}`] })
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})

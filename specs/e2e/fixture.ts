// What every end-to-end Layer 2 spec shares: a lab of its own (a state folder named after the spec and
// this process, so parallel files never meet and a killed run's lab is found and removed by the next
// run), always taken down (t.teardown; logs kept when the spec failed), bounded waits, small builders
// for pools, advertisements and Services, and the views of who owns an IP: the ServiceL2Status
// objects, what core/l2 elects from the objects the API server holds, who answers ARP/NDP.
// The client's probe and the readers of ARP, NDP, metrics and status live in shell/lab/demo.ts.
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { decodeClusterObjects } from '../../core/cluster/decodeCluster.js'
import { buildConfig } from '../../core/config/buildConfig.js'
import { assignedFromIngress } from '../../core/l2/assigned.js'
import { planL2 } from '../../core/l2/plan.js'
import { asNodeName } from '../../core/model/names.js'
import { formatIP } from '../../core/net/address.js'
import { arpReplies, hostOfMac, l2Statuses, ndpReplies, serviceIPs } from '../../shell/lab/demo.js'
import { labDown, labUp, repoRoot, type Lab, type LabOptions } from '../../shell/lab/lab.js'
import { missingTools, netnsUnavailable, pidAlive } from '../support/netns.js'

/** Why these specs cannot run here (not root, not Linux): the spec then plans nothing. */
export const e2eSkipReason = (): string | undefined => {
  const why = netnsUnavailable()
  if (why !== undefined) return why
  const missing = missingTools(['curl', 'arping', 'ndisc6', 'nft', 'tcpdump'])
  if (missing !== undefined) throw new Error(missing)
  for (const f of ['dist/shell/cli/ironlb.js', 'dist/shell/lab/agent.js', 'dist/shell/lab/demo.js'])
    if (!existsSync(join(repoRoot, f))) throw new Error(`${f} is missing: run make build`)
  return undefined
}

const RUN_DIR = /^ironlb-e2e-(.+)-(\d+)$/

/** Takes down the labs of runs whose process is gone (a killed tap run leaves its lab up). */
const sweepDeadRuns = async (): Promise<void> => {
  for (const entry of readdirSync(tmpdir())) {
    const m = RUN_DIR.exec(entry)
    if (m === null || Number(m[2]) === process.pid || pidAlive(Number(m[2]))) continue
    await labDown(join(tmpdir(), entry)).catch(() => undefined)
  }
}

/**
 * A lab of this spec's own, speakers required; down when `t` ends, pass or fail. When the spec failed
 * the lab's logs are copied to <folder>-logs first (named in a comment).
 */
export const labFor = async (t: Test, name: string, opts: Omit<LabOptions, 'stateDir'> = {}): Promise<Lab> => {
  await sweepDeadRuns()
  const dir = join(tmpdir(), `ironlb-e2e-${name}-${process.pid}`)
  await labDown(dir)
  t.teardown(async () => {
    if (!t.passing() && existsSync(join(dir, 'logs'))) {
      cpSync(join(dir, 'logs'), `${dir}-logs`, { recursive: true })
      t.comment(`the lab's logs: ${dir}-logs`)
    }
    await labDown(dir)
  })
  const t0 = Date.now()
  const lab = await labUp({ stateDir: dir, requireSpeakers: true, ...opts })
  t.comment(`lab up in ${((Date.now() - t0) / 1000).toFixed(1)} s (${dir})`)
  return lab
}

/** Polls `probe` every `everyMs` until it holds; throws after `ms`. Resolves to the time it took. */
export const waitUntil = async (what: string, ms: number, probe: () => Promise<boolean>, everyMs = 200): Promise<number> => {
  const t0 = Date.now()
  for (;;) {
    if (await probe()) return Date.now() - t0
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length === 0 ? NaN : s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2
}

/** The nearest-rank percentile (p in 0..100). */
export const percentile = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN
}

// ---- objects -----------------------------------------------------------------------------------------

export type Obj = Record<string, unknown>

export const mkPool = (name: string, addresses: readonly string[]): Obj => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name, namespace: 'metallb-system' },
  spec: { addresses },
})

export const mkL2Ad = (name: string, spec: Obj = {}): Obj => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'L2Advertisement',
  metadata: { name, namespace: 'metallb-system' },
  spec,
})

/** A LoadBalancer Service in `default` on port 80 (the lab's backends), single or dual stack. */
export const mkService = (name: string, opts: { families?: readonly ('IPv4' | 'IPv6')[]; local?: boolean; annotations?: Record<string, string>; pool?: string } = {}): Obj => {
  const families = opts.families ?? ['IPv4']
  const annotations = { ...(opts.annotations ?? {}), ...(opts.pool === undefined ? {} : { 'metallb.io/address-pool': opts.pool }) }
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', annotations },
    spec: {
      type: 'LoadBalancer',
      ipFamilyPolicy: families.length > 1 ? 'RequireDualStack' : 'SingleStack',
      ipFamilies: families,
      ...(opts.local === true ? { externalTrafficPolicy: 'Local' } : {}),
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    },
  }
}

/** kubectl apply of a List; throws on failure. */
export const apply = async (lab: Lab, objects: readonly Obj[]): Promise<void> => {
  const r = await lab.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }), timeoutMs: 60_000 })
  if (r.code !== 0) throw new Error(`kubectl apply: ${r.stderr.trim()}`)
}

export const kubectlOk = async (lab: Lab, args: readonly string[]): Promise<string> => {
  const r = await lab.kubectl(args)
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`)
  return r.stdout
}

/**
 * The setup most specs share: pool `lan` (an IPv4 and an IPv6 range on the LAN), its L2Advertisement,
 * and the dual-stack Service default/web; resolves to web's two IPs once it is announced.
 */
export const dualStackWeb = async (lab: Lab): Promise<string[]> => {
  await apply(lab, [
    mkPool('lan', ['198.51.100.200-198.51.100.220', '2001:db8:100::200-2001:db8:100::220']),
    mkL2Ad('lan', { ipAddressPools: ['lan'] }),
    mkService('web', { families: ['IPv4', 'IPv6'] }),
  ])
  let ips: string[] = []
  await waitUntil('web has an IPv4 and an IPv6 address', 30_000, async () => (ips = await serviceIPs(lab, 'web')).length === 2)
  await waitUntil('web has one ServiceL2Status', 30_000, async () => (await statusOwner(lab, 'web')) !== undefined)
  return ips
}

// ---- who owns an IP --------------------------------------------------------------------------------------

/** The node of the one ServiceL2Status object of `svc`, or undefined when there is not exactly one. */
export const statusOwner = async (lab: Lab, svc: string): Promise<string | undefined> => {
  const s = await l2Statuses(lab, svc)
  return s.length === 1 ? s[0]?.node : undefined
}

const CONFIG_PLURALS = ['ipaddresspools', 'l2advertisements', 'bgpadvertisements', 'bgppeers', 'bfdprofiles', 'communities']

/**
 * What core/l2 elects for `ip` from the objects the API server holds now, with `live` the speakers
 * taken as alive (default: every node). Undefined when nobody announces it.
 */
export const electedFor = async (lab: Lab, ip: string, live: readonly string[] = lab.nodes): Promise<string | undefined> => {
  const items = async (args: readonly string[]): Promise<unknown[]> => (await lab.kubectlJson<{ items?: unknown[] }>(args)).items ?? []
  const cluster = decodeClusterObjects([...(await items(['get', 'services', '-A'])), ...(await items(['get', 'nodes'])), ...(await items(['get', 'endpointslices', '-A']))])
  const config = buildConfig(await items(['get', CONFIG_PLURALS.join(','), '-n', 'metallb-system']), { namespace: 'metallb-system' })
  if (config._tag !== 'Valid') throw new Error(`the lab's configuration is invalid: ${JSON.stringify(config.errors)}`)
  const plan = planL2({
    config: config.config,
    services: cluster.services,
    assigned: assignedFromIngress(cluster.services),
    nodes: cluster.nodes,
    endpointSlices: cluster.endpointSlices,
    live: new Set(live.map(asNodeName)),
    loadBalancerClass: undefined,
  })
  return plan.announcements.find((a) => formatIP(a.ip) === ip)?.node
}

/** The hosts (by MAC) that answered ARP (IPv4) or NDP (IPv6) requests from the client for `ip`, one entry per reply. */
export const answerers = async (lab: Lab, ip: string, count = 5): Promise<string[]> =>
  (ip.includes(':') ? await ndpReplies(lab, ip, count) : await arpReplies(lab, ip, count)).map((mac) => hostOfMac(lab, mac))

// ---- speaker logs ------------------------------------------------------------------------------------

export const speakerLog = (lab: Lab, node: string): string => join(lab.stateDir, 'logs', `speaker-${node}.log`)

export const logSize = (path: string): number => (existsSync(path) ? statSync(path).size : 0)

/** The JSON lines a log gained after byte `from`. */
export const logLinesSince = (path: string, from: number): Obj[] =>
  readFileSync(path)
    .subarray(from)
    .toString('utf8')
    .split('\n')
    .flatMap((l) => {
      try {
        return l.trim() === '' ? [] : [JSON.parse(l) as Obj]
      } catch {
        return []
      }
    })

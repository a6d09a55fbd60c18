// The documented migration from MetalLB v0.16.2 to IronLB and back, in the process lab (issue 12
// part 3; root; needs `make metallb-bins`). MetalLB's controller and speakers run in the lab
// (specs/support/metallb/labSystems.ts) with two pools, an L2Advertisement and a Service of every kind
// the allocation supports: dual-stack, IPv4 only, IPv6 only, two sharing one IP, a requested IP, and
// one pinned to a pool that assigns nothing on its own. The client sends a request to each IP every
// 20 ms throughout. Then MetalLB is stopped (every process SIGTERMed at once, as an uninstall does)
// and IronLB started on the same objects:
//  - no Service changes IP;
//  - every IP is answered (ARP/NDP) again by exactly one node, the one that answered for MetalLB: the
//    election is the same (and core/l2 names it too);
//  - the client's longest silence per IP is printed and under 2 s;
//  - the ServiceL2Status objects end up IronLB's: one per Service naming that node, and when they are
//    all deleted IronLB's speakers write them again.
// The way back (IronLB stopped, MetalLB started) leaves MetalLB working: the same IPs, answered by the
// same nodes, one ServiceL2Status per Service, and a new Service gets an IP that the client reaches.
// In `make test` (make e2e builds MetalLB first: cached outside the checkout, 0.04 s when built; about
// 19 min from a cold Go build cache). Four passing runs took 120 to 168 s for the file at load 8-14
// (lab up 13-24 s). The 'settled' times it prints are coarse: each look at who answers takes about
// 13 s (arping, a capture around ndisc6).
import t, { type Test } from 'tap'
import { curlFromClient, hostOfMac, serviceIPs, startProbe, type Probe, type Sample } from '../../shell/lab/demo.js'
import type { Lab } from '../../shell/lab/lab.js'
import { sleep } from '../../shell/testbed/sys.js'
import { startSystem, stopSystem, systemAlive, type LbSystem } from '../support/metallb/labSystems.js'
import { metallbBinDir } from '../bench/metallbProcess.js'
import { answerers, apply, e2eSkipReason, electedFor, kubectlOk, labFor, mkL2Ad, mkPool, mkService, statusOwner, waitUntil } from './fixture.js'

const skip = e2eSkipReason()
if (skip !== undefined) {
  t.plan(0, skip)
  process.exit(0)
}
metallbBinDir() // throws, naming `make metallb-bins`, when MetalLB is not built

const REQUESTED = '198.51.100.207'
const SERVICES = ['web', 'v4', 'v6', 'shared-a', 'shared-b', 'requested', 'pinned'] as const
const SHARING = { 'metallb.io/allow-shared-ip': 'shared' }

const objects = (): Record<string, unknown>[] => {
  const shared = (name: string, port: number): Record<string, unknown> => {
    const s = mkService(name, { annotations: SHARING })
    return { ...s, spec: { ...(s['spec'] as object), ports: [{ name: 'http', port, protocol: 'TCP', targetPort: 80 }] } }
  }
  return [
    mkPool('lan', ['198.51.100.200-198.51.100.215', '2001:db8:100::200-2001:db8:100::215']),
    { ...mkPool('pinned', ['198.51.100.230-198.51.100.235']), spec: { addresses: ['198.51.100.230-198.51.100.235'], autoAssign: false } },
    mkL2Ad('all'),
    mkService('web', { families: ['IPv4', 'IPv6'] }),
    mkService('v4'),
    mkService('v6', { families: ['IPv6'] }),
    shared('shared-a', 80),
    shared('shared-b', 81),
    mkService('requested', { annotations: { 'metallb.io/loadBalancerIPs': REQUESTED } }),
    mkService('pinned', { pool: 'pinned' }),
  ]
}

type IPs = Record<string, string[]>

const allIPs = async (lab: Lab): Promise<IPs> => {
  const out: IPs = {}
  for (const s of SERVICES) out[s] = (await serviceIPs(lab, s)).sort()
  return out
}

const uniqueIPs = (ips: IPs): string[] => [...new Set(Object.values(ips).flat())].sort()

/**
 * The nodes whose Neighbor Advertisements for `ip` reach the client while ndisc6 solicits it, read
 * from a capture: ndisc6 itself reports no reply to MetalLB's advertisements here, though they are on
 * the wire (solicited, hop limit 255, target link-layer option) and the kernel takes them. The
 * client's own neighbour entry is left alone, so its traffic keeps flowing meanwhile.
 */
const ndpAnswerers = async (lab: Lab, ip: string): Promise<string[]> => {
  const capture = lab.exec('client', ['timeout', '3', 'tcpdump', '-l', '-n', '-e', '-i', 'eth0', 'icmp6 and ip6[40] == 136'], { timeoutMs: 8_000 })
  await sleep(1_000)
  await lab.exec('client', ['ndisc6', '-n', '-r', '2', '-w', '400', ip, 'eth0'], { timeoutMs: 8_000 })
  const lines = [...(await capture).stdout.matchAll(/^\S+ ([0-9a-f:]{17}) > .*neighbor advertisement, tgt is ([0-9a-f:]+),/gm)]
  return lines.filter((m) => m[2] === ip).map((m) => hostOfMac(lab, m[1] ?? ''))
}

/** Who answers each IP's address resolution (ARP, or NDP as above) now: one node name, or what answered instead. */
const answeredBy = async (lab: Lab, ips: readonly string[]): Promise<Record<string, string>> => {
  const out: Record<string, string> = {}
  for (const ip of ips) {
    const who = [...new Set(ip.includes(':') ? await ndpAnswerers(lab, ip) : await answerers(lab, ip, 3))]
    out[ip] = who.length === 1 ? (who[0] ?? '') : `${who.length} answerers: ${who.join(', ')}`
  }
  return out
}

/**
 * What each Service's ServiceL2Status should name: the node answering all its IPs. A dual-stack Service
 * whose two IPs the election (per IP: sha256 of node#ip) puts on two nodes is left out: each of the
 * two nodes then keeps a status for it (MetalLB's reconciler even deletes the other node's), so no
 * single answer is right.
 */
const expectedStatus = (ips: IPs, owners: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    SERVICES.flatMap((s) => {
      const nodes = [...new Set((ips[s] ?? []).map((ip) => owners[ip] ?? '?'))]
      return nodes.length === 1 ? [[s, nodes[0] ?? '?']] : []
    }),
  )

/** Each Service's one ServiceL2Status node (or why not exactly one), for the Services `want` names. */
const statusNodes = async (lab: Lab, want: Record<string, string>): Promise<Record<string, string>> => {
  const out: Record<string, string> = {}
  for (const s of Object.keys(want)) out[s] = (await statusOwner(lab, s)) ?? 'not exactly one'
  return out
}

/** Per IP, the longest time between two answered requests sent at or after `from`. */
const longestSilences = (samples: readonly Sample[], ips: readonly string[], from: number): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const ip of ips) {
    const ok = samples.filter((s) => s.ip === ip && s.who !== undefined && s.t >= from).map((s) => s.t)
    let longest = 0
    for (let i = 1; i < ok.length; i++) longest = Math.max(longest, (ok[i] ?? 0) - (ok[i - 1] ?? 0))
    out[ip] = ok.length === 0 ? Infinity : longest
  }
  return out
}

/** Runs `system`'s start and waits (bounded) until every IP is answered by its node and the statuses say so. */
const settleOn = async (t: Test, lab: Lab, system: LbSystem, ips: IPs, owners: Record<string, string>): Promise<void> => {
  const t0 = Date.now()
  await startSystem(lab, system)
  t.ok(systemAlive(lab, system), `${system}'s controller and speakers are running`)
  const want = expectedStatus(ips, owners)
  let seen = {}
  let answered = {}
  await waitUntil(`${system}: every IP answered by the node that answered before, and its ServiceL2Status`, 90_000, async () => {
    seen = await statusNodes(lab, want)
    answered = await answeredBy(lab, uniqueIPs(ips))
    return JSON.stringify(seen) === JSON.stringify(want) && JSON.stringify(answered) === JSON.stringify(owners)
  }, 1_000).catch(() => undefined)
  t.same(seen, want, `${system}: each Service's one ServiceL2Status names the node that answered before`)
  t.same(answered, owners, `${system}: each IP answered (ARP/NDP) by exactly the node that answered before`)
  t.same(await allIPs(lab), ips, `${system}: no Service changed IP`)
  t.comment(`${system}: settled ${((Date.now() - t0) / 1000).toFixed(1)} s after its start`)
}

const judgeSilences = (t: Test, probe: Probe, ips: readonly string[], from: number, what: string, barMs?: number): void => {
  const gaps = longestSilences(probe.samples(), ips, from)
  t.comment(`${what}: the client's longest silence per IP: ${ips.map((ip) => `${ip} ${gaps[ip]} ms`).join(', ')}`)
  if (barMs !== undefined) for (const ip of ips) t.ok((gaps[ip] ?? Infinity) < barMs, `${what}: ${ip} silent at most ${gaps[ip]} ms < ${barMs} ms`)
}

t.test('MetalLB v0.16.2 to IronLB and back, with no IP moved', async (t) => {
  const tBegin = Date.now()
  // A mutation run points this at a mutant's copy of dist/shell/cli/ironlb.js.
  const entry = process.env['IRONLB_MIGRATION_IRONLB_ENTRY']
  const lab = await labFor(t, 'migration', { speakers: false, controller: false, ...(entry === undefined ? {} : { ironlbEntry: entry }) })

  await startSystem(lab, 'metallb')
  await apply(lab, objects())
  let ips: IPs = {}
  await waitUntil('MetalLB assigned every Service', 90_000, async () => {
    ips = await allIPs(lab)
    return SERVICES.every((s) => (ips[s]?.length ?? 0) === (s === 'web' ? 2 : 1))
  }, 1_000)
  t.comment(`MetalLB's assignment: ${JSON.stringify(ips)}`)
  t.same(ips['shared-a'], ips['shared-b'], 'the sharing Services hold one IP')
  t.same(ips['requested'], [REQUESTED], 'the requested IP was given')
  t.match(ips['pinned']?.[0] ?? '', /^198\.51\.100\.23[0-5]$/, 'the pinned Service took its IP from its pool')
  const list = uniqueIPs(ips)
  let owners: Record<string, string> = {}
  let statuses: Record<string, string> = {}
  await waitUntil('MetalLB: each IP answered by one node and each Service with one ServiceL2Status', 90_000, async () => {
    owners = await answeredBy(lab, list)
    if (!list.every((ip) => lab.nodes.includes(owners[ip] ?? ''))) return false
    const want = expectedStatus(ips, owners)
    statuses = await statusNodes(lab, want)
    return JSON.stringify(statuses) === JSON.stringify(want)
  }, 1_000).catch((e: unknown) => {
    throw new Error(`${String(e)}; last answerers ${JSON.stringify(owners)}, statuses ${JSON.stringify(statuses)}`)
  })
  t.comment(`MetalLB's announcers: ${JSON.stringify(owners)}`)
  for (const ip of list) t.equal(await electedFor(lab, ip), owners[ip], `${ip}: core/l2 elects ${owners[ip]}, as MetalLB did`)
  for (const ip of list) {
    // Polled (a request has 1 s): one may time out on two loaded cores.
    let got: string | undefined
    await waitUntil(`the client reaches ${ip}`, 15_000, async () => (got = await curlFromClient(lab, ip)) === owners[ip], 500).catch(() => undefined)
    t.equal(got, owners[ip], `the client reaches ${ip}, on ${owners[ip]}`)
  }
  const split = SERVICES.filter((s) => expectedStatus(ips, owners)[s] === undefined)
  if (split.length > 0) t.comment(`ServiceL2Status not judged for ${split.join(', ')}: its IPs are elected to different nodes`)
  t.comment(`MetalLB serving ${((Date.now() - tBegin) / 1000).toFixed(1)} s after the start`)

  const probe = await startProbe(lab, list, { maxSeconds: 600 })
  t.teardown(() => probe.stop())
  await sleep(5_000)

  // MetalLB to IronLB.
  const tStop = Date.now()
  await stopSystem(lab, 'metallb')
  t.comment(`MetalLB stopped in ${Date.now() - tStop} ms`)
  await settleOn(t, lab, 'ironlb', ips, owners)
  await sleep(3_000)
  judgeSilences(t, probe, list, tStop - 1_000, 'MetalLB to IronLB', 2_000)

  // The statuses are IronLB's: deleted, they come back from IronLB's speakers.
  await kubectlOk(lab, ['delete', 'servicel2statuses', '-n', 'metallb-system', '--all'])
  const back = await waitUntil('IronLB wrote the ServiceL2Status objects again', 60_000, async () => {
    const want = expectedStatus(ips, owners)
    return JSON.stringify(await statusNodes(lab, want)) === JSON.stringify(want)
  }, 500)
  t.pass(`IronLB's speakers wrote every ServiceL2Status again ${back} ms after all were deleted`)

  // IronLB back to MetalLB.
  const tBack = Date.now()
  await stopSystem(lab, 'ironlb')
  await settleOn(t, lab, 'metallb', ips, owners)
  await sleep(3_000)
  judgeSilences(t, probe, list, tBack - 1_000, 'IronLB to MetalLB')
  await apply(lab, [mkService('after')])
  let after: string[] = []
  await waitUntil('MetalLB assigned the new Service', 60_000, async () => (after = await serviceIPs(lab, 'after')).length === 1, 500)
  const ip = after[0] ?? ''
  t.notOk(list.includes(ip), `the new Service got a free IP (${ip})`)
  await waitUntil(`the client reaches ${ip}`, 60_000, async () => (await curlFromClient(lab, ip)) !== undefined, 500)
  t.pass(`the client reaches ${ip} through MetalLB`)
  t.comment(`the whole test: ${((Date.now() - tBegin) / 1000).toFixed(1)} s`)
})

// `ironlb-lab up --router frr` end to end (root, real namespaces, a real control plane, FRR): the router
// answers with no neighbour until a node dials it; a test peer from the project's BGP code on node1
// (specs/support/bgpPeerMain.ts, the router harness's own peer: no speakers run here) gets its routes
// into the router's RIB and kernel FIB; the router runs BFD 100 ms x 3 toward the nodes: a BFD session
// of shell/bfd beside the peer (specs/shell/bfd/bfdPeerMain.ts) comes up with it, and when that session
// dies the router drops the node's session and route within 500 ms; the client's packets from its edge
// address reach a node and come back through the router; `down` leaves no router process, namespace
// or folder.
// Needs `make build`, `make k8s-bins` and FRR.
import t from 'tap'
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { labDown, labUp, repoRoot } from '../../../shell/lab/lab.js'
import { labRouterStatus } from '../../../shell/lab/router.js'
import { watchFib } from '../../../shell/lab/bgpView.js'
import { withdrawal } from '../../../shell/lab/bgpJudge.js'
import { readState } from '../../../shell/lab/state.js'
import { fibNexthopsOf } from '../../../shell/testbed/router.js'
import { tailFile } from '../../../shell/testbed/sys.js'
import { missingTools, netnsUnavailable } from '../../support/netns.js'
import { scriptArgs } from '../../support/netnsAgent.js'

const why = netnsUnavailable()
if (why !== undefined) {
  t.plan(0, why)
  process.exit(0)
}
const missing = missingTools(['vtysh', 'ping'])
if (missing !== undefined) throw new Error(missing)
for (const f of ['dist/shell/cli/ironlb.js', 'dist/shell/lab/agent.js']) if (!existsSync(join(repoRoot, f))) throw new Error(`${f} is missing: run make build`)

const PEER = fileURLToPath(new URL('../../support/bgpPeerMain.ts', import.meta.url))
const BFD_PEER = fileURLToPath(new URL('../bfd/bfdPeerMain.ts', import.meta.url))
const dir = join(tmpdir(), 'ironlb-lab-e2e-router')

const waitUntil = async <A>(what: string, ms: number, probe: () => Promise<A>, done: (a: A) => boolean): Promise<A> => {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await probe()
    if (done(v)) return v
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms; last: ${JSON.stringify(v)}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

t.setTimeout(240_000)
await labDown(dir)
t.teardown(() => labDown(dir))
const lab = await labUp({ stateDir: dir, nodes: 2, router: 'frr', controller: false, speakers: false })
const routerDir = readState(dir)?.router?.dir ?? ''
const status = async (): Promise<Awaited<ReturnType<typeof labRouterStatus>>> => {
  const st = readState(dir)
  return st === undefined ? undefined : labRouterStatus(st)
}

await t.test('the router answers, with no neighbour until a node dials it', async (t) => {
  t.ok(existsSync(routerDir), `its folder ${routerDir}`)
  t.same(await status(), { kind: 'frr', neighbors: [], rib: [] })
})

/** The seconds of a FRR log line's `YYYY/MM/DD HH:MM:SS` stamp, for the first line matching `re`. */
const loggedAt = (daemon: string, re: RegExp): number | undefined => {
  const log = (readState(dir)?.procs ?? []).find((p) => p.name === `router-${daemon}`)?.log
  const line = log === undefined || !existsSync(log) ? undefined : readFileSync(log, 'utf8').split('\n').find((l) => re.test(l))
  const m = line?.match(/^(\d{4})\/(\d\d)\/(\d\d) (\d\d:\d\d:\d\d)/)
  return m === null || m === undefined ? undefined : Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}Z`) / 1000
}

// A daemon started before zebra's socket exists tries again 10 s later: the lab's routes reached the
// kernel and its BFD sessions came up 10 s late (router.e2e's BFD wait ran out in CI). 5 s leaves room
// for a loaded machine and still tells the retry apart.
await t.test('bgpd and bfdd reach zebra within 5 s of starting', async (t) => {
  for (const [daemon, proto] of [['bgpd', 'bgp'], ['bfdd', 'bfd']] as const) {
    const started = loggedAt(daemon, /starting: vty/)
    const hello = await waitUntil(`zebra's hello from ${daemon}`, 15_000, async () => loggedAt('zebra', new RegExp(`says hello and bids fair to announce only ${proto} routes`)), (s) => s !== undefined)
    t.ok(started !== undefined && hello !== undefined && hello - started <= 5, `${daemon} started at ${started ?? '?'} s, zebra heard it at ${hello ?? '?'} s`)
  }
})

/** A TypeScript main in node1's namespace (its compiled twin when this spec runs from dist/), killed when the spec ends; its stdout and stderr kept. */
const onNode1 = (main: string, args: readonly string[]): { proc: ReturnType<typeof spawn>; out: () => string; err: () => string } => {
  const env = { ...process.env }
  delete env['NODE_OPTIONS']
  const proc = spawn('ip', ['netns', 'exec', lab.namespace('node1'), process.execPath, ...scriptArgs(main), ...args], { stdio: ['pipe', 'pipe', 'pipe'], env })
  t.teardown(() => void proc.kill('SIGKILL'))
  let out = ''
  let err = ''
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()))
  return { proc, out: () => out, err: () => err }
}

// make test's terse reporter prints only the failing assertion's message: the router's logs go in it.
const routerLogs = (daemons: readonly string[]): string =>
  (readState(dir)?.procs ?? [])
    .filter((p) => daemons.some((d) => p.name === `router-${d}`))
    .map((p) => `--- ${p.name}\n${tailFile(p.log, 15)}`)
    .join('\n')

await t.test("a test peer on node1 puts its routes into the router's RIB and FIB", async (t) => {
  const args = ['--local', '198.51.100.11', '--local6', '2001:db8:100::11', '--remote', '198.51.100.1', '--asn', '64512', '--peer-asn', '64500', '--router-id', '198.51.100.11', '--max-seconds', '90']
  const { proc: peer, out } = onNode1(PEER, args)
  await waitUntil('the peer Established', 30_000, async () => out(), (o) => o.includes('"event":"up"'))
  peer.stdin?.write('{"cmd":"announce"}\n')
  const st = await waitUntil('the routes in the RIB', 10_000, status, (s) => s !== undefined && 'rib' in s && s.rib.length === 2)
  t.same(st, {
    kind: 'frr',
    neighbors: [{ address: '198.51.100.11', remoteAs: 64512, state: 'Established', raw: 'Established' }],
    rib: [
      { prefix: '2001:db8:300::10/128', asPath: [64512], communities: ['65000:100'], largeCommunities: ['64512:7:9'], nexthops: ['2001:db8:100::11'] },
      { prefix: '203.0.113.10/32', asPath: [64512], communities: ['65000:100'], largeCommunities: ['64512:7:9'], nexthops: ['198.51.100.11'] },
    ],
  })
  // bgpd shows the path before zebra has written it to the kernel: the FIB gets a few seconds of its own.
  const fibNexthops = async (): Promise<string[]> => fibNexthopsOf((await lab.exec('router', ['ip', '-j', 'route', 'show', 'exact', '203.0.113.10/32'])).stdout)
  const installed = await waitUntil('the route in the FIB', 10_000, fibNexthops, (n) => n.length > 0).catch((e: unknown) => String(e))
  t.same(installed, ['198.51.100.11'], Array.isArray(installed) && installed.length > 0 ? 'zebra installed it' : `zebra installed it\n${routerLogs(['zebra', 'bgpd'])}`)
})

await t.test("the router's BFD: up with node1 at 100 ms x 3; when it dies, node1's session and route go within 500 ms", async (t) => {
  const bfd = onNode1(BFD_PEER, ['--local', '198.51.100.11', '--remote', '198.51.100.1', '--tx', '100', '--rx', '100', '--mult', '3', '--max-seconds', '60'])
  // bgpd asks bfdd for the session through zebra; a daemon that missed zebra at start tries again 10 s
  // later, so the wait covers two of those.
  const up = await waitUntil('the BFD session Up', 30_000, async () => bfd.out(), (o) => o.includes('"event":"up"')).catch((e: unknown) => e)
  if (up instanceof Error) {
    bfd.proc.stdin?.write('{"cmd":"discards"}\n')
    await new Promise((r) => setTimeout(r, 300))
    const peers = await lab.exec('router', ['vtysh', '--vty_socket', routerDir, '--config_dir', routerDir, '-c', 'show bfd peers'])
    t.fail(`${up.message}\n--- our peer (stdout, stderr)\n${bfd.out()}${bfd.err().slice(-3000)}\n--- router: show bfd peers\n${peers.stdout}${peers.stderr}\n${routerLogs(['bfdd', 'zebra', 'bgpd'])}`)
    return
  }
  const watch = await watchFib(lab, '203.0.113.10/32', 20_000)
  await new Promise((r) => setTimeout(r, 500))
  const tDie = Date.now()
  bfd.proc.stdin?.write('{"cmd":"die"}\n')
  await waitUntil('the route withdrawn', 5_000, async () => withdrawal(watch.states(), ['198.51.100.11'], tDie), (w) => w !== undefined)
  const w = withdrawal(await watch.stop(), ['198.51.100.11'], tDie)
  t.comment(`the router's kernel dropped node1's route ${w?.ms ?? '?'} ms after its BFD peer died (detection time 300 ms)`)
  t.ok(w !== undefined && w.ms <= 500, `within 500 ms (${w?.ms ?? 'never'} ms)`)
  const st = await status()
  const n1 = st !== undefined && 'neighbors' in st ? st.neighbors.find((n) => n.address === '198.51.100.11') : undefined
  t.not(n1?.state, 'Established', `the router's BGP session with node1 went down with BFD (now ${n1?.state ?? 'gone'})`)
})

await t.test("the client's edge address reaches a node, and the answer comes back through the router", async (t) => {
  for (const [src, dst] of [['203.0.113.100', '198.51.100.12'], ['2001:db8:203::100', '2001:db8:100::12']]) {
    const r = await lab.exec('client', ['ping', '-c', '1', '-W', '2', '-I', src ?? '', dst ?? ''])
    t.equal(r.code, 0, `${src} -> ${dst}: ${r.stdout.split('\n').slice(-3).join(' ')}`)
  }
  const route = await lab.exec('client', ['ip', 'route', 'show', 'default'])
  t.match(route.stdout, /default via 203\.0\.113\.1 dev eth1/)
})

await t.test('down removes the router with the lab', async (t) => {
  await labDown(dir)
  t.notOk(existsSync(routerDir), `${routerDir} removed`)
  t.notOk(existsSync(dir), `${dir} removed`)
})

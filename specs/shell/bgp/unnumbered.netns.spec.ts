// BGP unnumbered (RFC 8950) against FRR 8.4: FRR has `neighbor eth0 interface` and no address on the
// link but its link-local one; our speaker (specs/shell/bgp/unnumberedPeerMain.ts) has none either. The
// speaker must find FRR's link-local address in its neighbour table (from FRR's Router Advertisements),
// dial it, agree extended next hop, and its IPv4 /32 must reach FRR's RIB with our link-local address as
// next hop and FRR's kernel FIB through eth0. Needs root and FRR.
import t from 'tap'
import { fileURLToPath } from 'node:url'
import { startRouter } from '../../../shell/testbed/router.js'
import { type Lab, labFor, missingTools, netnsUnavailable } from '../../support/netns.js'
import { startAgent } from '../../support/netnsAgent.js'

const PEER = fileURLToPath(new URL('./unnumberedPeerMain.ts', import.meta.url))
const ROUTE = '203.0.113.10/32'

const poll = async <A>(ms: number, probe: () => Promise<A>, done: (a: A) => boolean): Promise<A> => {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await probe()
    if (done(v) || Date.now() > deadline) return v
    await new Promise((r) => setTimeout(r, 250))
  }
}

interface FrrNexthop {
  readonly ip?: string
  readonly afi?: string
  readonly scope?: string
  readonly used?: boolean
}

async function main(): Promise<void> {
  const lab: Lab = labFor(t)
  const rtr = await lab.namespace('rtr')
  const spk = await lab.namespace('spk')
  await lab.veth({ ns: rtr, ifname: 'eth0' }, { ns: spk, ifname: 'eth0' })
  // The router ID is only an identifier here: no IPv4 address is on the link.
  const router = await startRouter({ kind: 'frr', ns: rtr, asn: 64500, routerId: '198.51.100.1', neighbors: [{ peer: { address: '2001:db8::2' }, peerAs: 'external', unnumbered: 'eth0' }] })
  t.teardown(() => router.stop())
  await t.test('an IPv4 /32 over an IPv6 link-local session reaches FRR\'s RIB and FIB', async (t) => {
  const peer = startAgent(lab, spk, ['--interface', 'eth0', '--asn', '64512', '--router-id', '198.51.100.11', '--max-seconds', '60'], PEER)
  try {
    const target = await peer.waitFor((e) => e.event === 'target', 'the router found on eth0', 30_000)
    const frrLinkLocal = (await lab.exec(rtr, ['ip', '-6', '-j', 'addr', 'show', 'dev', 'eth0', 'scope', 'link'])).stdout
    const ll = (JSON.parse(frrLinkLocal) as { addr_info?: { local?: string }[] }[])[0]?.addr_info?.[0]?.local ?? 'none'
    t.equal(target['host'], `${ll}%eth0`, "the dial target is FRR's link-local address, scoped to eth0")
    const up = await peer.waitFor((e) => e.event === 'up', 'session up', 30_000)
    t.equal(up['extendedNextHop'], true, 'extended next hop agreed (FRR offers it on interface peers)')
    const ours = String(up['nextHopV6'])
    t.match(ours, /^fe80:/, 'our IPv6 next hop is our link-local address')
    const vtysh = async (cmd: string): Promise<string> => (await lab.exec(rtr, ['vtysh', '--vty_socket', router.dir, '--config_dir', router.dir, '-c', cmd])).stdout
    const paths = async (): Promise<FrrNexthop[]> => {
      const j = JSON.parse((await vtysh(`show bgp ipv4 unicast ${ROUTE} json`)) || '{}') as { paths?: { valid?: boolean; nexthops?: FrrNexthop[] }[] }
      return (j.paths ?? []).filter((p) => p.valid === true).flatMap((p) => p.nexthops ?? [])
    }
    const hops = await poll(20_000, paths, (h) => h.length > 0)
    t.comment(`FRR's next hops for ${ROUTE}: ${JSON.stringify(hops)}`)
    t.ok(hops.some((h) => h.ip === ours && h.afi === 'ipv6'), `${ROUTE} valid in FRR's RIB with next hop ${ours}`)
    const fib = async (): Promise<string> => (await lab.exec(rtr, ['ip', '-4', 'route', 'show', 'exact', ROUTE])).stdout.trim()
    const installed = await poll(20_000, fib, (r) => r !== '')
    t.comment(`FRR's kernel route: ${installed}`)
    t.match(installed, new RegExp(`via inet6 ${ours} dev eth0`), 'in the FIB through eth0, via our link-local address')
  } finally {
    if (!t.passing()) t.comment(router.logTail(30), peer.stderr().slice(-2000), JSON.stringify(peer.events.slice(-8)))
    await router.stop()
  }
  })
}

t.setTimeout(120_000)
const why = netnsUnavailable()
const missing = missingTools(['vtysh'])
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (missing !== undefined) t.fail(missing)
else await main()

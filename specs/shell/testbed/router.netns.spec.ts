// shell/testbed/router.ts's neighbour options live, router against router: FRR, BIRD and GoBGP on one
// bridge, each configured with a neighbour by address. FRR and BIRD share a TCP MD5 password and BFD
// (200 ms x 5): both sessions Established and FRR's BFD session up. GoBGP is given the wrong password: its
// session with FRR must stay down while the others come up, so the passwords really reach the sockets.
// Needs root, FRR, BIRD and GoBGP.
import t from 'tap'
import { startRouter, type Router } from '../../../shell/testbed/router.js'
import { run } from '../../../shell/testbed/sys.js'
import { labFor, missingTools, netnsUnavailable } from '../../support/netns.js'
import { poll } from '../../support/poll.js'

const FRR = { v4: '198.51.100.1', asn: 64500 }
const BIRD = { v4: '198.51.100.2', asn: 64502 }
const GOBGP = { v4: '198.51.100.3', asn: 64503 }
// This spec checks the setting reaches the routers, not failover speed. FRR's BFD session with BIRD came up
// between 1.5 and 10 s after BGP in runs here (cause not studied; once over 10 s at 100 ms x 3): polled 20 s.
const BFD = { receiveMs: 200, transmitMs: 200, multiplier: 5 }

const stateOf = async (r: Router, address: string): Promise<string> => (await r.neighbors()).find((n) => n.address === address)?.state ?? 'absent'

async function main(): Promise<void> {
  const lab = labFor(t)
  const sw = await lab.namespace('sw')
  const hosts = { frr: FRR, bird: BIRD, gobgp: GOBGP }
  const ns: Record<string, string> = {}
  for (const [name, h] of Object.entries(hosts)) {
    ns[name] = await lab.namespace(name)
    await lab.veth({ ns: sw, ifname: `p-${name}` }, { ns: ns[name] ?? '', ifname: 'eth0' })
    await lab.address(ns[name] ?? '', 'eth0', `${h.v4}/24`)
  }
  await lab.bridge(sw, 'br0', Object.keys(hosts).map((n) => `p-${n}`))
  const routers: Router[] = []
  t.teardown(() => Promise.all(routers.map((r) => r.stop())))
  const frr = await startRouter({
    kind: 'frr',
    ns: ns['frr'] ?? '',
    asn: FRR.asn,
    routerId: FRR.v4,
    neighbors: [
      { peer: { address: BIRD.v4 }, peerAs: BIRD.asn, password: 's3cret', bfd: BFD },
      { peer: { address: GOBGP.v4 }, peerAs: GOBGP.asn, password: 's3cret' },
    ],
  })
  routers.push(frr)
  const bird = await startRouter({ kind: 'bird', ns: ns['bird'] ?? '', asn: BIRD.asn, routerId: BIRD.v4, neighbors: [{ peer: { address: FRR.v4 }, peerAs: FRR.asn, password: 's3cret', bfd: BFD }] })
  routers.push(bird)
  const gobgp = await startRouter({ kind: 'gobgp', ns: ns['gobgp'] ?? '', asn: GOBGP.asn, routerId: GOBGP.v4, neighbors: [{ peer: { address: FRR.v4 }, peerAs: FRR.asn, password: 'wrong' }] })
  routers.push(gobgp)
  const started = Date.now()

  await t.test('FRR and BIRD with the same password: Established on both sides, BFD up', async (t) => {
    t.equal(await poll(20_000, () => stateOf(frr, BIRD.v4), (s) => s === 'Established', 200), 'Established', 'FRR sees BIRD')
    t.equal(await poll(5_000, () => stateOf(bird, FRR.v4), (s) => s === 'Established', 200), 'Established', 'BIRD sees FRR')
    t.comment(`Established ${Date.now() - started} ms after the routers started`)
    const bfd = async (): Promise<string> => (await run(['vtysh', '--vty_socket', frr.dir, '--config_dir', frr.dir, '-c', 'show bfd peers json'])).stdout
    const t0 = Date.now()
    const peers = await poll(20_000, bfd, (out) => /"peer":"198\.51\.100\.2"[^}]*"status":"up"/.test(out), 200)
    t.comment(`BFD up ${Date.now() - t0} ms after BGP`)
    t.match(peers, /"peer":"198\.51\.100\.2"[^}]*"status":"up"/, "FRR's BFD session with BIRD is up")
    t.match(peers, /"receive-interval":200,\s*"transmit-interval":200/, 'at the 200 ms asked for')
    t.match(peers, /"detect-multiplier":5/, 'times 5')
  })

  await t.test('GoBGP with a different password: no session with FRR', async (t) => {
    // As long again as FRR and BIRD needed, and at least 3 s more.
    await new Promise((r) => setTimeout(r, 3_000))
    t.not(await stateOf(frr, GOBGP.v4), 'Established', "FRR's side")
    t.not(await stateOf(gobgp, FRR.v4), 'Established', "GoBGP's side")
  })
}

t.setTimeout(90_000)
const why = netnsUnavailable()
const missing = missingTools(['vtysh', 'bird', 'birdc', 'gobgpd', 'gobgp'])
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (missing !== undefined) t.fail(missing)
else await main()

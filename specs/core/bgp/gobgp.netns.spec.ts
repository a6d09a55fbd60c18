// core/bgp against a real router: GoBGP (Debian's gobgpd) in one namespace, a peer made of the codec,
// the session state machine and shell/bgp/peerSession.ts (specs/support/bgpPeerMain.ts) in another,
// over a veth pair. Both sides must reach Established; the router must take our IPv4 and IPv6 routes
// with their next hops, AS path, communities and large communities, drop them on our withdrawal, and
// see our Cease; the router's own OPEN, KEEPALIVEs and UPDATE must decode without an error (a decode
// error would take the session down). Needs root and gobgpd.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { type Lab, labFor, missingTools, netnsUnavailable } from '../../support/netns.js'
import { startAgent } from '../../support/netnsAgent.js'
import { poll } from '../../support/poll.js'
import { gobgpdIn } from './gobgpdProcess.js'
import { ROUTER, SPEAKER, routerAndSpeaker } from './pointToPoint.js'

const V4_ROUTE = '203.0.113.10/32'
const V6_ROUTE = '2001:db8:300::10/128'
const ROUTER_ROUTE = '198.51.100.128/25'
const PEER = fileURLToPath(new URL('../../support/bgpPeerMain.ts', import.meta.url))


const config = `
[global.config]
  as = ${ROUTER.asn}
  router-id = "${ROUTER.v4}"
  local-address-list = ["${ROUTER.v4}"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${SPEAKER.v4}"
    peer-as = ${SPEAKER.asn}
  [neighbors.transport.config]
    passive-mode = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
`

async function main(): Promise<void> {
  const lab: Lab = labFor(t)
  const { rtr, spk } = await routerAndSpeaker(lab)
  const gobgpd = gobgpdIn(t, lab, rtr, config, 'info', 20_000)
  const startRouter = gobgpd.start
  let router = startRouter()
  const gobgp = gobgpd.cli
  const neighbor = async (): Promise<string> => gobgp(['-j', 'neighbor', SPEAKER.v4])
  await poll(15_000, neighbor, (out) => out.includes(SPEAKER.v4), 200)
  await gobgp(['global', 'rib', 'add', ROUTER_ROUTE, '-a', 'ipv4'])

  const peer = startAgent(lab, spk, ['--local', SPEAKER.v4, '--local6', SPEAKER.v6, '--remote', ROUTER.v4, '--asn', String(SPEAKER.asn), '--peer-asn', String(ROUTER.asn), '--router-id', SPEAKER.v4, '--max-seconds', '120'], PEER)
  // GoBGP's JSON gives the FSM state as its enum number; 6 is Established.
  const established = (out: string): boolean => /"session_state":6\b/.test(out)

  await t.test("the router's OPEN decodes, and it accepts ours", async (t) => {
    const open = await peer.waitFor((e) => e.event === 'open' || e.event === 'decode-error', 'the router OPEN')
    t.equal(open.event, 'open', JSON.stringify(open))
    t.equal(open['asn'], ROUTER.asn)
    t.equal(open['routerId'], ROUTER.v4)
    t.ok((open['capabilities'] as string[]).includes('FourOctetAs'), `capabilities: ${JSON.stringify(open['capabilities'])}`)
    t.ok((open['capabilities'] as string[]).includes('Multiprotocol 2/1'), 'IPv6 unicast offered')
    await peer.waitFor((e) => e.event === 'up' || e.event === 'down', 'the session up on our side')
    t.ok(peer.events.some((e) => e.event === 'up'), 'our state machine says Established')
    t.ok(established(await poll(15_000, neighbor, established, 200)), 'the router says Established')
  })

  await t.test("the router's UPDATE decodes without an attribute error", async (t) => {
    const u = await peer.waitFor((e) => e.event === 'update' && (e['nlri'] as string[]).includes(ROUTER_ROUTE), `an UPDATE for ${ROUTER_ROUTE}`)
    t.same(u['attributeErrors'], [])
    t.same(u['asPath'], [ROUTER.asn])
    t.equal(u['nextHop'], ROUTER.v4)
  })

  await t.test('our IPv4 and IPv6 routes land in the router, attributes and all', async (t) => {
    peer.command({ cmd: 'announce' })
    const v4 = await poll(15_000, () => gobgp(['-j', 'global', 'rib', '-a', 'ipv4']), (out) => out.includes(V4_ROUTE), 200)
    t.ok(v4.includes(V4_ROUTE), `${V4_ROUTE} in the IPv4 RIB`)
    const route = JSON.stringify((JSON.parse(v4) as Record<string, unknown>)[V4_ROUTE] ?? {})
    t.match(route, `"nexthop":"${SPEAKER.v4}"`, 'next hop')
    t.match(route, /"asns":\[64512\]/, 'AS path')
    t.match(route, `"communities":[${65000 * 65536 + 100}]`, 'community 65000:100')
    t.match(route, '{"ASN":64512,"LocalData1":7,"LocalData2":9}', 'large community 64512:7:9')
    const v6 = await poll(15_000, () => gobgp(['-j', 'global', 'rib', '-a', 'ipv6']), (out) => out.includes(V6_ROUTE), 200)
    t.ok(v6.includes(V6_ROUTE), `${V6_ROUTE} in the IPv6 RIB`)
    t.match(JSON.stringify((JSON.parse(v6) as Record<string, unknown>)[V6_ROUTE] ?? {}), `"nexthop":"${SPEAKER.v6}"`, 'IPv6 next hop from MP_REACH_NLRI')
  })

  await t.test('the router restarts: Down, Up again after ConnectRetry, and the routes are sent again', async (t) => {
    router.kill('SIGKILL')
    const down = await peer.waitFor((e) => e.event === 'down', 'our session down')
    t.equal(down['reason'], 'connection closed')
    router = startRouter()
    const ups = (): number => peer.events.filter((e) => e.event === 'up').length
    await peer.waitFor(() => ups() === 2, 'our session up again', 30_000)
    t.ok(established(await poll(15_000, neighbor, established, 200)), 'the new router says Established')
    peer.command({ cmd: 'announce' })
    const v4 = await poll(15_000, () => gobgp(['-j', 'global', 'rib', '-a', 'ipv4']), (out) => out.includes(V4_ROUTE), 200)
    t.ok(v4.includes(V4_ROUTE), `${V4_ROUTE} in the new router's RIB`)
  })

  await t.test('a withdrawal removes both, and a NOTIFICATION ends the session', async (t) => {
    peer.command({ cmd: 'withdraw' })
    const gone = async (): Promise<string> => (await gobgp(['-j', 'global', 'rib', '-a', 'ipv4'])) + (await gobgp(['-j', 'global', 'rib', '-a', 'ipv6']))
    const after = await poll(15_000, gone, (out) => !out.includes(V4_ROUTE) && !out.includes(V6_ROUTE), 200)
    t.ok(!after.includes(V4_ROUTE) && !after.includes(V6_ROUTE), 'both routes withdrawn')
    peer.command({ cmd: 'cease' })
    await peer.waitFor((e) => e.event === 'down', 'the session down')
    t.notOk(established(await poll(15_000, neighbor, (out) => !established(out), 200)), 'the router no longer says Established')
    t.same(peer.events.filter((e) => e.event === 'down').map((e) => e['reason']), ['connection closed', 'stopped'], 'Down only for the restart and our stop: nothing the router sent failed to decode')
    t.ok(peer.events.filter((e) => e.event === 'sent').every((e) => e['sent'] === true), 'every update went out in Established')
    t.comment(`messages decoded from the router: ${peer.events.filter((e) => ['open', 'keepalive', 'update', 'notification'].includes(e.event)).length}`)
  })
  if (!t.passing()) t.comment(`gobgpd log tail: ${gobgpd.log().slice(-4000)}`)
}

t.setTimeout(180_000)
const why = netnsUnavailable()
const missing = missingTools(['gobgpd', 'gobgp'])
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (missing !== undefined) t.fail(missing)
else await main()

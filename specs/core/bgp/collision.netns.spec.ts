// Passive sessions and connection collision (RFC 4271 §6.8) against a real router: GoBGP (Debian's
// gobgpd) in one namespace, the peer of specs/support/bgpPeerMain.ts (core/bgp and shell/bgp,
// listening on port 179) in another. First the router dials a passive speaker; then both sides
// dial each other. Either way exactly one connection must end Established on both sides, stay so,
// and carry our routes; when the two connections did cross, the one kept must be the one opened
// by the higher BGP Identifier (ours here). Needs root and gobgpd.
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { type Lab, labFor, missingTools, netnsUnavailable } from '../../support/netns.js'
import { type Agent, startAgent } from '../../support/netnsAgent.js'
import { poll } from '../../support/poll.js'
import { gobgpdIn } from './gobgpdProcess.js'
import { ROUTER, SPEAKER, routerAndSpeaker } from './pointToPoint.js'

const V4_ROUTE = '203.0.113.10/32'
const PEER = fileURLToPath(new URL('../../support/bgpPeerMain.ts', import.meta.url))

/** The router dials (not passive), retrying every second. */
const config = `
[global.config]
  as = ${ROUTER.asn}
  router-id = "${ROUTER.v4}"
  local-address-list = ["${ROUTER.v4}"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${SPEAKER.v4}"
    peer-as = ${SPEAKER.asn}
  [neighbors.timers.config]
    connect-retry = 1
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
`

async function main(): Promise<void> {
  const lab: Lab = labFor(t)
  const { rtr, spk } = await routerAndSpeaker(lab)
  const gobgpd = gobgpdIn(t, lab, rtr, config, 'debug', 200_000)
  const startRouter = gobgpd.start
  const gobgp = gobgpd.cli
  const neighbor = async (): Promise<string> => gobgp(['-j', 'neighbor', SPEAKER.v4]).catch(() => '')
  // GoBGP's JSON gives the FSM state as its enum number; 6 is Established.
  const established = (out: string): boolean => /"session_state":6\b/.test(out)
  const peerArgs = (extra: readonly string[]): string[] => [
    '--local', SPEAKER.v4, '--local6', SPEAKER.v6, '--remote', ROUTER.v4, '--asn', String(SPEAKER.asn), '--peer-asn', String(ROUTER.asn), '--router-id', SPEAKER.v4, '--max-seconds', '60', '--listen', ...extra,
  ]
  /** Up once, the router Established, still so 1.5 s later with no Down, and our route in its RIB. */
  const holds = async (t: Test, peer: Agent): Promise<void> => {
    await peer.waitFor((e) => e.event === 'up', 'our session up', 20_000)
    t.ok(established(await poll(15_000, neighbor, established, 200)), 'the router says Established')
    await new Promise((r) => setTimeout(r, 1_500))
    t.same(peer.events.filter((e) => e.event === 'up' || e.event === 'down').map((e) => e.event), ['up'], 'one Up, no Down: no flapping between two connections')
    t.ok(established(await neighbor()), 'the router still says Established')
    peer.command({ cmd: 'announce' })
    const v4 = await poll(15_000, () => gobgp(['-j', 'global', 'rib', '-a', 'ipv4']), (out) => out.includes(V4_ROUTE), 200)
    t.ok(v4.includes(V4_ROUTE), `${V4_ROUTE} in the router's RIB`)
  }

  await t.test('passive: the router dials us; we never dial', async (t) => {
    const router = startRouter()
    const peer = startAgent(lab, spk, peerArgs(['--passive']), PEER)
    await holds(t, peer)
    t.equal(peer.events.find((e) => e.event === 'up')?.['conn'], 'in:1', 'the session runs on the connection the router opened')
    peer.command({ cmd: 'cease' })
    await peer.waitFor((e) => e.event === 'down', 'the session down')
    router.kill('SIGKILL')
  })

  await t.test('both dial: one connection survives, and on a collision the higher identifier keeps the one it opened', async (t) => {
    startRouter()
    await poll(15_000, neighbor, (out) => out.includes(SPEAKER.v4), 200)
    const peer = startAgent(lab, spk, peerArgs([]), PEER)
    await holds(t, peer)
    const conn = String(peer.events.find((e) => e.event === 'up')?.['conn'])
    const collided = peer.events.some((e) => e.event === 'notification') || /[Cc]ollision/.test(gobgpd.log())
    t.comment(`session on ${conn}; a collision ${collided ? 'happened' : 'did not happen this run'}`)
    if (collided) t.match(conn, /^out:/, `ours (${SPEAKER.v4}) is the higher identifier: our dialled connection stays`)
    peer.command({ cmd: 'cease' })
    await peer.waitFor((e) => e.event === 'down', 'the session down')
  })
  if (!t.passing()) t.comment(`gobgpd log tail: ${gobgpd.log().slice(-4000)}`)
}

t.setTimeout(120_000)
const why = netnsUnavailable()
const missing = missingTools(['gobgpd', 'gobgp'])
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (missing !== undefined) t.fail(missing)
else await main()

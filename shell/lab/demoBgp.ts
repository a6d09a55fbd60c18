// The BGP part of `make demo` (after the Layer 2 part, on the same lab, which has the FRR router):
// applies examples/bgp-demo.yaml (a pool on no lab segment, BGPPeers to the router with BFD 100 ms x 3,
// a BGPAdvertisement with communities, the dual-stack Service demo-bgp/web-bgp), waits until the router
// forwards the Service's IPs to every node, prints the router's neighbours and RIB, how the client's
// requests spread over the nodes (ECMP), then fails one node and prints when the router dropped its
// next hop and how long the client's requests kept failing. Resolves to 0 only when every bar held.
import { join } from 'node:path'
import { bgpBars, bgpPowerLosses, nodeAddresses, waitFibNodes } from './bgpFailover.js'
import { curlFromClient, serviceIPs } from './demo.js'
import { repoRoot, type Lab } from './lab.js'
import { labRouterStatus, labRouterText } from './router.js'
import { readState } from './state.js'
import { errText, sleep } from '../testbed/sys.js'

const MANIFEST = join(repoRoot, 'shell', 'lab', 'examples', 'bgp-demo.yaml')
const SERVICE = 'demo-bgp/web-bgp'

const routerText = async (lab: Lab): Promise<string> => {
  const st = readState(lab.stateDir)
  const rs = st === undefined ? undefined : await labRouterStatus(st)
  return rs === undefined ? '(no router in this lab)\n' : labRouterText(rs)
}

const ipsOf = async (lab: Lab): Promise<string[]> => {
  const deadline = Date.now() + 30_000
  for (;;) {
    const ips = await serviceIPs(lab, SERVICE)
    if (ips.length === 2 || Date.now() > deadline) return ips
    await sleep(300)
  }
}

/** Twelve requests per IP from the client: which nodes answered, and how many each. */
const spread = async (lab: Lab, ip: string): Promise<Map<string, number>> => {
  const by = new Map<string, number>()
  for (let i = 0; i < 12; i++) {
    const who = (await curlFromClient(lab, ip)) ?? 'no answer'
    by.set(who, (by.get(who) ?? 0) + 1)
  }
  return by
}

/** Runs the BGP part on a lab with the FRR router; resolves to 0 when every bar held. */
export const runBgpDemo = async (lab: Lab, say: (line: string) => void, signal?: AbortSignal): Promise<number> => {
  const step = (): void => {
    if (signal?.aborted === true) throw new Error('interrupted')
  }
  const problems: string[] = []
  say('')
  say('== BGP: the speakers advertise to the FRR router (AS 64500 at 198.51.100.1), which forwards the client\'s packets')
  const applied = await lab.kubectl(['apply', '-f', MANIFEST])
  if (applied.code !== 0) throw new Error(`kubectl apply ${MANIFEST}: ${applied.stderr.trim()}`)
  say('applied shell/lab/examples/bgp-demo.yaml: IPAddressPool lab-bgp (203.0.113.200-220, 2001:db8:300::200-220), BFDProfile fast (100 ms x 3), BGPPeers lab-router and lab-router-v6 (AS 64512 -> 64500, graceful restart), Community lab-service, BGPAdvertisement lab-bgp, Service demo-bgp/web-bgp (dual stack)')
  const ips = await ipsOf(lab)
  if (ips.length !== 2) {
    say(`stopping here: ${SERVICE} has ${ips.length} IPs after 30 s (want 2; ironlb-lab logs controller)`)
    return 1
  }
  step()
  const addrs = await nodeAddresses(lab)
  try {
    const ms = await waitFibNodes(lab, ips, lab.nodes, addrs, 60_000)
    say(`${ips.join(' and ')}: the router forwards each to every node ${(ms / 1000).toFixed(2)} s after the IPs were assigned`)
  } catch (e) {
    say(await routerText(lab))
    say(`stopping here: ${errText(e)}`)
    return 1
  }
  say(await routerText(lab))
  for (const ip of ips) {
    step()
    const by = await spread(lab, ip)
    const line = [...by].map(([w, k]) => `${w} ${k}`).join(', ')
    say(`  ${ip.padEnd(20)} 12 requests from the client (a new connection each), answered by: ${line}`)
    if (by.has('no answer')) problems.push(`${ip}: some requests got no answer (${line})`)
    if ([...by.keys()].filter((w) => w !== 'no answer').length < 2) problems.push(`${ip}: answered by fewer than two nodes (${line}): no ECMP`)
  }
  step()
  say('')
  say(`${lab.nodes[0] ?? 'node1'} loses power (link cut, speaker SIGKILLed); the client sends a request to each IP every 20 ms (200 ms limit); the router kernel's route events time the withdrawal`)
  const trials = await bgpPowerLosses(lab, ips, { trials: 1, say: (l) => say(`  ${l}`) })
  for (const bar of bgpBars(trials, ips)) {
    say(`  ${bar.ok ? 'met' : 'MISSED'}: ${bar.what}`)
    if (!bar.ok) problems.push(bar.what)
  }
  say('')
  say(problems.length === 0 ? 'BGP demo: every check held' : `BGP demo: ${problems.length} checks failed:\n  ${problems.join('\n  ')}`)
  return problems.length === 0 ? 0 : 1
}

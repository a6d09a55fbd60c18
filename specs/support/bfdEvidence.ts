// What a speaker spec prints when FRR's BFD session with the speaker does not come Up: each side's view
// (FRR's peers and packet counters, our bfd-* and bgp-session-* lines), three seconds of BFD on the wire with
// states and discriminators, and FRR's log tails. Printed to stderr, which every tap reporter shows.
import type { Router } from '../../shell/testbed/router.js'
import type { Lab } from './netns.js'
import type { Agent } from './netnsAgent.js'

export const bfdEvidence = async (lab: Lab, rtr: string, router: Router, agent: Agent): Promise<string> => {
  const vtysh = async (cmd: string): Promise<string> => (await lab.exec(rtr, ['vtysh', '--vty_socket', router.dir, '-c', cmd], 10_000)).stdout.trim()
  const wire = await lab.exec(rtr, ['timeout', '3', 'tcpdump', '-i', 'eth0', '-nn', '-v', '-c', '12', 'udp port 3784'], 10_000)
  const ours = agent.events.filter((e) => /^(bfd|bgp-session)/.test(String(e.event))).slice(-20)
  return [
    `FRR show bfd peers json: ${await vtysh('show bfd peers json')}`,
    `FRR show bfd peers counters json: ${await vtysh('show bfd peers counters json')}`,
    `wire (router eth0, 3 s):\n${wire.stdout}${wire.stderr}`,
    `ours: ${JSON.stringify(ours)}`,
    router.logTail(40),
  ].join('\n')
}

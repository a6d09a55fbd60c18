// The two namespaces most BGP interop specs start from: a router and a speaker joined by one veth, each
// with an IPv4 and an IPv6 documentation address on its eth0.
import type { Lab } from '../../support/netns.js'

export const ROUTER = { v4: '198.51.100.1', v6: '2001:db8:100::1', asn: 64500 } as const
export const SPEAKER = { v4: '198.51.100.11', v6: '2001:db8:100::11', asn: 64512 } as const

/** Creates both namespaces (removed with the lab), the veth and the addresses; their names. */
export const routerAndSpeaker = async (lab: Lab): Promise<{ readonly rtr: string; readonly spk: string }> => {
  const rtr = await lab.namespace('rtr')
  const spk = await lab.namespace('spk')
  await lab.veth({ ns: rtr, ifname: 'eth0' }, { ns: spk, ifname: 'eth0' })
  for (const [ns, at] of [[rtr, ROUTER], [spk, SPEAKER]] as const) {
    await lab.address(ns, 'eth0', `${at.v4}/24`)
    await lab.address(ns, 'eth0', `${at.v6}/64`)
  }
  return { rtr, spk }
}

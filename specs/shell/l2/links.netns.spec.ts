// The interfaces read through one rtnetlink dump (shell/l2/links.ts) against what `ip -j link` says in
// the same lab namespace: loopback, a veth up, a bridge with a veth port (master), a second bridge left down, an
// interface with ARP off; then again after one is deleted, one set down and one taken off its bridge,
// so a stale or cached answer fails. Needs root and the built addon.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import type { LinkFacts } from '../../../core/speaker/interfaceFilter.js'
import { isPacketAddonBuilt } from '../../../shell/native/packetSocket.js'
import { type Lab, labFor, netnsUnavailable } from '../../support/netns.js'
import { scriptArgs } from '../../support/netnsAgent.js'

const MAIN = fileURLToPath(new URL('./linksMain.ts', import.meta.url))

interface IpLink {
  ifname: string
  ifindex: number
  address?: string
  flags: string[]
  master?: string
}

/** What `ip -j link show` reports, in the reader's terms. */
const byIp = async (lab: Lab, ns: string): Promise<LinkFacts[]> => {
  const r = await lab.exec(ns, ['ip', '-j', 'link', 'show'])
  if (r.code !== 0) throw new Error(`ip link: ${r.stderr}`)
  return (JSON.parse(r.stdout) as IpLink[])
    .map((l) => ({
      name: l.ifname,
      ifindex: l.ifindex,
      mac: l.address === undefined || l.address === '00:00:00:00:00:00' || !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(l.address) ? undefined : l.address,
      up: l.flags.includes('UP'),
      noArp: l.flags.includes('NOARP'),
      loopback: l.flags.includes('LOOPBACK'),
      master: l.master,
    }))
    .sort((a, b) => a.ifindex - b.ifindex) as LinkFacts[]
}

const byDump = async (lab: Lab, ns: string): Promise<unknown> => {
  const r = await lab.exec(ns, ['node', ...scriptArgs(MAIN)])
  if (r.code !== 0) throw new Error(`linksMain: ${r.stderr}`)
  return JSON.parse(r.stdout) as unknown
}

/** As the main's JSON line carries it: fields that are undefined are left out. */
const asJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown

const main = (): void =>
  void t.test('one dump reads what ip link shows, before and after changes', async (t) => {
    const lab = labFor(t)
    const node = await lab.namespace('node')
    const peer = await lab.namespace('peer')
    await lab.veth({ ns: node, ifname: 'eth0' }, { ns: peer, ifname: 'eth0' })
    await lab.veth({ ns: node, ifname: 'eth1' }, { ns: peer, ifname: 'eth1' })
    await lab.veth({ ns: node, ifname: 'eth2' }, { ns: peer, ifname: 'eth2' })
    await lab.bridge(node, 'br0', ['eth1'])
    const ip = async (...args: string[]): Promise<void> => {
      const r = await lab.exec(node, ['ip', ...args])
      if (r.code !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`)
    }
    await ip('link', 'add', 'br1', 'type', 'bridge')
    await ip('link', 'set', 'eth2', 'arp', 'off')

    const first = await byIp(lab, node)
    t.same(first.map((l) => l.name).sort(), ['br0', 'br1', 'eth0', 'eth1', 'eth2', 'lo'], 'the lab is as built')
    t.same(first.find((l) => l.name === 'eth1')?.master, 'br0', 'eth1 is a port of br0')
    t.same(first.find((l) => l.name === 'eth2')?.noArp, true, 'eth2 has ARP off')
    t.same(first.find((l) => l.name === 'br1')?.up, false, 'br1 is down')
    t.same(await byDump(lab, node), asJson({ links: first }), 'the dump agrees with ip link')

    await ip('link', 'del', 'br1')
    await ip('link', 'set', 'eth0', 'down')
    await ip('link', 'set', 'eth1', 'nomaster')
    const second = await byIp(lab, node)
    t.same(second.map((l) => l.name).sort(), ['br0', 'eth0', 'eth1', 'eth2', 'lo'], 'br1 is gone')
    t.same(await byDump(lab, node), asJson({ links: second }), 'and the dump agrees again')
  })

t.setTimeout(60_000)
const why = netnsUnavailable()
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (!isPacketAddonBuilt()) t.fail('the addon is not built: run `make native` first')
else main()

import t from 'tap'
import { type LinkFacts, judgeInterface, usableInterfaces } from '../../../core/speaker/interfaceFilter.js'
import { parseMac } from '../../../core/packet/mac.js'

const mac = parseMac('02:00:00:00:00:01')
if (mac === undefined) throw new Error('bad test MAC')

const mk = (over: Partial<LinkFacts>): LinkFacts => ({ name: 'eth0', ifindex: 2, mac, up: true, noArp: false, loopback: false, master: undefined, ...over })

t.test('interface rules', async (t) => {
  const rows: ReadonlyArray<{ desc: string; in: Partial<LinkFacts>; want: string }> = [
    { desc: 'a plain LAN interface', in: {}, want: 'Usable' },
    { desc: 'down', in: { up: false }, want: 'Down' },
    { desc: 'enslaved to a bond', in: { master: 'bond0' }, want: 'Enslaved' },
    { desc: 'NOARP', in: { noArp: true }, want: 'NoArp' },
    { desc: 'loopback', in: { name: 'lo', loopback: true }, want: 'Loopback' },
    { desc: 'no Ethernet address', in: { mac: undefined }, want: 'NoMac' },
    { desc: 'veth', in: { name: 'veth1234' }, want: 'ExcludedName' },
    { desc: 'kube-ipvs0', in: { name: 'kube-ipvs0' }, want: 'ExcludedName' },
    { desc: 'calico', in: { name: 'cali12ab' }, want: 'ExcludedName' },
    { desc: 'a bond master is fine', in: { name: 'bond0' }, want: 'Usable' },
    { desc: 'a name merely containing lo', in: { name: 'eno1' }, want: 'Usable' },
  ]
  for (const row of rows) {
    const v = judgeInterface(mk(row.in))
    t.equal(v._tag === 'Usable' ? 'Usable' : v.reason, row.want, row.desc)
  }
})

t.test('usable interfaces come in name order', async (t) => {
  const got = usableInterfaces([mk({ name: 'eth1', ifindex: 3 }), mk({ name: 'veth0' }), mk({ name: 'eth0' })])
  t.same([...got.keys()], ['eth0', 'eth1'])
})

import t from 'tap'
import fc from 'fast-check'
import { ARRIVAL_DROP_REASONS, refuseArrival, type Arrival, type PacketType } from '../../../core/packet/arrival.js'

const OURS = 7
const rows: ReadonlyArray<{ desc: string; in: Arrival; want: string | undefined }> = [
  { desc: 'broadcast on our interface', in: { packetType: 'broadcast', ifindex: OURS }, want: undefined },
  { desc: 'unicast to our MAC', in: { packetType: 'host', ifindex: OURS }, want: undefined },
  { desc: 'multicast (a solicited-node group)', in: { packetType: 'multicast', ifindex: OURS }, want: undefined },
  { desc: 'priority tag, VLAN 0: the untagged network', in: { packetType: 'broadcast', ifindex: OURS, vlan: 0 }, want: undefined },
  { desc: 'tagged VLAN 100 in the metadata', in: { packetType: 'broadcast', ifindex: OURS, vlan: 100 }, want: 'VlanTagged' },
  { desc: 'tagged VLAN 4095', in: { packetType: 'host', ifindex: OURS, vlan: 4095 }, want: 'VlanTagged' },
  { desc: 'the kernel stripped a tag it had no device for', in: { packetType: 'otherhost', ifindex: OURS }, want: 'OtherHost' },
  { desc: 'a VLAN sub-interface of ours', in: { packetType: 'broadcast', ifindex: 12 }, want: 'OtherInterface' },
  { desc: 'our own frame, looped back', in: { packetType: 'outgoing', ifindex: OURS }, want: 'Outgoing' },
  { desc: 'outgoing wins over everything else', in: { packetType: 'outgoing', ifindex: 12, vlan: 5 }, want: 'Outgoing' },
]

t.test('decision table', async (t) => {
  for (const row of rows) t.equal(refuseArrival(row.in, OURS), row.want, row.desc)
})

t.test('property: admitted only when untagged (or VLAN 0), on our ifindex, and neither outgoing nor for another host', async (t) => {
  const types: PacketType[] = ['host', 'broadcast', 'multicast', 'otherhost', 'outgoing', 'unknown']
  const reasons = new Set<string>(ARRIVAL_DROP_REASONS)
  fc.assert(
    fc.property(fc.constantFrom(...types), fc.integer({ min: 1, max: 20 }), fc.option(fc.integer({ min: 0, max: 4095 }), { nil: undefined }), (packetType, ifindex, vlan) => {
      const a: Arrival = vlan === undefined ? { packetType, ifindex } : { packetType, ifindex, vlan }
      const r = refuseArrival(a, OURS)
      const admissible = packetType !== 'outgoing' && packetType !== 'otherhost' && ifindex === OURS && (vlan ?? 0) === 0
      return admissible ? r === undefined : r !== undefined && reasons.has(r)
    }),
  )
  t.pass('ok')
})

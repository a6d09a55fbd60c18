// The speakers' member universe, from Node objects: every Node with an InternalIP is a speaker the
// failure detector should watch (MetalLB lists speaker Pods; IronLB's speakers run on every
// selected node, and the Node object outlives a dead Pod, which is what failover needs). The
// address is the Node's first InternalIP of the preferred family, so peers reach each other on
// the node network.
import * as t from 'io-ts'

const NodeAddresses = t.type({
  metadata: t.type({ name: t.string }),
  status: t.partial({ addresses: t.array(t.type({ type: t.string, address: t.string })) }),
})

export interface MemberAddress {
  readonly name: string
  readonly host: string
}

export const memberUniverse = (nodes: readonly unknown[], prefer: 4 | 6 = 4): readonly MemberAddress[] => {
  const out: MemberAddress[] = []
  for (const raw of nodes) {
    const n = NodeAddresses.decode(raw)
    if (n._tag === 'Left') continue
    const internal = (n.right.status.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address)
    const preferred = internal.find((a) => a.includes(':') === (prefer === 6)) ?? internal[0]
    if (preferred !== undefined) out.push({ name: n.right.metadata.name, host: preferred })
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

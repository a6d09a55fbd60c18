// A node's own addresses, from its Node object: the first InternalIP of each family. The IPv4 one is
// the BGP router ID when a peer names none (MetalLB's speaker takes the node's IPv4 address), and
// each is the next hop a session carries for the family its socket is not.
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { type IP, parseIP } from '../net/address.js'

const NodeAddresses = t.type({
  metadata: t.type({ name: t.string }),
  status: t.partial({ addresses: t.array(t.type({ type: t.string, address: t.string })) }),
})

export interface NodeAddressPair {
  readonly v4: IP | undefined
  readonly v6: IP | undefined
}

/** The first InternalIP of each family of the Node named `node` among `nodes`; unparsable ones are skipped. */
export const nodeAddressesOf = (nodes: readonly unknown[], node: string): NodeAddressPair => {
  for (const raw of nodes) {
    const n = NodeAddresses.decode(raw)
    if (E.isLeft(n) || n.right.metadata.name !== node) continue
    const ips = (n.right.status.addresses ?? []).filter((a) => a.type === 'InternalIP').flatMap((a) => {
      const ip = parseIP(a.address)
      return E.isRight(ip) ? [ip.right] : []
    })
    return { v4: ips.find((ip) => ip.family === 4), v6: ips.find((ip) => ip.family === 6) }
  }
  return { v4: undefined, v6: undefined }
}

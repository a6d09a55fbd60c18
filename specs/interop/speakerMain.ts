// One node of the interop matrix, run inside the node's namespace (specs/interop/matrix.ts starts it):
// for every cell (cells.ts) the speaker's pure pipeline as the speaker runs it (MetalLB objects ->
// buildConfig -> whatShouldNodeAdvertise -> sessionConfigOf -> startPeerSession on the addon's sockets,
// TCP MD5 included), and an HTTP server that answers with the node's name on every address, so a
// client behind the router can tell which node its connection reached. JSON lines out: 'planned' per
// cell (the routes handed to each session), 'up' and 'down' per session.
//
//   --node-index 0|1 --max-seconds S
import { createServer } from 'node:http'
import * as E from 'fp-ts/lib/Either.js'
import { whatShouldNodeAdvertise } from '../../core/bgp/advertise.js'
import { sessionConfigOf } from '../../core/bgp/sessionConfig.js'
import type { NextHops } from '../../core/bgp/peerOpen.js'
import { decodeClusterObjects } from '../../core/cluster/decodeCluster.js'
import { buildConfig } from '../../core/config/buildConfig.js'
import { assignedFromIngress } from '../../core/l2/assigned.js'
import type { BGPPeer } from '../../core/model/bgpPeer.js'
import { asNodeName } from '../../core/model/names.js'
import { type IP, formatIP, parseIP } from '../../core/net/address.js'
import { formatPrefix } from '../../core/net/prefix.js'
import { startPeerSession } from '../../shell/bgp/peerSession.js'
import { nativeDialer } from '../../shell/native/bgpSockets.js'
import { jsonLogger } from '../../shell/obs/log.js'
import { CELLS, type Cell, HTTP_PORT, NODES, cellObjects, nodeAddresses } from './cells.js'

const arg = (flag: string): string => {
  const i = process.argv.indexOf(flag)
  const v = i < 0 ? undefined : process.argv[i + 1]
  if (v === undefined) throw new Error(`${flag} is required`)
  return v
}
const emit = (event: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(event)}\n`)
const ipOf = (text: string): IP => {
  const r = parseIP(text)
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
}

const nodeIndex = Number(arg('--node-index'))
const node = NODES[nodeIndex]
if (node === undefined) throw new Error('--node-index: 0 or 1')
setTimeout(() => {
  emit({ event: 'timeout' })
  process.exit(3)
}, Number(arg('--max-seconds')) * 1000).unref()

const CLUSTER_KINDS = new Set(['Node', 'Service', 'EndpointSlice'])

/** The socket options a BGPPeer asks for: its source address and its inline password. */
const socketOf = (peer: BGPPeer): { localAddress?: string; md5Password?: string } => ({
  ...(peer.sourceAddress === undefined ? {} : { localAddress: formatIP(peer.sourceAddress) }),
  ...(peer.password._tag === 'Inline' ? { md5Password: peer.password.password } : {}),
})

const runCell = (c: Cell): void => {
  const objects = cellObjects(c)
  const built = buildConfig(objects.filter((o) => !CLUSTER_KINDS.has(o.kind)), { namespace: 'metallb-system' })
  if (built._tag === 'Invalid') throw new Error(`cell ${c.index}: ${JSON.stringify(built.errors)}`)
  const cluster = decodeClusterObjects(objects.filter((o) => CLUSTER_KINDS.has(o.kind)))
  const plan = whatShouldNodeAdvertise(asNodeName(node), {
    config: built.config,
    services: cluster.services,
    assigned: assignedFromIngress(cluster.services),
    nodes: cluster.nodes,
    endpointSlices: cluster.endpointSlices,
    loadBalancerClass: undefined,
  })
  const own = nodeAddresses(c, nodeIndex)
  // The node's addresses of both families: the session's own family comes from its socket.
  const otherNextHops: NextHops = { v4: ipOf(own.v4), v6: ipOf(own.v6) }
  for (const peer of built.config.bgpPeers) {
    const routes = plan.peers.get(peer.name)
    if (routes === undefined) continue
    if (peer.target._tag !== 'Address') throw new Error(`cell ${c.index}: peer ${peer.name} has no address`)
    const config = sessionConfigOf(peer, ipOf(own.v4))
    if ('_tag' in config) throw new Error(`cell ${c.index}: ${config.reason}`)
    const remote = formatIP(peer.target.ip)
    emit({ event: 'planned', cell: c.index, peer: peer.name, routes: routes.map((r) => formatPrefix(r.prefix)) })
    const session = startPeerSession({
      config,
      remote,
      port: peer.port,
      socket: socketOf(peer),
      dialer: nativeDialer,
      otherNextHops,
      log: jsonLogger('none'),
      onUp: () => emit({ event: 'up', cell: c.index, peer: peer.name }),
      onDown: (reason) => emit({ event: 'down', cell: c.index, peer: peer.name, reason }),
    })
    session.advertise(routes)
    session.start()
  }
}

createServer((_req, res) => res.end(node)).listen(HTTP_PORT, '::', () => emit({ event: 'listening', node }))
for (const c of CELLS) runCell(c)

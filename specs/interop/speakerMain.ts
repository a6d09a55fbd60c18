// One node of the interop matrix, run inside the node's namespace (specs/interop/matrix.ts starts it):
// for every cell (cells.ts) the speaker's own BGP path, as the daemon runs it: a pass of the speaker's
// reconcile (core/speaker/reconcile.ts: MetalLB objects -> config -> who advertises what -> sessions)
// carried out by the speaker's BGP applier (shell/speaker/bgpApplier.ts) on the addon's sockets, TCP
// MD5 included; one reconcile state and applier per cell, each listening on the cell's own addresses
// (a cell is a configuration of its own: one config cannot mix eBGP and iBGP peers on a node). And an
// HTTP server that answers with the node's name on every address, so a client behind a router can tell
// which node its connection reached. JSON lines out: 'listening', then 'state' per session change.
//
//   --node-index 0|1 --max-seconds S
import { createServer } from 'node:http'
import { reconcileSpeaker } from '../../core/speaker/reconcile.js'
import { type SpeakerState, initialSpeakerState } from '../../core/speaker/speakerPlan.js'
import { nativeDialer, nativeListen } from '../../shell/native/bgpSockets.js'
import { jsonLogger } from '../../shell/obs/log.js'
import { type BgpApplier, startBgpApplier } from '../../shell/speaker/bgpApplier.js'
import { CELLS, type Cell, HTTP_PORT, NODES, cellObjects, nodeAddresses } from './cells.js'
import { arg, emit } from '../support/agentMain.js'


const nodeIndex = Number(arg('--node-index'))
const node = NODES[nodeIndex]
if (node === undefined) throw new Error('--node-index: 0 or 1')
setTimeout(() => {
  emit({ event: 'timeout' })
  process.exit(3)
}, Number(arg('--max-seconds')) * 1000).unref()

const log = jsonLogger('none')
const events = { record: async () => undefined }
// Layer 2 is not asked for here (no packet sockets): BGP must not care.
const readiness = { _tag: 'Unable', reason: 'NoUsableInterface', message: 'not asked' } as const

/** One pass of the speaker's reconcile over the cell's objects, applied; the applier runs on. */
const runCell = async (c: Cell): Promise<BgpApplier> => {
  const own = nodeAddresses(c, nodeIndex)
  const bgp = startBgpApplier({ log, events, node, dialer: nativeDialer, listen: nativeListen, listenHosts: own })
  const objects = cellObjects(c)
  const of = (...kinds: string[]): unknown[] => objects.filter((o) => kinds.includes(o.kind))
  const snapshot = {
    synced: true,
    configObjects: objects.filter((o) => !['Node', 'Service', 'EndpointSlice'].includes(o.kind)),
    services: of('Service'),
    nodes: of('Node'),
    endpointSlices: of('EndpointSlice'),
    l2Statuses: [],
    secrets: [],
  }
  const state: SpeakerState = initialSpeakerState
  const step = reconcileSpeaker({ snapshot, readiness, interfaces: [], membership: { _tag: 'Out' }, goneSince: new Map() }, state, {
    node,
    namespace: 'metallb-system',
    loadBalancerClass: undefined,
    now: Date.now(),
  })
  const plan = step.plan.protocols.bgp
  if (plan === undefined) throw new Error(`cell ${c.index}: no BGP plan; config errors ${JSON.stringify(step.plan.config?.errors ?? [])}`)
  await bgp.apply(plan)
  return bgp
}

createServer((_req, res) => res.end(node)).listen(HTTP_PORT, '::', () => emit({ event: 'listening', node }))
const appliers = await Promise.all(CELLS.map(async (c) => [c.index, await runCell(c)] as const))
// Session states as they change, per cell and peer (the applier's own view).
const shown = new Map<string, string>()
setInterval(() => {
  for (const [cell, bgp] of appliers)
    for (const [peer, state] of bgp.states()) {
      const key = `${cell}/${peer}`
      if (shown.get(key) === state) continue
      shown.set(key, state)
      emit({ event: 'state', cell, peer, state })
    }
}, 100)

// The speaker's BGP path without the API server, run by bgp.netns.spec.ts inside a lab namespace:
// each {"cmd":"objects"} line is a pass of the real reconcile (core/speaker/reconcile.ts) over the
// objects given (MetalLB kinds, Nodes, Services, EndpointSlices, Secrets), whose BGP part the real
// applier (shell/speaker/bgpApplier.ts) carries out on the addon's sockets with BFD. Log lines and
// Node Events come out as JSON lines on stdout.
//
//   --node NAME --max-seconds S
//   stdin: {"cmd":"objects","objects":[...]} | {"cmd":"stop"} (graceful stop: Cease, or a bare close with GR)
import { createInterface } from 'node:readline'
import { reconcileSpeaker } from '../../../core/speaker/reconcile.js'
import { initialSpeakerState, type SpeakerState } from '../../../core/speaker/speakerPlan.js'
import { startBfd } from '../../../shell/bfd/bfd.js'
import { nativeDialer, nativeListen } from '../../../shell/native/bgpSockets.js'
import { jsonLogger } from '../../../shell/obs/log.js'
import { startBgpApplier } from '../../../shell/speaker/bgpApplier.js'
import { arg, emit } from '../../support/agentMain.js'

setTimeout(() => {
  emit({ event: 'timeout' })
  process.exit(3)
}, Number(arg('--max-seconds')) * 1000).unref()

const node = arg('--node')
const log = jsonLogger('info', (line) => process.stdout.write(line))
const bfd = startBfd(log)
const events = { record: async (_target: unknown, type: string, reason: string, message: string) => emit({ event: 'node-event', type, reason, message }) }
const bgp = startBgpApplier({ log, events, node, dialer: nativeDialer, listen: nativeListen, bfd })
let state: SpeakerState = initialSpeakerState

const pass = async (objects: readonly { kind?: string }[]): Promise<void> => {
  const of = (...kinds: string[]) => objects.filter((o) => kinds.includes(o.kind ?? ''))
  const snapshot = {
    synced: true,
    configObjects: objects.filter((o) => !['Node', 'Service', 'EndpointSlice', 'Secret'].includes(o.kind ?? '')),
    services: of('Service'),
    nodes: of('Node'),
    endpointSlices: of('EndpointSlice'),
    l2Statuses: [],
    secrets: of('Secret'),
  }
  // Layer 2 cannot answer here (no packet sockets asked for): BGP must not care.
  const readiness = { _tag: 'Unable', reason: 'NoUsableInterface', message: 'not asked' } as const
  const step = reconcileSpeaker({ snapshot, readiness, interfaces: [], membership: { _tag: 'Out' }, goneSince: new Map() }, state, { node, namespace: 'metallb-system', loadBalancerClass: undefined, now: Date.now() })
  state = step.state
  const plan = step.plan.protocols.bgp
  if (plan !== undefined) await bgp.apply(plan)
  emit({ event: 'applied', decided: plan !== undefined, errors: step.plan.config?.errors ?? [], routes: Object.fromEntries([...(plan?.routes ?? [])].map(([p, rs]) => [p, rs.length])), states: Object.fromEntries(bgp.states()) })
}

let queue = Promise.resolve()
createInterface({ input: process.stdin }).on('line', (line) => {
  const c = JSON.parse(line) as { cmd?: string; objects?: { kind?: string }[] }
  queue = queue.then(async () => {
    if (c.cmd === 'objects') await pass(c.objects ?? [])
    else if (c.cmd === 'stop') {
      await bgp.stop()
      bfd.close()
      emit({ event: 'stopped' })
    }
  }, (err: unknown) => emit({ event: 'failed', error: String(err) }))
})
emit({ event: 'started', pid: process.pid })

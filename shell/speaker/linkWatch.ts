// The node's usable interfaces and whether this process can answer ARP/NDP on them. Polled (links
// change without an API event); a change kicks the loop. Readiness is probed on start, when the
// interfaces change, and on every poll while unable (to notice a fix); each new verdict is logged,
// set in ironlb_speaker_layer2_unable and recorded as an Event on the Node.
import { describeL2Readiness, judgeL2Readiness, type L2Readiness } from '../../core/speaker/l2Readiness.js'
import { type LinkFacts, usableInterfaces } from '../../core/speaker/interfaceFilter.js'
import type { Mac } from '../../core/packet/mac.js'
import type { EventRecorder } from '../kube/events.js'
import { listLinks } from '../l2/links.js'
import type { Logger } from '../obs/log.js'
import type { L2Responder } from './l2Responder.js'
import type { SpeakerMetrics } from './metrics.js'

type UsableLinks = ReadonlyMap<string, LinkFacts & { readonly mac: Mac }>

interface LinkWatch {
  readonly usable: () => UsableLinks
  readonly readiness: () => L2Readiness
  readonly stop: () => void
}

interface LinkWatchDeps {
  readonly log: Logger
  readonly metrics: SpeakerMetrics
  readonly events: EventRecorder
  readonly node: string
  readonly responder: L2Responder
  readonly kick: () => void
  readonly listLinks?: () => Promise<readonly LinkFacts[]>
  readonly pollMs?: number
}

interface Watched {
  usable: UsableLinks
  signature: string
  readiness: L2Readiness | undefined
}

const kernelLinks = (): Promise<readonly LinkFacts[]> => Promise.resolve(listLinks())

const checkReadiness = (deps: LinkWatchDeps, w: Watched, linksChanged: boolean): void => {
  if (w.readiness !== undefined && w.readiness._tag === 'Able' && !linksChanged) return
  const next = judgeL2Readiness(deps.responder.probe(w.usable))
  const text = describeL2Readiness(next)
  if (w.readiness !== undefined && text === describeL2Readiness(w.readiness)) return
  w.readiness = next
  deps.metrics.setL2Readiness(next)
  const node = { apiVersion: 'v1', kind: 'Node', namespace: 'default', name: deps.node }
  if (next._tag === 'Unable') {
    deps.log.error('l2-unable', { reason: next.reason, message: next.message })
    void deps.events.record(node, 'Warning', 'Layer2Unavailable', `speaker stays out of the Layer 2 election: ${text}`)
  } else {
    deps.log.info('l2-able', { interfaces: next.interfaces })
    void deps.events.record(node, 'Normal', 'Layer2Available', `speaker joins the Layer 2 election: ${text}`)
  }
  deps.kick()
}

const poll = async (deps: LinkWatchDeps, w: Watched): Promise<void> => {
  try {
    const next = usableInterfaces(await (deps.listLinks ?? kernelLinks)())
    const signature = JSON.stringify([...next.values()].map((l) => [l.name, l.ifindex, l.mac]))
    const changed = signature !== w.signature
    if (changed) {
      w.signature = signature
      w.usable = next
      deps.log.info('interfaces-changed', { usable: [...next.keys()] })
      deps.kick()
    }
    if (w.readiness !== undefined) checkReadiness(deps, w, changed)
  } catch (err) {
    deps.log.warn('interfaces-unreadable', { error: err })
  }
}

/** Resolves once the interfaces were read and probed a first time. */
export const startLinkWatch = async (deps: LinkWatchDeps): Promise<LinkWatch> => {
  const w: Watched = { usable: usableInterfaces([]), signature: '', readiness: undefined }
  await poll(deps, w)
  checkReadiness(deps, w, true)
  const timer = setInterval(() => void poll(deps, w), deps.pollMs ?? 2_000)
  return {
    usable: () => w.usable,
    readiness: () => w.readiness ?? judgeL2Readiness([]),
    stop: () => clearInterval(timer),
  }
}

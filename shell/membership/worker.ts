// Worker-thread entry: runs the detector on its own event loop and talks to membership.ts by
// messages. A long synchronous job or GC pause on the speaker's main thread then delays neither
// our Acks nor our timers, so it cannot make this node look dead to its peers.
import { parentPort, workerData } from 'node:worker_threads'
import { absurd } from '../../core/fp/absurd.js'
import type { Member } from '../../core/membership/member.js'
import { type DetectorOptions, type MembershipStats, runDetector } from './detector.js'
import type { MembershipEvent } from './options.js'

export interface WorkerInit {
  readonly options: DetectorOptions
  readonly events: boolean
}

export type ToWorker = { readonly op: 'setMembers'; readonly members: readonly Member[] } | { readonly op: 'leave' } | { readonly op: 'stop' }

export type FromWorker =
  | { readonly op: 'ready'; readonly port: number; readonly stats: MembershipStats }
  | { readonly op: 'alive'; readonly names: readonly string[] }
  | { readonly op: 'stats'; readonly stats: MembershipStats }
  | { readonly op: 'event'; readonly event: MembershipEvent }
  | { readonly op: 'done'; readonly stats: MembershipStats }

const STATS_EVERY_MS = 250

const main = async (): Promise<void> => {
  const port = parentPort
  if (port === null) throw new Error('membership worker: no parent port')
  const init = workerData as WorkerInit
  const post = (m: FromWorker): void => port.postMessage(m)
  const det = await runDetector(init.options, {
    onChange: (alive) => post({ op: 'alive', names: [...alive] }),
    ...(init.events ? { onEvent: (event: MembershipEvent) => post({ op: 'event', event }) } : {}),
  })
  const statsTimer = setInterval(() => post({ op: 'stats', stats: det.stats() }), STATS_EVERY_MS)
  const finish = (): void => {
    clearInterval(statsTimer)
    post({ op: 'done', stats: det.stats() })
    port.close()
  }
  port.on('message', (m: ToWorker) => {
    switch (m.op) {
      case 'setMembers':
        det.setMembers(m.members)
        return
      case 'leave':
        void det.leave().then(finish)
        return
      case 'stop':
        void det.stop().then(finish)
        return
      default:
        return absurd(m)
    }
  })
  post({ op: 'ready', port: det.port, stats: det.stats() })
}

void main()
